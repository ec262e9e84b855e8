/**
 * Stable error codes for everything that can be wrong with the verifiable log's artefacts: proofs,
 * checkpoints, signed notes, verifier keys, tiles and entry bundles. Like the record codes, these
 * strings are an API (the server, the edge witness and `wastetrail verify` print them): add codes;
 * never rename one. docs/protocol/log.md explains each.
 */
import type { Result } from '../record/errors.ts';

export const LOG_ERROR_CODES = [
  // Tree maths.
  'INDEX_OUT_OF_RANGE',
  'MALFORMED_HASH',
  'INCLUSION_PROOF_INVALID',
  'CONSISTENCY_PROOF_INVALID',
  'ROOT_MISMATCH',
  // Signed notes and checkpoints.
  'MALFORMED_NOTE',
  'MALFORMED_VERIFIER_KEY',
  'MALFORMED_CHECKPOINT',
  'BAD_NOTE_SIGNATURE',
  'NO_TRUSTED_SIGNATURE',
  'WRONG_ORIGIN',
  // Witnesses and cosignatures.
  'BAD_COSIGNATURE',
  'CHECKPOINT_ROLLBACK',
  'CHECKPOINT_FORK',
  'CHECKPOINT_INCONSISTENT',
  'UNKNOWN_WITNESS',
  'QUORUM_NOT_MET',
  // Tiles, entry bundles and offline proofs.
  'MALFORMED_TILE_PATH',
  'MALFORMED_TILE',
  'MALFORMED_ENTRY_BUNDLE',
  'MALFORMED_TLOG_PROOF',
] as const;

export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

export interface LogError {
  code: LogErrorCode;
  /** One sentence a person can act on. */
  message: string;
}

export type LogResult<T> = Result<T, LogError>;

export function logFail(code: LogErrorCode, message: string): { ok: false; error: LogError } {
  return { ok: false, error: { code, message } };
}

export function isLogErrorCode(s: string): s is LogErrorCode {
  return (LOG_ERROR_CODES as readonly string[]).includes(s);
}
