/**
 * CRC-16/MCRF4XX: reflected polynomial 0x8408, preset 0xFFFF, no final XOR (check value of ASCII
 * "123456789" is 0x6F91). The Chafon / UHFReader18 reader family protects its frames with it and sends
 * the result low byte first. Table driven: the stream parser runs it once per candidate frame, and
 * after line noise that is once per junk byte.
 */
const TABLE = buildReflectedCrc16Table(0x8408);

/** The byte table of a reflected CRC-16 with this (reflected) polynomial; MODBUS's is 0xA001. */
export function buildReflectedCrc16Table(poly: number): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
    table[n] = crc;
  }
  return table;
}

/** The CRC of `bytes[start, end)`. */
export function crc16Mcrf4xx(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
