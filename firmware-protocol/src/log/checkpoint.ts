/**
 * C2SP checkpoints (c2sp.org/tlog-checkpoint): the log's signed statement "my tree of this size has
 * this root", the body of a signed note:
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines\n]
 * The signature binds the size to the root: a root alone does not say how many leaves it covers.
 */
import type { Ed25519Verify } from '../crypto/ed25519.ts';
import { fromBase64, toBase64 } from '../encoding.ts';
import { ok } from '../record/errors.ts';
import { logFail, type LogResult } from './errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';
import { verifyNote, type NoteVerifierKey } from './note.ts';

export interface Checkpoint {
  /** The log's identity, e.g. `log.wastetrail.example/hangzhou`; the log's key name matches it. */
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  /** Opaque extra lines; C2SP recommends none, and this log writes none. */
  readonly extensions?: readonly string[];
}

/** Who the verifier trusts: the log's origin and its keys (more than one while a key rotates). */
export interface LogTrust {
  readonly origin: string;
  readonly keys: readonly NoteVerifierKey[];
  readonly ed25519Verify: Ed25519Verify;
}

/** The checkpoint's note text. Throws on a checkpoint no verifier would accept. */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.origin === '' || /[\p{White_Space}+\p{Cc}]/u.test(c.origin)) throw new TypeError('a checkpoint origin is non-empty, without spaces, "+" or control characters');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new RangeError(`tree size ${c.size} is not an integer from 0`);
  if (c.root.length !== HASH_SIZE) throw new TypeError(`a root hash is ${HASH_SIZE} bytes`);
  for (const e of c.extensions ?? []) if (e === '' || /\p{Cc}/u.test(e)) throw new TypeError('extension lines are non-empty, without control characters');
  return [c.origin, String(c.size), toBase64(c.root), ...(c.extensions ?? [])].map((l) => `${l}\n`).join('');
}

export function parseCheckpoint(text: string): LogResult<Checkpoint> {
  if (!text.endsWith('\n')) return logFail('MALFORMED_CHECKPOINT', 'a checkpoint ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return logFail('MALFORMED_CHECKPOINT', 'a checkpoint has an origin, a tree size and a root hash line');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') return logFail('MALFORMED_CHECKPOINT', 'the origin line is empty');
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    return logFail('MALFORMED_CHECKPOINT', `tree size ${JSON.stringify(sizeText)} is not a decimal integer without leading zeros up to 2^53 - 1`);
  }
  const root = fromBase64(rootText);
  if (!root || root.length !== HASH_SIZE) return logFail('MALFORMED_CHECKPOINT', 'the root hash line is not base64 of 32 bytes');
  if (extensions.some((e) => e === '')) return logFail('MALFORMED_CHECKPOINT', 'extension lines are non-empty');
  return ok({ origin, size: Number(sizeText), root, ...(extensions.length > 0 ? { extensions } : {}) });
}

/** A signed checkpoint from the trusted log: signature by a trusted key, form, and origin. */
export function verifyCheckpoint(note: string, trust: LogTrust): LogResult<Checkpoint & { verifiedBy: NoteVerifierKey[] }> {
  const verified = verifyNote(note, trust.keys, trust.ed25519Verify);
  if (!verified.ok) return verified;
  const checkpoint = parseCheckpoint(verified.value.text);
  if (!checkpoint.ok) return checkpoint;
  if (checkpoint.value.origin !== trust.origin) return logFail('WRONG_ORIGIN', `the checkpoint is of log ${checkpoint.value.origin}, not ${trust.origin}`);
  return ok({ ...checkpoint.value, verifiedBy: verified.value.verifiedBy });
}
