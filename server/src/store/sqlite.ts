/**
 * The embedded store: drizzle over better-sqlite3, one file, WAL, one writer. The dialect-free queries
 * (queries/, one file per aggregate) do most of the work; what is SQLite's own is here: every write is a
 * synchronous better-sqlite3 transaction (they cannot span an await), and the hot path (the group
 * commit, the bag projection's writes, the log's edge) runs prepared statements (sqlite-statements.ts).
 * Migrations from server/drizzle/sqlite/ are applied on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, eq, getTableColumns, inArray, lte, sql, type Column } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { nodeKey, type Hash } from '@wastetrail/firmware-protocol';
import type { AppendOutcome, CustodyStore, NewRecord, RecordBatch, StoredEvent, StoredRecord } from './repository.ts';
import { DEFAULT_QUARANTINE_PAYLOAD_LIMIT } from './repository.ts';
import * as schema from './schema.sqlite.ts';
import { edgeOf, logAppend } from './log-append.ts';
import { hotStatements, type HotStatements } from './sqlite-statements.ts';
import type { DialectTime } from './dashboard-rows.ts';
import { chunks, type Dialect, type Queries, type QueryDb, type Tables, type Write } from './queries/context.ts';
import { revokedKeys } from './queries/devices.ts';
import { sharedQueries } from './queries/index.ts';
import { asBuffer, correctionTarget, quarantineInserts, storedEventColumns, storedEventFromRow, storedRecordFromRow, vehicleSpanOf } from './queries/records.ts';
import { bagFromRow, bagRow, bagsInPlay, bagTagRows } from './queries/bags.ts';
import { trailOfStoredText } from './trail-column.ts';

export const SQLITE_MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));

/** Trails read per statement by the rule tick's stream (eachBagTrailInPlay); the API gets its turn between chunks. */
const TRAIL_CHUNK = 500;

/** Tags per eventsForTags statement. */
const TAGS_PER_READ = 500;

/** Records sequenced per transaction when an upgraded store puts its older records in the log. */
const BACKLOG_CHUNK = 1000;

export interface SqliteStoreOptions {
  /**
   * `normal` (default): a commit survives a crash of the server process, but a power cut or OS crash
   * may undo the last transactions since the WAL was synced (docs/server/storage.md explains why that
   * is tolerable). `full`: every commit is synced to disk before its ack goes out.
   */
  synchronous?: 'normal' | 'full';
  quarantinePayloadLimit?: number;
}

export type SqliteDatabase = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface SqliteStore extends CustodyStore {
  /** The drizzle handle, for queries the repository does not name yet (tests, the later API). */
  readonly db: SqliteDatabase;
  readonly file: string;
}

/** Opens (creating if needed) a store file and brings its schema up to date. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const client = new Database(file);
  try {
    client.pragma('journal_mode = WAL');
    client.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    client.pragma('foreign_keys = ON');
    // Other server processes (or a backup) may hold the write lock for a moment.
    client.pragma('busy_timeout = 5000');
    // Statement journals (every upsert into a table with triggers or several indexes opens one) in memory,
    // not in temp files: on the bag upsert they cost more system time than SQLite's own work (docs/performance.md).
    client.pragma('temp_store = MEMORY');
    const db = drizzle({ client, schema });
    migrate(db, { migrationsFolder: SQLITE_MIGRATIONS_DIR });
    const hot = hotStatements(client);
    sequenceBacklog(db, hot);
    return sqliteStore(db, hot, file, options.quarantinePayloadLimit ?? DEFAULT_QUARANTINE_PAYLOAD_LIMIT);
  } catch (err) {
    client.close();
    throw err;
  }
}

const t = schema;

/** Runs a drizzle SQLite builder now, inside the synchronous transaction it was built in. */
const runNow = (write: Write): void => void (write as unknown as { run(): unknown }).run();

/** Times are RFC 3339 text; julianday() reads them as instants. */
const SQLITE_TIME: DialectTime = {
  hoursBetween: (from, to) => sql`((julianday(${to}) - julianday(${from})) * 24)`,
  atOrBefore: (column, iso) => sql`julianday(${column}) <= julianday(${iso})`,
  localDay: (column, offsetMinutes) => sql`date(${column}, ${`${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes} minutes`})`,
  count: (expr) => sql<number>`cast(${expr} as integer)`,
};

