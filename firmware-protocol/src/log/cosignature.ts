/**
 * C2SP cosignatures (c2sp.org/tlog-cosignature, Ed25519 "cosignature/v1"): a witness's statement that,
 * at a time, the largest consistent checkpoint it has seen of the log has this root. A cosignature is a
 * note signature line like the log's own, with its own key type so the two never verify for each other:
 *
 *   key id    = SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]
 *   signature = key id || u64 big-endian timestamp (POSIX seconds) || Ed25519 signature over
 *               "cosignature/v1\ntime <timestamp>\n" || the checkpoint's note text
 *   vkey      = <name>+<key id hex>+<base64(0x04 || public key)>
 *
 * And the witness's decision (docs/protocol/log.md, "Witnesses"): which checkpoint it may cosign, given
 * the last one it cosigned.
 */
import type { Ed25519Signer, Ed25519Verify } from '../crypto/ed25519.ts';
import { ED25519_SPKI_PREFIX } from '../crypto/spki.ts';
import { bytesEqual, concatBytes, toBase64, utf8 } from '../encoding.ts';
import { ok } from '../record/errors.ts';
import type { Checkpoint } from './checkpoint.ts';
import { logFail, type LogResult } from './errors.ts';
import type { Hash } from './hash.ts';
import { noteVerifierKey, parseNote, parseVerifierKey, verifierKeyString, type NoteSigner, type NoteVerifierKey } from './note.ts';
import { verifyConsistency } from './verify.ts';

/** Signature type byte of Ed25519 cosignatures. */
export const COSIGNATURE_ED25519 = 0x04;
const TIMESTAMP_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;

/** A witness's cosigning key: its name (a scheme-less URL naming the witness) and Ed25519 key. */
export function cosigner(name: string, signer: Ed25519Signer): NoteSigner {
  return { ...noteVerifierKey(name, signer.publicKeySpki, COSIGNATURE_ED25519), sign: (text) => signer.sign(text) };
}

/** The witness's vkey, type 0x04: what a log's `verifiableLog.witnesses` lists. */
export const cosignerKeyString = (key: NoteVerifierKey): string => verifierKeyString(key, COSIGNATURE_ED25519);
export const parseCosignerKey = (text: string): LogResult<NoteVerifierKey> => parseVerifierKey(text, COSIGNATURE_ED25519);

/** The bytes an Ed25519 cosignature signs. */
export function cosignedMessage(checkpointText: string, timestamp: number): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/**
 * The cosignature line ("— <name> <base64>\n") over a checkpoint's note text, at `timestamp` (POSIX
 * seconds). Appending it to the log's signed note gives the cosigned note.
 */
