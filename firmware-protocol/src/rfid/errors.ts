/**
 * Why a reader frame or reply could not be used. Stream parsers never return these (they count and drop);
 * decoders of one frame or reply do, so the caller can log a stable code rather than parse a message.
 */
export const RFID_ERROR_CODES = [
  'TRUNCATED_FRAME',
  'BAD_LENGTH',
  'BAD_CRC',
  'BAD_CHECKSUM',
  'TRAILING_BYTES',
  'MISSING_STATUS',
  'UNEXPECTED_COMMAND',
  'UNEXPECTED_STATUS',
  'MALFORMED_INVENTORY',
  'MALFORMED_READER_INFO',
  'TOO_MANY_FRAMES',
] as const;
export type RfidErrorCode = (typeof RFID_ERROR_CODES)[number];

export interface RfidError {
  code: RfidErrorCode;
  message: string;
}

export function rfidError(code: RfidErrorCode, message: string): { ok: false; error: RfidError } {
  return { ok: false, error: { code, message } };
}
