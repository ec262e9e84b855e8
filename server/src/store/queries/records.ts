/**
 * Accepted records and what ingest refused (RecordStore, QuarantineStore). appendRecords, the group
 * commit, is each dialect's own (sqlite.ts, pg.ts); the reads and the quarantine rows are here.
 */
import { and, asc, desc, eq, gt, gte, inArray, or, type SQL } from 'drizzle-orm';
import type { EventBody, EventType } from '@wastetrail/firmware-protocol';
import type { NewQuarantineEntry, QuarantineStore, RecordStore, StoredEvent, StoredRecord } from '../repository.ts';
import { chunks, conjunction, countAll, INSERT_CHUNK, type QueryTx, type Queries, type Tables, type Write } from './context.ts';

/**
 * The record reads. correctionsFor here is drizzle's, in OR-of-ANDs chunks; the SQLite store replaces
 * it with one prepared statement per target (the bag projection asks it after every commit).
 */
export function recordQueries({ db, t, dialect }: Queries): Omit<RecordStore, 'appendRecords'> {
  const r = t.records;
  const c = t.recordCorrections;
  const tagged = and(eq(r.device, t.recordTags.device), eq(r.seq, t.recordTags.seq));
  const correcting = and(eq(r.device, c.device), eq(r.seq, c.seq));
  /** The corrections of the targets, read a chunk of targets at a time (whole records or events), once each, in acceptance order. */
  async function eachCorrection<T extends { id: number }>(targets: ReadonlyArray<{ device: string; seq: number }>, read: (targeting: SQL) => Promise<T[]>): Promise<T[]> {
    const found = new Map<number, T>();
    for (const part of chunks(targets, dialect.pairChunk)) {
      for (const row of await read(or(...part.map((p) => and(eq(c.targetDevice, p.device), eq(c.targetSeq, p.seq))))!)) found.set(row.id, row);
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }
  return {
    async headOf(device) {
      const [head] = await db.select({ seq: r.seq, hash: r.hash }).from(r).where(eq(r.device, device)).orderBy(desc(r.seq)).limit(1);
      return head;
    },

    async recordAt(device, seq) {
      const [row] = await db
        .select()
        .from(r)
        .where(and(eq(r.device, device), eq(r.seq, seq)));
      return row && storedRecordFromRow(row);
    },

    async recordsForTags(tags) {
      if (tags.length === 0) return [];
      const rows = await db.selectDistinct({ record: r }).from(t.recordTags).innerJoin(r, tagged).where(inArray(t.recordTags.tag, [...tags])).orderBy(asc(r.id));
      return rows.map((row) => storedRecordFromRow(row.record));
    },

    async eventsForTags(tags) {
      if (tags.length === 0) return [];
      const rows = await db.selectDistinct(storedEventColumns(r)).from(t.recordTags).innerJoin(r, tagged).where(inArray(t.recordTags.tag, [...tags])).orderBy(asc(r.id));
      return rows.map(storedEventFromRow);
    },

    async recordsOfDevice(device, fromSeq, limit) {
      const rows = await db
        .select()
        .from(r)
        .where(and(eq(r.device, device), gte(r.seq, fromSeq)))
        .orderBy(asc(r.seq))
        .limit(limit);
      return rows.map(storedRecordFromRow);
    },

    async recordsAfter(afterId, limit) {
      const rows = await db.select().from(r).where(gt(r.id, afterId)).orderBy(asc(r.id)).limit(limit);
      return rows.map(storedRecordFromRow);
    },

    async countRecords() {
      const [row] = await db.select({ n: countAll }).from(r);
      return row!.n;
    },

    correctionsFor: (targets) =>
      eachCorrection(targets, async (targeting) => (await db.select({ record: r }).from(c).innerJoin(r, correcting).where(targeting)).map((row) => storedRecordFromRow(row.record))),

    correctionEventsFor: (targets) => eachCorrection(targets, async (targeting) => (await db.select(storedEventColumns(r)).from(c).innerJoin(r, correcting).where(targeting)).map(storedEventFromRow)),
  };
}

export function quarantineQueries({ db, t, dialect }: Queries, payloadLimit: number): QuarantineStore {
  const q = t.quarantine;
  return {
    async quarantine(entries) {
      await dialect.writeAll((tx) => quarantineInserts(tx, t, entries, payloadLimit));
    },

    async quarantined(filter = {}) {
      const where = conjunction([filter.device !== undefined ? eq(q.device, filter.device) : undefined, filter.code !== undefined ? eq(q.code, filter.code) : undefined]);
      const rows = await db.select().from(q).where(where).orderBy(asc(q.id)).limit(filter.limit ?? 1000);
      return rows.map((row) => ({
        id: row.id,
        receivedAt: row.receivedAt,
        ...(row.topic !== null ? { topic: row.topic } : {}),
        code: row.code,
        message: row.message,
        ...(row.device !== null ? { device: row.device } : {}),
        ...(row.seq !== null ? { seq: row.seq } : {}),
        payload: new Uint8Array(row.payload),
        payloadBytes: row.payloadBytes,
      }));
    },
  };
}

/** The inserts that quarantine `entries` (payloads cut to `payloadLimit`), for the caller's transaction: quarantine() and each group commit. */
export function quarantineInserts(tx: QueryTx, t: Tables, entries: readonly NewQuarantineEntry[], payloadLimit: number): Write[] {
  return chunks(entries, INSERT_CHUNK).map((part) =>
    tx.insert(t.quarantine).values(
      part.map((q) => ({
        receivedAt: q.receivedAt,
        topic: q.topic ?? null,
        code: q.code,
        message: q.message,
        device: q.device ?? null,
        seq: q.seq ?? null,
        payload: asBuffer(q.payload.subarray(0, payloadLimit)),
        payloadBytes: q.payloadBytes,
      })),
    ),
  );
}

/** A Buffer over the same memory (both drivers bind Buffers as blobs). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---- Rows ----

/** The record a correction targets, read from its body (appendRecords indexes it in record_corrections). */
export function correctionTarget(type: string, body: unknown): { device: string; seq: number } | undefined {
  if (type !== 'correction' || typeof body !== 'object' || body === null) return undefined;
  const target = (body as { target?: unknown }).target;
  if (typeof target !== 'object' || target === null) return undefined;
  const { device, seq } = target as { device?: unknown; seq?: unknown };
  return typeof device === 'string' && typeof seq === 'number' ? { device, seq } : undefined;
}

/**
 * The vehicle a `track` or `door` record is about and the time it covers (appendRecords indexes it in
 * vehicle_track_records): a track from its first fix to its last (the record's own time when it holds
 * none), a door event at its moment. Verified bodies only reach here, so the shape is the format's.
 */
export function vehicleSpanOf(type: string, body: unknown, deviceTime: string): { vehicle: string; fromTime: string; toTime: string } | undefined {
  if (type === 'door') {
    const b = body as EventBody<'door'>;
    return { vehicle: b.vehicle, fromTime: b.at, toTime: b.at };
  }
  if (type !== 'track') return undefined;
  const b = body as EventBody<'track'>;
  const times = [...b.fixes.map((f) => f.at), ...b.temperatures.map((x) => x.at)].sort();
  return { vehicle: b.vehicle, fromTime: times[0] ?? deviceTime, toTime: times.at(-1) ?? deviceTime };
}

type StoredEventKey = keyof StoredEvent;

/** The records columns a StoredEvent is read from (a select of them leaves the blobs in the store); either dialect's table. */
export function storedEventColumns<R extends Record<StoredEventKey, unknown>>(r: R): Pick<R, StoredEventKey> {
  return { id: r.id, device: r.device, seq: r.seq, hash: r.hash, deviceTime: r.deviceTime, type: r.type, body: r.body };
}

export function storedEventFromRow(row: Omit<StoredEvent, 'type'> & { type: string }): StoredEvent {
  return { id: row.id, device: row.device, seq: row.seq, hash: row.hash, deviceTime: row.deviceTime, type: row.type as EventType, body: row.body };
}

/** A records row of either dialect (blobs come back as Buffers in both). */
export type RecordRow = Omit<StoredRecord, 'type'> & { type: string };

export function storedRecordFromRow(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    device: row.device,
    seq: row.seq,
    hash: row.hash,
    prev: row.prev,
    kid: row.kid,
    deviceTime: row.deviceTime,
    receivedAt: row.receivedAt,
    type: row.type as EventType,
    bytes: new Uint8Array(row.bytes),
    signature: new Uint8Array(row.signature),
    body: row.body,
  };
}