function sqliteDialect(db: SqliteDatabase): Dialect {
  return {
    async writeAll(build) {
      db.transaction((tx) => {
        for (const write of build(tx as unknown as QueryDb)) runNow(write);
      }, { behavior: 'immediate' });
    },
    greatest: (a: Column, b: unknown) => sql`max(${a}, ${b})`,
    // Sums of grams fit SQLite's (64-bit) integers; its timestamps are subtracted as Julian days.
    gramsType: 'integer',
    handedOverWithin48h: (b) => sql<number>`cast(sum(case when ${b.pickedUpAt} is not null and (julianday(${b.pickedUpAt}) - julianday(${b.sealedAt})) * 86400 <= 172800.001 then 1 else 0 end) as integer)`,
    inChunk: 500,
    // Keeps an OR-of-ANDs well under SQLite's expression depth limit.
    time: SQLITE_TIME,
    pairChunk: 100,
  };
}

function sqliteStore(db: SqliteDatabase, hot: HotStatements, file: string, quarantineLimit: number): SqliteStore {
  const q: Queries = { db: db as unknown as QueryDb, t: schema as unknown as Tables, dialect: sqliteDialect(db) };
  const trailsByRowid = db.$client
    .prepare(`select trail from bags where rowid in (${Array.from({ length: TRAIL_CHUNK }, () => '?').join(', ')}) and trail is not null order by rowid`)
    .pluck();
  const correcting = and(eq(t.records.device, t.recordCorrections.device), eq(t.records.seq, t.recordCorrections.seq));
  const targetIs = and(eq(t.recordCorrections.targetDevice, sql.placeholder('device')), eq(t.recordCorrections.targetSeq, sql.placeholder('seq')));
  const correctionsOf = db.select({ record: t.records }).from(t.recordCorrections).innerJoin(t.records, correcting).where(targetIs).prepare();
  // Prepared once: a trail read finds its bag by a tag, then the records of each of its tags (building
  // these queries on every read was ~11 % of the trail bench's CPU).
  const { trail: _trail, ...bagColumns } = getTableColumns(t.bags);
  const bagOfTag = db
    .select(bagColumns)
    .from(t.bagTags)
    .innerJoin(t.bags, eq(t.bags.bag, t.bagTags.bag))
    .where(eq(t.bagTags.tag, sql.placeholder('tag')))
    .orderBy(sql`case when ${t.bags.bag} = ${sql.placeholder('tag')} then 0 else 1 end`, sql`${t.bags.sealedAt} asc nulls last`, asc(t.bags.bag))
    .limit(1)
    .prepare();
  const recordsOfTag = db
    .select({ record: t.records })
    .from(t.recordTags)
    .innerJoin(t.records, and(eq(t.records.device, t.recordTags.device), eq(t.records.seq, t.recordTags.seq)))
    .where(eq(t.recordTags.tag, sql.placeholder('tag')))
    .prepare();
  // The bag projection's reads, after every commit: the same rows without their blobs. All of a commit's
  // tags go in one statement (a JSON array of them): one statement per tag took twice the CPU.
  const eventsOfTags = db
    .select(storedEventColumns(t.records))
    .from(t.recordTags)
    .innerJoin(t.records, and(eq(t.records.device, t.recordTags.device), eq(t.records.seq, t.recordTags.seq)))
    .where(inArray(t.recordTags.tag, sql`(select value from json_each(${sql.placeholder('tags')}))`))
    .prepare();
  const correctionEventsOf = db.select(storedEventColumns(t.records)).from(t.recordCorrections).innerJoin(t.records, correcting).where(targetIs).prepare();
  // Every trail the API shows: each record's log leaf, and the staff registry's names of its badges.
  const leafOf = db
    .select({ index: t.logLeaves.index })
    .from(t.logLeaves)
    .where(and(eq(t.logLeaves.device, sql.placeholder('device')), eq(t.logLeaves.seq, sql.placeholder('seq'))))
    .prepare();
  const staffOfBadges = db
    .select()
    .from(t.staffBadges)
    .where(inArray(t.staffBadges.badge, sql`(select value from json_each(${sql.placeholder('badges')}))`))
    .orderBy(asc(t.staffBadges.badge))
    .prepare();
  let closed = false;

  return {
    db,
    file,
    ...sharedQueries(q, {
      quarantineLimit,
      revokeKey: async (device, kid, at) =>
        db.transaction(
          (tx) => {
            const row = tx.select({ keys: t.devices.keys }).from(t.devices).where(eq(t.devices.id, device)).get();
            const keys = row && revokedKeys(row.keys, kid, at);
            if (keys) tx.update(t.devices).set({ keys }).where(eq(t.devices.id, device)).run();
            return keys !== undefined;
          },
          { behavior: 'immediate' },
        ),
    }),

    async appendRecords(batch: RecordBatch): Promise<AppendOutcome> {
      return db.transaction(
        (tx) => {
          const outcome: AppendOutcome = { stored: 0, duplicates: [], conflicts: [], acks: [], leaves: [] };
          const fresh: NewRecord[] = [];
          for (const r of batch.records) {
            const inserted = hot.insertRecord({ ...r, bytes: asBuffer(r.bytes), signature: asBuffer(r.signature) }).changes > 0;
            if (!inserted) {
              const storedHash = hot.storedHash(r.device, r.seq);
              if (storedHash === r.hash) outcome.duplicates.push({ device: r.device, seq: r.seq });
              else outcome.conflicts.push({ device: r.device, seq: r.seq, hash: r.hash, storedHash: storedHash ?? '' });
              continue;
            }
            outcome.stored++;
            fresh.push(r);
            for (const tag of new Set(r.tags)) hot.insertRecordTag({ tag, device: r.device, seq: r.seq });
            const span = vehicleSpanOf(r.type, r.body, r.deviceTime);
            if (span) tx.insert(t.vehicleTrackRecords).values({ ...span, device: r.device, seq: r.seq }).onConflictDoNothing().run();
            const target = correctionTarget(r.type, r.body);
            if (target) hot.insertCorrection({ targetDevice: target.device, targetSeq: target.seq, device: r.device, seq: r.seq });
          }
          outcome.leaves = sequence(hot, fresh);
          for (const write of quarantineInserts(tx as unknown as QueryDb, q.t, batch.quarantine, quarantineLimit)) runNow(write);
          for (const ack of batch.acks) {
            // An ack must name a record that is stored with that hash, whoever stored it.
            if (hot.storedHash(ack.device, ack.seq) !== ack.hash) continue;
            if (hot.recordAck({ device: ack.device, ackedSeq: ack.seq, ackedHash: ack.hash }).changes > 0) outcome.acks.push(ack);
          }
          for (const { device, at } of batch.seen ?? []) hot.recordSeen({ device, lastSeenAt: at });
          return outcome;
        },
        { behavior: 'immediate' },
      );
    },

    async bagByTag(tag) {
      const row = bagOfTag.get({ tag });
      return row && bagFromRow(row);
    },

    async recordsForTags(tags) {
      const found = new Map<number, StoredRecord>();
      for (const tag of new Set(tags)) for (const r of recordsOfTag.all({ tag })) found.set(r.record.id, storedRecordFromRow(r.record));
      return [...found.values()].sort((a, b) => a.id - b.id);
    },

    async logIndexes(records) {
      return records.map((r) => leafOf.get({ device: r.device, seq: r.seq })?.index);
    },

    async staffByBadges(badges) {
      return badges.length === 0 ? [] : staffOfBadges.all({ badges: JSON.stringify([...new Set(badges)]) });
    },

    async eventsForTags(tags) {
      const found = new Map<number, StoredEvent>();
      for (const part of chunks([...new Set(tags)], TAGS_PER_READ)) for (const r of eventsOfTags.all({ tags: JSON.stringify(part) })) found.set(r.id, storedEventFromRow(r));
      return [...found.values()].sort((a, b) => a.id - b.id);
    },

    async eachBagTrailInPlay(since, visit) {
      // The bags are found on the indexes alone (a multi-index OR) and their trails read in rowid order
      // (in index order they took twice as long, jumping about the table), a chunk at a time, handing the
      // event loop back between chunks: at 100,000 bags one synchronous read held the API for seconds.
      const inPlayRows = db.select({ rowid: sql`rowid` }).from(t.bags).where(bagsInPlay(t.bags, since)).toSQL();
      const rowids = (db.$client.prepare(inPlayRows.sql).pluck().all(...inPlayRows.params) as number[]).sort((a, b) => a - b);
      let visited = 0;
      for (let i = 0; i < rowids.length; i += TRAIL_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = rowids.slice(i, i + TRAIL_CHUNK);
        while (chunk.length < TRAIL_CHUNK) chunk.push(-1); // no bag has rowid -1: the statement keeps one shape
        for (const text of trailsByRowid.all(...chunk) as string[]) {
          visit(trailOfStoredText(text));
          visited++;
        }
      }
      return visited;
    },

    async correctionsFor(targets) {
      const found = new Map<number, StoredRecord>();
      for (const { device, seq } of targets) {
        for (const r of correctionsOf.all({ device, seq })) found.set(r.record.id, storedRecordFromRow(r.record));
      }
      return [...found.values()].sort((a, b) => a.id - b.id);
    },

    async correctionEventsFor(targets) {
      const found = new Map<number, StoredEvent>();
      for (const { device, seq } of targets) for (const r of correctionEventsOf.all({ device, seq })) found.set(r.id, storedEventFromRow(r));
      return [...found.values()].sort((a, b) => a.id - b.id);
    },

    async upsertBags(bags, options = {}) {
      const keep = new Set(bags.map((b) => b.bag));
      const remove = (options.remove ?? []).filter((b) => !keep.has(b));
      db.$client
        .transaction(() => {
          for (const bag of remove) hot.deleteBag.run(bag);
          for (const b of bags) {
            hot.upsertBag(bagRow(b));
            hot.deleteBagTags.run(b.bag);
            for (const row of bagTagRows(b)) hot.insertBagTag(row);
          }
        })
        .immediate();
    },

    async logSize() {
      return hot.logSize();
    },

    async logNodes(nodes) {
      const found = new Map<string, Hash>();
      for (const n of nodes) {
        const h = n.level === 0 ? hot.leafHash(n.index) : hot.nodeHash(n.level, n.index);
        if (h) found.set(nodeKey(n), new Uint8Array(h));
      }
      return found;
    },

    async insertInspection(i, findings) {
      return db.transaction(
        (tx) => {
          const inspection = tx.insert(t.inspections).values(i).returning().get();
          const violations = findings.map((v) => tx.insert(t.violations).values({ ...v, inspectionId: inspection.id }).returning().get());
          return { inspection, violations };
        },
        { behavior: 'immediate' },
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      db.$client.close();
    },
  };
}

/** Appends leaves for newly stored records, in the caller's transaction (BEGIN IMMEDIATE: the one writer); returns them. */
function sequence(hot: HotStatements, records: ReadonlyArray<Pick<NewRecord, 'device' | 'seq' | 'hash' | 'signature'>>): AppendOutcome['leaves'] {
  if (records.length === 0) return [];
  const size = hot.logSize();
  const edge = edgeOf(size).map((n) => (n.level === 0 ? hot.leafHash(n.index) : hot.nodeHash(n.level, n.index))!);
  const append = logAppend(size, edge, records);
  for (const l of append.leaves) hot.insertLeaf({ ...l, entry: asBuffer(l.entry), leafHash: asBuffer(l.leafHash) });
  for (const n of append.nodes) hot.insertNode({ ...n, hash: asBuffer(n.hash) });
  hot.setLogSize.run(append.size);
  return append.leaves.map(({ device, seq, index }) => ({ device, seq, index }));
}

/**
 * Records stored before the log existed (an upgraded store; the migration noted up to which id) become
 * its first leaves, in acceptance order, a chunk per transaction; then the note is cleared.
 */
function sequenceBacklog(db: SqliteDatabase, hot: HotStatements): void {
  const r = t.records;
  const step = () => {
    const through = db.select({ id: t.logHead.backlogThrough }).from(t.logHead).get()!.id;
    if (through === 0) return false;
    const unlogged = db
      .select({ device: r.device, seq: r.seq, hash: r.hash, signature: r.signature })
      .from(r)
      .where(and(lte(r.id, through), sql`not exists (select 1 from ${t.logLeaves} where ${t.logLeaves.device} = ${r.device} and ${t.logLeaves.seq} = ${r.seq})`))
      .orderBy(asc(r.id))
      .limit(BACKLOG_CHUNK)
      .all();
    if (unlogged.length === 0) db.update(t.logHead).set({ backlogThrough: 0 }).run();
    else sequence(hot, unlogged);
    return unlogged.length > 0;
  };
  while (db.transaction(step, { behavior: 'immediate' }));
}
