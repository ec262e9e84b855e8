/**
 * The reader-information reply (command 0x21), which a station reads at start-up to check that a
 * Chafon reader, and not some other device, answers on the configured port. Data after the status:
 *
 *     Version(2: major, minor) Type TrType dmaxfre dminfre Power Scntm
 *
 * Frequency bytes keep their band bits as sent; Scntm is the inventory scan time in units of 100 ms.
 */
import type { Result } from '../../record/errors.ts';
import { rfidError, type RfidError } from '../errors.ts';
import { CHAFON_COMMAND } from './commands.ts';
import { CHAFON_STATUS, encodeChafonReply, type ChafonReply } from './reply.ts';

export interface ChafonReaderInfo {
  firmware: { major: number; minor: number };
  readerType: number;
  /** Bit mask of air protocols: bit 1 EPC Gen2 (ISO 18000-6C), bit 0 ISO 18000-6B. */
  protocols: number;
  maxFrequency: number;
  minFrequency: number;
  /** Output power, dBm. */
  power: number;
  /** Longest time an inventory may take, in milliseconds. */
  scanTimeMs: number;
}

const INFO_BYTES = 8;

export function decodeChafonReaderInfo(reply: ChafonReply): Result<ChafonReaderInfo, RfidError> {
  if (reply.command !== CHAFON_COMMAND.readerInfo) {
    return rfidError('UNEXPECTED_COMMAND', `reply to command 0x${reply.command.toString(16)}, not to reader information`);
  }
  if (reply.statusCode !== CHAFON_STATUS.success) {
    return rfidError('UNEXPECTED_STATUS', `reader information failed with status 0x${reply.statusCode.toString(16)} (${reply.status})`);
  }
  const d = reply.data;
  if (d.length !== INFO_BYTES) return rfidError('MALFORMED_READER_INFO', `expected ${INFO_BYTES} data bytes, got ${d.length}`);
  return {
    ok: true,
    value: {
      firmware: { major: d[0]!, minor: d[1]! },
      readerType: d[2]!,
      protocols: d[3]!,
      maxFrequency: d[4]!,
      minFrequency: d[5]!,
      power: d[6]!,
      scanTimeMs: d[7]! * 100,
    },
  };
}

export function encodeChafonReaderInfoReply(address: number, info: ChafonReaderInfo): Uint8Array {
  const data = Uint8Array.of(
    info.firmware.major,
    info.firmware.minor,
    info.readerType,
    info.protocols,
    info.maxFrequency,
    info.minFrequency,
    info.power,
    Math.min(255, Math.round(info.scanTimeMs / 100)),
  );
  return encodeChafonReply({ address, command: CHAFON_COMMAND.readerInfo, statusCode: CHAFON_STATUS.success, data });
}
