/**
 * CRC-16/MODBUS: reflected polynomial 0xA001, preset 0xFFFF, no final XOR (check value of ASCII
 * "123456789" is 0x4B37), sent low byte first at the end of every Modbus RTU frame. The edge agent's
 * Modbus client (modbus-serial) checks it on its own; this is for the sensor simulator and tests.
 */
import { buildReflectedCrc16Table } from './crc16-mcrf4xx.ts';

const TABLE = buildReflectedCrc16Table(0xa001);

/** The CRC of `bytes[start, end)`. */
export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