export function cosignatureLine(checkpointText: string, key: NoteSigner, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp ${timestamp} is not POSIX seconds`);
  const id = Uint8Array.of(key.keyId >>> 24, (key.keyId >>> 16) & 0xff, (key.keyId >>> 8) & 0xff, key.keyId & 0xff);
  const time = new Uint8Array(TIMESTAMP_BYTES);
  new DataView(time.buffer).setBigUint64(0, BigInt(timestamp));
  return `\u2014 ${key.name} ${toBase64(concatBytes(id, time, key.sign(cosignedMessage(checkpointText, timestamp))))}\n`;
}

export interface Cosignature {
  readonly witness: NoteVerifierKey;
  readonly timestamp: number;
  /** The note signature line, verbatim with its newline: what a server keeps and serves. */
  readonly line: string;
}

/**
 * The cosignatures in `note` by the given witnesses, verified. Lines by other keys (the log's, unknown
 * witnesses) are ignored, as the signed-note spec asks; a known witness's line that fails rejects the note.
 */
export function verifyCosignatures(note: string, witnesses: readonly NoteVerifierKey[], ed25519Verify: Ed25519Verify): LogResult<{ text: string; cosignatures: Cosignature[] }> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const { text, signatures } = parsed.value;
  const lines = note.slice(text.length + 1, -1).split('\n');
  const cosignatures: Cosignature[] = [];
  for (const [i, s] of signatures.entries()) {
    const witness = witnesses.find((w) => w.name === s.name && w.keyId === s.keyId);
    if (!witness) continue;
    if (s.signature.length !== TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES) return logFail('BAD_COSIGNATURE', `the cosignature by ${s.name} is not a timestamp and an Ed25519 signature`);
    const timestamp = new DataView(s.signature.buffer, s.signature.byteOffset, TIMESTAMP_BYTES).getBigUint64(0);
    if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return logFail('BAD_COSIGNATURE', `the cosignature by ${s.name} has a timestamp past 2^53 - 1`);
    const signature = s.signature.slice(TIMESTAMP_BYTES);
    if (!ed25519Verify(concatBytes(ED25519_SPKI_PREFIX, witness.publicKey), cosignedMessage(text, Number(timestamp)), signature)) {
      return logFail('BAD_COSIGNATURE', `the cosignature by ${s.name} does not verify over this checkpoint`);
    }
    if (!cosignatures.some((c) => c.witness === witness)) cosignatures.push({ witness, timestamp: Number(timestamp), line: `${lines[i]!}\n` });
  }
  return ok({ text, cosignatures });
}

/** The witnesses whose cosignatures count, and how many of them a checkpoint needs at least (0 to their number). */
export interface WitnessPolicy {
  readonly witnesses: readonly NoteVerifierKey[];
  readonly quorum: number;
}

/** Who must have signed a checkpoint: the log's key, and the witness policy. */
export interface WitnessQuorum extends WitnessPolicy {
  readonly log: NoteVerifierKey;
}

/**
 * The witnesses whose cosignatures of `note` verify, once at least `quorum` of them do. Stricter than
 * verifyCosignatures, for a verifier that was told exactly which witnesses to expect: every line that is
 * not the log's must be a trusted witness's (UNKNOWN_WITNESS: an altered note, or a witness list out of
 * date), each must verify (BAD_COSIGNATURE), and fewer than `quorum` is QUORUM_NOT_MET. The log's own
 * signature is verifyCheckpoint's to check.
 */
export function checkCosignatureQuorum(note: string, q: WitnessQuorum, ed25519Verify: Ed25519Verify): LogResult<{ cosignedBy: NoteVerifierKey[] }> {
  if (!Number.isSafeInteger(q.quorum) || q.quorum < 0 || q.quorum > q.witnesses.length) throw new RangeError(`a quorum of ${q.quorum} out of ${q.witnesses.length} witnesses`);
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  for (const s of parsed.value.signatures) {
    if (s.name === q.log.name && s.keyId === q.log.keyId) continue;
    if (!q.witnesses.some((w) => w.name === s.name && w.keyId === s.keyId)) {
      return logFail('UNKNOWN_WITNESS', `the checkpoint carries a cosignature by ${s.name} (key id ${s.keyId.toString(16).padStart(8, '0')}), which is not one of the trusted witnesses`);
    }
  }
  const verified = verifyCosignatures(note, q.witnesses, ed25519Verify);
  if (!verified.ok) return verified;
  const cosignedBy = verified.value.cosignatures.map((c) => c.witness);
  if (cosignedBy.length < q.quorum) {
    return logFail('QUORUM_NOT_MET', `the checkpoint is cosigned by ${cosignedBy.length} of the trusted witnesses (${cosignedBy.map((w) => w.name).join(', ') || 'none'}), fewer than the quorum of ${q.quorum}`);
  }
  return ok({ cosignedBy });
}

/**
 * Whether a witness that last cosigned `last` (undefined: none yet) may cosign `next`, given the proof
 * that `next` extends `last` (ignored when no proof is needed). Refusals: CHECKPOINT_ROLLBACK (a smaller
 * tree), CHECKPOINT_FORK (same size, another root), CHECKPOINT_INCONSISTENT (a larger tree that does
 * not extend the last one). `next` must already be verified as the log's.
 */
export function checkWitnessed(last: Checkpoint | undefined, next: Checkpoint, proof: readonly Hash[]): LogResult<void> {
  if (!last || last.size === 0) return ok(undefined);
  if (next.origin !== last.origin) return logFail('WRONG_ORIGIN', `the checkpoint is of log ${next.origin}, the witness's state of ${last.origin}`);
  if (next.size < last.size) return logFail('CHECKPOINT_ROLLBACK', `the log's checkpoint has ${next.size} leaves, fewer than the ${last.size} this witness cosigned: the log rolled back`);
  if (next.size === last.size) {
    if (bytesEqual(next.root, last.root)) return ok(undefined);
    return logFail('CHECKPOINT_FORK', `the log's checkpoint of ${next.size} leaves has root ${toBase64(next.root)}, not ${toBase64(last.root)} as cosigned: the log forked`);
  }
  const consistent = verifyConsistency(last.size, next.size, last.root, next.root, proof);
  if (!consistent.ok) return logFail('CHECKPOINT_INCONSISTENT', `the tree of ${next.size} leaves is not shown to extend the cosigned one of ${last.size} (${consistent.error.code}: ${consistent.error.message})`);
  return ok(undefined);
}
