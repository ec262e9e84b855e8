/**
 * Why one scale line or frame could not be used. Decoders of a single line or frame return these;
 * stream parsers never do: they count the drop (see ParserCounters) and carry on.
 * These strings are an API (logs, tests): add codes, never rename one.
 */
import type { Result } from '../record/errors.ts';

export const SCALE_ERROR_CODES = [
  /** Not a line or frame of the protocol (garbled, truncated, unknown reply). */
  'MALFORMED',
  /** A well-formed frame whose checksum does not match. */
  'BAD_CHECKSUM',
  /** A weight in a unit that is not a mass this system converts (ct, pcs, %, no unit and none configured). */
  'UNKNOWN_UNIT',
  /** Not a whole number of grams while exact conversion was asked for. */
  'INEXACT_WEIGHT',
  /** A number too large to be a weight. */
  'OUT_OF_RANGE',
] as const;
export type ScaleErrorCode = (typeof SCALE_ERROR_CODES)[number];

export interface ScaleDecodeError {
  code: ScaleErrorCode;
  /** One sentence a person can act on. */
  message: string;
}

export type ScaleResult<T> = Result<T, ScaleDecodeError>;

export function scaleError(code: ScaleErrorCode, message: string): { ok: false; error: ScaleDecodeError } {
  return { ok: false, error: { code, message } };
}

/** Errors about the value rather than the syntax: the line was read, the weight cannot be used. */
export function isValueError(e: ScaleDecodeError): boolean {
  return e.code === 'UNKNOWN_UNIT' || e.code === 'INEXACT_WEIGHT' || e.code === 'OUT_OF_RANGE';
}
