/**
 * The edge agent as a light witness of the server's verifiable log (docs/protocol/log.md#the-edge-agent-as-a-light-witness):
 * fetch the newest checkpoint, check its signature with the configured key, check it extends the last
 * checkpoint this device holds, and check every acknowledged record with a receipt is in it, from the
 * record's own bytes and signature. The proofs come from the server; every check is firmware-protocol's.
 * Only a passing audit moves the held checkpoint forward, so a failure is reported again on the next run.
 */
import {
  fromBase64,
  nodeEd25519Verify,
  parseCheckpoint,
  recordLeafHash,
  toHex,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
  type Hash,
  type NoteVerifierKey,
} from '@wastetrail/firmware-protocol';
import type { Outbox } from '../outbox/outbox.ts';

/** Why an audit failed; each is an alarm except LOG_UNREACHABLE, which says only that it could not look. */
export const AUDIT_FAILURE_CODES = [
  /** The log did not answer (network, 5xx): nothing was checked. */
  'LOG_UNREACHABLE',
  /** The checkpoint is not signed by the configured key, is of another log, or is malformed. */
  'CHECKPOINT_INVALID',
  /** The log is smaller than a checkpoint it signed before: leaves were removed. */
  'LOG_ROLLED_BACK',
  /** The new checkpoint does not extend the one held (another root at that size, or no valid consistency proof). */
  'LOG_FORKED',
  /** A record the server acknowledged, with its receipt's leaf index, is not proven in the checkpoint. */
  'RECORD_NOT_IN_LOG',
] as const;
export type AuditFailureCode = (typeof AUDIT_FAILURE_CODES)[number];

export interface AuditOptions {
  outbox: Outbox;
  /** The log's URL prefix: `<url>/log/v1/checkpoint` and `<url>/api/v1/log/...` are under it. */
  url: string;
  /** The log's verifier key; its name is the log's origin. */
  key: NoteVerifierKey;
  /** Receipts checked per audit at most (the rest wait for the next). */
  maxRecords?: number;
  fetch?: typeof fetch;
}

export type AuditOutcome =
  | { ok: true; size: number; root: string; previousSize: number; proven: number; waiting: number }
  | { ok: false; code: AuditFailureCode; message: string; seq?: number; leaf?: number };

/** The meta key of the newest checkpoint an audit accepted (the signed note, verbatim). */
export const HELD_CHECKPOINT_META = 'log_checkpoint';

class AuditFailure extends Error {
  readonly code: AuditFailureCode;
  readonly at: { seq?: number; leaf?: number };
  constructor(code: AuditFailureCode, message: string, at: { seq?: number; leaf?: number } = {}) {
    super(message);
    this.code = code;
    this.at = at;
  }
}

/** The audit's verdict on the log. Throws only when this device cannot audit at all (its outbox fails). */
export async function auditLog(o: AuditOptions): Promise<AuditOutcome> {
  try {
    return await audit(o);
  } catch (e) {
    if (e instanceof AuditFailure) return { ok: false, code: e.code, message: e.message, ...e.at };
    throw e;
  }
}

async function audit(o: AuditOptions): Promise<AuditOutcome & { ok: true }> {
  const get = o.fetch ?? fetch;
  const base = o.url.replace(/\/+$/, '');
  const trust = { origin: o.key.name, keys: [o.key], ed25519Verify: nodeEd25519Verify };

  const note = await fetchText(get, `${base}/log/v1/checkpoint`);
  const verified = verifyCheckpoint(note, trust);
  if (!verified.ok) throw new AuditFailure('CHECKPOINT_INVALID', `${verified.error.code}: ${verified.error.message}`);
  const now: Checkpoint = verified.value;

  const heldNote = o.outbox.getMeta(HELD_CHECKPOINT_META);
  const held = heldNote === undefined ? undefined : parseCheckpoint(heldNote.slice(0, heldNote.indexOf('\n\n') + 1));
  if (held && !held.ok) throw new Error(`the held checkpoint does not parse: ${held.error.message}`);
  const before = held?.value;
  if (before) {
    if (now.size < before.size) throw new AuditFailure('LOG_ROLLED_BACK', `the log signs size ${now.size}, but signed size ${before.size} before`);
    if (now.size === before.size) {
      if (toHex(now.root) !== toHex(before.root)) throw new AuditFailure('LOG_FORKED', `two roots signed for size ${now.size}`);
    } else if (before.size > 0) {
      const proof = await fetchHashes(get, `${base}/api/v1/log/consistency?from=${before.size}&to=${now.size}`, 'LOG_FORKED');
      const ok = verifyConsistency(before.size, now.size, before.root, now.root, proof);
      if (!ok.ok) throw new AuditFailure('LOG_FORKED', `size ${now.size} does not extend size ${before.size}: ${ok.error.code}`);
    }
  }

  const receipts = o.outbox.unprovenReceipts(o.maxRecords ?? 1000);
  const proven: number[] = [];
  for (const { record, leaf } of receipts) {
    if (leaf >= now.size) continue; // acknowledged after this checkpoint: the next audit proves it
    const proof = await fetchHashes(get, `${base}/api/v1/log/inclusion?index=${leaf}&size=${now.size}`, 'RECORD_NOT_IN_LOG', { seq: record.seq, leaf });
    const ok = verifyInclusion(leaf, now.size, recordLeafHash(record), proof, now.root);
    if (!ok.ok) throw new AuditFailure('RECORD_NOT_IN_LOG', `record ${record.seq} is not leaf ${leaf} of the tree of size ${now.size}: ${ok.error.code}`, { seq: record.seq, leaf });
    proven.push(record.seq);
  }
  o.outbox.markProven(proven, now.size);
  o.outbox.setMeta(HELD_CHECKPOINT_META, note);
  return { ok: true, size: now.size, root: toHex(now.root), previousSize: before?.size ?? 0, proven: proven.length, waiting: receipts.length - proven.length };
}

/** A GET; no answer at all (network, timeout) is LOG_UNREACHABLE. */
async function request(get: typeof fetch, url: string): Promise<Response> {
  try {
    return await get(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new AuditFailure('LOG_UNREACHABLE', `GET ${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
  }
}

async function fetchText(get: typeof fetch, url: string): Promise<string> {
  const r = await request(get, url);
  if (!r.ok) throw new AuditFailure('LOG_UNREACHABLE', `GET ${url}: ${r.status}`);
  return r.text();
}

/** A proof's hashes; a 4xx (the log refuses a proof it must give) is the caller's alarm, a 5xx is not. */
async function fetchHashes(get: typeof fetch, url: string, refused: AuditFailureCode, at: { seq?: number; leaf?: number } = {}): Promise<Hash[]> {
  const r = await request(get, url);
  if (r.status >= 400 && r.status < 500) throw new AuditFailure(refused, `GET ${url}: ${r.status} ${(await r.text()).slice(0, 200)}`, at);
  if (!r.ok) throw new AuditFailure('LOG_UNREACHABLE', `GET ${url}: ${r.status}`);
  const body = (await r.json().catch(() => ({}))) as { hashes?: unknown };
  const hashes = Array.isArray(body.hashes) ? body.hashes.map((h) => (typeof h === 'string' ? fromBase64(h) : undefined)) : [undefined];
  if (hashes.some((h) => h === undefined)) throw new AuditFailure(refused, `GET ${url}: not a proof`, at);
  return hashes as Hash[];
}
