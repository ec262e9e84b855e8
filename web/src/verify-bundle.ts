// A bag's audit bundle checked again in the browser, trusting nothing the server said about it: each
// record with firmware-protocol's one record verifier (bytes, device, key, strict Ed25519 signature,
// station) and its hash against the one the trail showed; each record's log proof with firmware-protocol's
// log code (the checkpoint's signature by the log's key, the inclusion proof); and each checkpoint the
// proofs lead to against the bundle's witnesses and quorum. The Ed25519 check is pure JS
// (nobleEd25519Verify): the same strict rules as the server's node:crypto.
import {
  checkCosignatureQuorum,
  decodeEnvelope,
  decodeRecordBytes,
  nobleEd25519Verify,
  parseCosignerKey,
  parseKeyring,
  parseTlogProof,
  parseVerifierKey,
  recordHash,
  verifyRecord,
  verifyRecordInclusion,
  type NoteVerifierKey,
} from '@wastetrail/firmware-protocol/verify';
import type { Answer } from './api.ts';

export type AuditBundle = Answer<'/api/v1/bags/{id}/bundle'>;

/** A record's proof in the log: proven at its leaf of a signed checkpoint, not yet in one, or failed (the code). */
export type LogVerdict = { leaf: number; size: number } | { pending: true } | { failed: string };

export interface RecordVerdict {
  /** device#seq, as the trail names records ('' for a record that cannot be read). */
  key: string;
  device: string;
  seq: number;
  hash: string;
  ok: boolean;
  /** Why it failed: firmware-protocol's code (BAD_SIGNATURE, WRONG_KEY, …) or HASH_MISMATCH. */
  reason?: string;
  log?: LogVerdict;
}

export interface CheckpointVerdict {
  size: number;
  /** The witnesses whose cosignatures verify (names). */
  cosignedBy: string[];
  witnesses: number;
  quorum: number;
  quorumMet: boolean;
  reason?: string;
}

export interface BundleVerdict {
  records: RecordVerdict[];
  /** Whether the bundle carries log proofs at all (a server without a log gives none). */
  hasLog: boolean;
  /** Each checkpoint a verified proof leads to, once. */
  checkpoints: CheckpointVerdict[];
}

export const recordKey = (r: { device: string; seq: number }): string => `${r.device}#${r.seq}`;

/**
 * Verifies `bundle`; `shown` is device#seq -> hash as the trail page showed them, so a server that shows
 * one record and exports another is caught (HASH_MISMATCH).
 */
export function verifyBundleHere(bundle: AuditBundle, shown: ReadonlyMap<string, string>): BundleVerdict {
  const keyring = parseKeyring(bundle.keyring);
  const logs = bundle.log ? verifyLogProofs(bundle.records, bundle.log) : undefined;
  const records = bundle.records.map((line, i): RecordVerdict => {
    const log = logs ? { log: logs[i]!.verdict } : {};
    const env = decodeEnvelope(line);
    if (!env.ok) return { key: '', device: '', seq: 0, hash: '', ok: false, reason: env.error.code, ...log };
    const hash = recordHash(env.value.bytes);
    if (!keyring.ok) {
      const header = decodeRecordBytes(env.value.bytes);
      const who = header.ok ? { device: header.value.device, seq: header.value.seq } : { device: '', seq: 0 };
      return { key: header.ok ? recordKey(who) : '', ...who, hash, ok: false, reason: keyring.error.code, ...log };
    }
    const v = verifyRecord(env.value, { keyring: keyring.value, ed25519Verify: nobleEd25519Verify });
    if (!v.ok) {
      const who = { device: v.error.device ?? '', seq: v.error.seq ?? 0 };
      return { key: v.error.device !== undefined && v.error.seq !== undefined ? recordKey(who) : '', ...who, hash, ok: false, reason: v.error.code, ...log };
    }
    const who = { device: v.value.record.device, seq: v.value.record.seq };
    const key = recordKey(who);
    const seen = shown.get(key);
    if (seen !== undefined && seen !== hash) return { key, ...who, hash, ok: false, reason: 'HASH_MISMATCH', ...log };
    return { key, ...who, hash, ok: true, ...log };
  });
  return { records, hasLog: bundle.log !== undefined, checkpoints: logs && bundle.log ? checkpointVerdicts(logs, bundle.log) : [] };
}

type BundleLog = NonNullable<AuditBundle['log']>;
interface ProofOutcome {
  verdict: LogVerdict;
  /** The signed checkpoint note a verified proof leads to. */
  note?: string;
}

function verifyLogProofs(records: readonly string[], log: BundleLog): ProofOutcome[] {
  const key = parseVerifierKey(log.key);
  return log.proofs.map((text, i): ProofOutcome => {
    if (text === null) return { verdict: { pending: true } };
    if (!key.ok) return { verdict: { failed: key.error.code } };
    const proof = parseTlogProof(text);
    if (!proof.ok) return { verdict: { failed: proof.error.code } };
    const included = verifyRecordInclusion(records[i] ?? '', proof.value, { origin: key.value.name, keys: [key.value], ed25519Verify: nobleEd25519Verify });
    if (!included.ok) return { verdict: { failed: included.error.code } };
    return { verdict: { leaf: included.value.index, size: included.value.checkpoint.size }, note: proof.value.checkpoint };
  });
}

/** The bundle's witness policy, or the code of what makes it unusable (a key that does not parse, a quorum out of range). */
function witnessPolicy(log: BundleLog): { witnesses: NoteVerifierKey[]; quorum: number } | { error: string } {
  const witnesses: NoteVerifierKey[] = [];
  for (const text of log.witnesses ?? []) {
    const w = parseCosignerKey(text);
    if (!w.ok) return { error: w.error.code };
    witnesses.push(w.value);
  }
  const quorum = log.quorum ?? 0;
  // Never lowered to fit: a quorum the named witnesses cannot meet is not met.
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > witnesses.length) return { error: 'QUORUM_NOT_MET' };
  return { witnesses, quorum };
}

function checkpointVerdicts(proofs: readonly ProofOutcome[], log: BundleLog): CheckpointVerdict[] {
  const key = parseVerifierKey(log.key);
  if (!key.ok) return [];
  const policy = witnessPolicy(log);
  const out = new Map<string, CheckpointVerdict>();
  for (const p of proofs) {
    if (p.note === undefined || out.has(p.note) || !('leaf' in p.verdict)) continue;
    const size = p.verdict.size;
    if ('error' in policy) {
      out.set(p.note, { size, cosignedBy: [], witnesses: log.witnesses?.length ?? 0, quorum: log.quorum ?? 0, quorumMet: false, reason: policy.error });
      continue;
    }
    const checked = checkCosignatureQuorum(p.note, { log: key.value, ...policy }, nobleEd25519Verify);
    out.set(p.note, {
      size,
      cosignedBy: checked.ok ? checked.value.cosignedBy.map((w) => w.name) : [],
      witnesses: policy.witnesses.length,
      quorum: policy.quorum,
      quorumMet: checked.ok,
      ...(checked.ok ? {} : { reason: checked.error.code }),
    });
  }
  return [...out.values()];
}

/** The counts a summary shows: records verified, records proven in the log, and whether any proof failed. */
export function verdictCounts(v: BundleVerdict): { records: number; verified: number; proven: number; logFailed: boolean } {
  return {
    records: v.records.length,
    verified: v.records.filter((r) => r.ok).length,
    proven: v.records.filter((r) => r.log !== undefined && 'leaf' in r.log).length,
    logFailed: v.records.some((r) => r.log !== undefined && 'failed' in r.log),
  };
}
