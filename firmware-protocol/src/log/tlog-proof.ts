/**
 * Offline proof that a custody record is in the log: the C2SP tlog-proof text (c2sp.org/tlog-proof)
 * an audit bundle carries beside the record's envelope, and its verification with nothing but the
 * log's origin and verifier keys:
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]
 *   index <leaf index>
 *   <base64 proof hash, leaf side first>...
 *   <empty line>
 *   <the signed checkpoint, verbatim>
 */
import { fromBase64, toBase64 } from '../encoding.ts';
import { decodeEnvelope } from '../record/envelope.ts';
import { ok, type RecordError, type Result } from '../record/errors.ts';
import { verifyCheckpoint, type Checkpoint, type LogTrust } from './checkpoint.ts';
import { logFail, type LogError, type LogResult } from './errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';
import { recordLeafHash } from './leaf.ts';
import { verifyInclusion } from './verify.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  readonly index: number;
  /** The inclusion proof in the checkpoint's tree, leaf side first. */
  readonly proof: readonly Hash[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
  /** Opaque and unauthenticated; this log writes none. */
  readonly extra?: Uint8Array;
}

export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER, ...(p.extra ? [`extra ${toBase64(p.extra)}`] : []), `index ${p.index}`, ...p.proof.map(toBase64)];
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(text: string): LogResult<TlogProof> {
  const blank = text.indexOf('\n\n');
  if (blank < 0) return logFail('MALFORMED_TLOG_PROOF', 'a tlog proof has an empty line before its checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (lines.shift() !== TLOG_PROOF_HEADER) return logFail('MALFORMED_TLOG_PROOF', `a tlog proof begins with the line ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    extra = fromBase64(lines.shift()!.slice('extra '.length));
    if (!extra) return logFail('MALFORMED_TLOG_PROOF', 'the extra line is not base64');
  }
  const index = /^index (0|[1-9][0-9]{0,15})$/.exec(lines.shift() ?? '');
  if (!index || !Number.isSafeInteger(Number(index[1]))) return logFail('MALFORMED_TLOG_PROOF', 'the index line is "index <decimal leaf index>"');
  const proof: Hash[] = [];
  for (const line of lines) {
    const h = fromBase64(line);
    if (!h || h.length !== HASH_SIZE) return logFail('MALFORMED_TLOG_PROOF', `proof line ${proof.length + 1} is not base64 of a 32-byte hash`);
    proof.push(h);
  }
  return ok({ index: Number(index[1]), proof, checkpoint, ...(extra ? { extra } : {}) });
}

export interface RecordInclusion {
  readonly checkpoint: Checkpoint;
  readonly index: number;
  readonly leafHash: Hash;
}

/**
 * Is this record (its envelope line) leaf `index` of the tree a trusted checkpoint signs? Checks the
 * envelope's form, the checkpoint's signature and origin, then the inclusion proof. It does not judge
 * the record itself: verifyRecord with the keyring does that, and an audit runs both.
 */
export function verifyRecordInclusion(envelope: string, proof: Pick<TlogProof, 'index' | 'proof' | 'checkpoint'>, trust: LogTrust): Result<RecordInclusion, LogError | RecordError> {
  const signed = decodeEnvelope(envelope);
  if (!signed.ok) return signed;
  const checkpoint = verifyCheckpoint(proof.checkpoint, trust);
  if (!checkpoint.ok) return checkpoint;
  const leaf = recordLeafHash(signed.value);
  const included = verifyInclusion(proof.index, checkpoint.value.size, leaf, proof.proof, checkpoint.value.root);
  if (!included.ok) return included;
  const { verifiedBy: _, ...signedCheckpoint } = checkpoint.value;
  return ok({ checkpoint: signedCheckpoint, index: proof.index, leafHash: leaf });
}
