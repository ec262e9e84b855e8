/**
 * A bag's records as the store holds them, re-verified: every record naming one of its tags, those
 * naming a turnover box it was packed into, and the corrections of any of them. Each record's stored
 * bytes are checked again with firmware-protocol's verifyRecord against the store's keyring (the one
 * definition of valid), and only records that pass go into the trail. The trail API, the audit bundle
 * and the handover register all read a bag through here.
 */
import { nodeEd25519Verify, rememberingEd25519Verify, verifyRecord, type Keyring, type RecordErrorCode } from '@wastetrail/firmware-protocol';
import { reconstructTrail, toTrailRecord, type BagTrail, type TrailRecord } from '../custody/index.ts';
import type { CustodyStore, StoredRecord } from '../store/index.ts';

/** Stored bytes that no longer hash to the stored hash: the row was changed after it was accepted. */
export const STORED_HASH_MISMATCH = 'STORED_HASH_MISMATCH';

export interface CheckedRecord {
  stored: StoredRecord;
  /** The signature, the key and the bytes verify against the keyring, and hash to the stored hash. */
  verified: boolean;
  error?: { code: RecordErrorCode | typeof STORED_HASH_MISMATCH; message: string };
  /** Present when verified. */
  trailRecord?: TrailRecord;
}

export interface LoadedBag {
  /** The tag the bag was asked for. */
  lookupTag: string;
  trail: BagTrail;
  /** Every record collected, in acceptance order, with its verification. */
  records: CheckedRecord[];
}

/** Box packing rounds: a box may hold a box, but never deeper than this in practice. */
const MAX_TAG_ROUNDS = 4;

/**
 * Collects the stored records concerning a bag. `tags` are the tags already known for it (the
 * projection's), else just the looked-up tag; the sealing record adds any other tag of the bag, and
 * packing records the boxes it travelled in.
 */
export async function collectBagRecords(store: CustodyStore, lookupTag: string, tags: readonly string[] = [lookupTag]): Promise<StoredRecord[]> {
  const known = new Set<string>([lookupTag, ...tags]);
  const byKey = new Map<string, StoredRecord>();
  let pending = [...known];
  for (let round = 0; pending.length > 0 && round < MAX_TAG_ROUNDS; round++) {
    const found = await store.recordsForTags(pending);
    pending = [];
    for (const r of found) {
      byKey.set(`${r.device}\n${r.seq}`, r);
      for (const t of relatedTags(r, known)) {
        if (known.has(t)) continue;
        known.add(t);
        pending.push(t);
      }
    }
  }
  const named = [...byKey.values()];
  if (named.length > 0) {
    for (const c of await store.correctionsFor(named.map((r) => ({ device: r.device, seq: r.seq })))) byKey.set(`${c.device}\n${c.seq}`, c);
  }
  return [...byKey.values()].sort((a, b) => a.id - b.id);
}

/** Other tags a record shows to belong with ours: the sealing record's tags, the box a bag of ours was packed into. */
function relatedTags(r: StoredRecord, ours: ReadonlySet<string>): string[] {
  const body = r.body as { tags?: unknown; box?: unknown; bags?: unknown; action?: unknown } | null;
  if (!body || typeof body !== 'object') return [];
  if (r.type === 'sealed' && Array.isArray(body.tags) && body.tags.some((t) => ours.has(t as string))) return body.tags.filter((t): t is string => typeof t === 'string');
  if (r.type === 'aggregated' && body.action === 'pack' && typeof body.box === 'string' && Array.isArray(body.bags) && body.bags.some((t) => ours.has(t as string))) {
    return [body.box];
  }
  return [];
}

/**
 * The Ed25519 check of stored records, remembering the signatures it found valid (by key, signature and
 * bytes together: docs/server/api.md, "Why every read verifies again"). 50,000 of them (~8,000 bags of six
 * records, a few MB) keep the bags being handled in memory.
 */
const checkSignature = rememberingEd25519Verify(nodeEd25519Verify, 50_000);

/** Re-verifies stored records against the keyring: nothing read back from the store is trusted unchecked. */
export function checkStoredRecords(records: readonly StoredRecord[], keyring: Keyring): CheckedRecord[] {
  return records.map((stored) => {
    const v = verifyRecord({ bytes: stored.bytes, signature: stored.signature }, { keyring, ed25519Verify: checkSignature });
    if (!v.ok) return { stored, verified: false, error: { code: v.error.code, message: v.error.message } };
    if (v.value.hash !== stored.hash || v.value.record.device !== stored.device || v.value.record.seq !== stored.seq) {
      return { stored, verified: false, error: { code: STORED_HASH_MISMATCH, message: `the stored bytes hash to ${v.value.hash.slice(0, 16)}..., not to the stored hash ${stored.hash.slice(0, 16)}...` } };
    }
    const device = keyring.devices.get(v.value.record.device)!;
    return { stored, verified: true, trailRecord: toTrailRecord(v.value, device) };
  });
}

/** A bag's trail from its verified records; undefined when no record names the tag. */
export async function loadBag(store: CustodyStore, lookupTag: string, keyring: Keyring): Promise<LoadedBag | undefined> {
  // The projection knows the bag's id and all its tags; without it, the tag itself is the way in.
  const summary = await store.bagByTag(lookupTag);
  const bagId = summary?.bag ?? lookupTag;
  const stored = await collectBagRecords(store, bagId, summary?.tags ?? [lookupTag]);
  if (stored.length === 0) return undefined;
  const records = checkStoredRecords(stored, keyring);
  const trail = reconstructTrail(
    records.flatMap((r) => (r.trailRecord ? [r.trailRecord] : [])),
    bagId,
  );
  return { lookupTag, trail, records };
}
