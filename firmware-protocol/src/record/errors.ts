/**
 * Stable error codes for everything that can be wrong with a custody record or a chain of them.
 * These strings are an API: the server stores them on quarantined records, the CLI prints them,
 * test vectors are named after them. Add codes; never rename one.
 */
export const RECORD_ERROR_CODES = [
  // The envelope (one JSON line or MQTT payload) around the signed bytes.
  'MALFORMED_ENVELOPE',
  // The signed bytes themselves.
  'MALFORMED_RECORD',
  'NON_CANONICAL_RECORD',
  'UNSUPPORTED_VERSION',
  'UNKNOWN_EVENT_TYPE',
  'MISSING_FIELD',
  'UNEXPECTED_FIELD',
  'INVALID_FIELD',
  'WRONG_UNIT',
  // Identity and signature.
  'UNKNOWN_DEVICE',
  'WRONG_KEY',
  'KEY_REVOKED',
  'BAD_SIGNATURE',
  'EVENT_NOT_ALLOWED',
  // The hash chain of one device.
  'CHAIN_START_INVALID',
  'SEQUENCE_GAP',
  'DUPLICATE_RECORD',
  'FORK',
  'OUT_OF_ORDER',
  'PREV_HASH_MISMATCH',
] as const;

export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

export interface RecordError {
  code: RecordErrorCode;
  /** One sentence a person can act on. */
  message: string;
  /** Where in the record, as a JSON path such as `body.weight.unit`, when the error is about a field. */
  path?: string;
  device?: string;
  seq?: number;
}

export type Result<T, E = RecordError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: RecordErrorCode, message: string, extra: Omit<RecordError, 'code' | 'message'> = {}): {
  ok: false;
  error: RecordError;
} {
  return { ok: false, error: { code, message, ...extra } };
}

export function isRecordErrorCode(s: string): s is RecordErrorCode {
  return (RECORD_ERROR_CODES as readonly string[]).includes(s);
}
