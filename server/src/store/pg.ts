/**
 * The scale-out store: drizzle over node-postgres, the same CustodyStore as sqlite.ts. Several server
 * processes may share it: (device, seq) is unique, acks are recorded only for stored records, a second
 * unresolved alert with the same dedupe key is refused by the partial unique index, and alert writes
 * are conditional on the revision read. The dialect-free queries (queries/, one file per aggregate) do
 * most of the work; what is PostgreSQL's own is here: the group commit and the transactions that lock
 * rows (FOR UPDATE) before they write. Migrations from server/drizzle/pg/ are applied on open, into the
 * configured schema.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, asc, eq, lte, or, sql, type Column } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { nodeKey } from '@wastetrail/firmware-protocol';
import type { AppendOutcome, ConfirmedViolation, CustodyStore, NewRecord, RecordBatch } from './repository.ts';
import { DEFAULT_QUARANTINE_PAYLOAD_LIMIT } from './repository.ts';
import { edgeOf, logAppend } from './log-append.ts';
import * as schema from './schema.pg.ts';
import { literal, type DialectTime } from './dashboard-rows.ts';
import { chunks, INSERT_CHUNK, type Dialect, type Queries } from './queries/context.ts';
import { revokedKeys } from './queries/devices.ts';
import { sharedQueries } from './queries/index.ts';
import { readLogNodes } from './queries/log.ts';
import { asBuffer, correctionTarget, quarantineInserts, vehicleSpanOf } from './queries/records.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/pg', import.meta.url));

/** Records sequenced per transaction when an upgraded store puts its older records in the log. */
const BACKLOG_CHUNK = 1000;
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** (device, seq) pairs per OR of a read (the dialect's pairChunk). */
const PAIR_CHUNK = 200;
/** Any constant: serialises migrations between processes starting at once. */
const MIGRATION_LOCK = 0x77745f6d; // "wt_m"

export interface PgStoreOptions {
  /** postgres://user:password@host:5432/database */
  url: string;
  /** The schema to keep the tables in (created if missing). Default "public". */
  schema?: string;
  /** Connections in the pool. */
  poolSize?: number;
  quarantinePayloadLimit?: number;
}

export type PgDatabase = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface PgStore extends CustodyStore {
  readonly db: PgDatabase;
  readonly schema: string;
}

export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const schemaName = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schemaName)) throw new TypeError(`schema "${schemaName}" must be a lower-case SQL identifier`);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, options: `-c search_path=${schemaName}` });
  // A connection PostgreSQL ends (a restart, a failover, pg_terminate_backend) fails the query using it
  // and is dropped by the pool; unhandled, its 'error' event (on the pool when idle, on the connection
  // when checked out) would end the whole process.
  pool.on('error', () => {});
  pool.on('connect', (connection) => connection.on('error', () => {}));
  try {
    const db = drizzle({ client: pool, schema });
    await migratePg(db, schemaName);
    await sequenceBacklog(db);
    return pgStore(db, schemaName, options.quarantinePayloadLimit ?? DEFAULT_QUARANTINE_PAYLOAD_LIMIT);
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/**
 * Applies pending migrations, recording them as drizzle's migrator does (so drizzle-kit sees the same
 * history). drizzle-kit writes foreign keys as REFERENCES "public"."table"; for another schema they are
 * pointed at it, so the tables can live in any schema (a test's, or a shared database's).
 */
async function migratePg(db: PgDatabase, schemaName: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR });
  const id = sql.identifier;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.execute(sql`create schema if not exists ${id(schemaName)}`);
    await tx.execute(sql`create table if not exists ${id(schemaName)}.${id(MIGRATIONS_TABLE)} (id serial primary key, hash text not null, created_at bigint)`);
    const last = await tx.execute<{ created_at: string }>(sql`select created_at from ${id(schemaName)}.${id(MIGRATIONS_TABLE)} order by created_at desc limit 1`);
    const appliedUpTo = Number(last.rows[0]?.created_at ?? -1);
    for (const m of migrations) {
      if (m.folderMillis <= appliedUpTo) continue;
      for (const statement of m.sql) {
        const text = schemaName === 'public' ? statement : statement.replaceAll('"public".', `"${schemaName}".`);
        if (text.trim()) await tx.execute(sql.raw(text));
      }
      await tx.execute(sql`insert into ${id(schemaName)}.${id(MIGRATIONS_TABLE)} (hash, created_at) values (${m.hash}, ${m.folderMillis})`);
    }
  });
}

const t = schema;
/** Code-point order, the same in every process (localeCompare depends on the locale). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
type Tx = Parameters<Parameters<PgDatabase['transaction']>[0]>[0];

/** Times are RFC 3339 text; a cast to timestamptz reads them as instants. */
const PG_TIME: DialectTime = {
  hoursBetween: (from, to) => sql`(extract(epoch from (${to}::timestamptz - ${from}::timestamptz)) / 3600)`,
  atOrBefore: (column, iso) => sql`${column}::timestamptz <= ${iso}::timestamptz`,
  localDay: (column, offsetMinutes) => sql`to_char((${column}::timestamptz at time zone 'UTC') + ${literal(offsetMinutes)} * interval '1 minute', 'YYYY-MM-DD')`,
  count: (expr) => sql`(${expr})::int`.mapWith(Number),
};

function pgDialect(db: PgDatabase): Dialect {
  return {
    async writeAll(build) {
      await db.transaction(async (tx) => {
        for (const write of build(tx)) await write;
      });
    },
    greatest: (a: Column, b: unknown) => sql`greatest(${a}, ${b})`,
    // Sums of grams are bigint in PostgreSQL; its timestamps are cast to subtract them.
    gramsType: 'bigint',
    handedOverWithin48h: (b) =>
      sql<number>`cast(sum(case when ${b.pickedUpAt} is not null and extract(epoch from (cast(${b.pickedUpAt} as timestamptz) - cast(${b.sealedAt} as timestamptz))) <= 172800.001 then 1 else 0 end) as integer)`,
    inChunk: 1000,
    time: PG_TIME,
    pairChunk: PAIR_CHUNK,
  };
}

function pgStore(db: PgDatabase, schemaName: string, quarantineLimit: number): PgStore {
  const dialect = pgDialect(db);
  const q: Queries = { db, t, dialect };
  let closed = false;

  return {
    db,
    schema: schemaName,
    ...sharedQueries(q, {
      quarantineLimit,
      revokeKey: (device, kid, at) =>
        db.transaction(async (tx) => {
          const [row] = await tx.select({ keys: t.devices.keys }).from(t.devices).where(eq(t.devices.id, device)).for('update');
          const keys = row && revokedKeys(row.keys, kid, at);
          if (keys) await tx.update(t.devices).set({ keys }).where(eq(t.devices.id, device));
          return keys !== undefined;
      }),
    }),

    async appendRecords(batch: RecordBatch): Promise<AppendOutcome> {
      // Several processes may commit the same records (a resend reaching another process) and ack the same
      // devices: every transaction takes its row locks in one order, (device, seq) then device, so two of
      // them never wait on each other (a deadlock would abort one). Each device's records stay in chain order.
      const records = [...batch.records].sort((a, b) => compareText(a.device, b.device) || a.seq - b.seq);
      const { acks, seen = [] } = batch;
      return db.transaction(async (tx) => {
        const outcome: AppendOutcome = { stored: 0, duplicates: [], conflicts: [], acks: [], leaves: [] };
        const sequenced: NewRecord[] = [];
        for (const chunk of chunks(records, INSERT_CHUNK)) {
          const inserted = await tx
            .insert(t.records)
            .values(
              chunk.map((r) => ({
                device: r.device,
                seq: r.seq,
                hash: r.hash,
                prev: r.prev,
                kid: r.kid,
                deviceTime: r.deviceTime,
                receivedAt: r.receivedAt,
                type: r.type,
                bytes: asBuffer(r.bytes),
                signature: asBuffer(r.signature),
                body: r.body,
              })),
            )
            .onConflictDoNothing()
            .returning({ device: t.records.device, seq: t.records.seq });
          outcome.stored += inserted.length;
          const fresh = new Set(inserted.map((r) => `${r.device}\n${r.seq}`));
          const tags: Array<{ tag: string; device: string; seq: number }> = [];
          const corrections: Array<{ targetDevice: string; targetSeq: number; device: string; seq: number }> = [];
          const spans: Array<{ vehicle: string; fromTime: string; toTime: string; device: string; seq: number }> = [];
          const already = chunk.filter((r) => !fresh.has(`${r.device}\n${r.seq}`));
          const storedHashes = await storedHashesOf(tx, already);
          for (const r of chunk) {
            if (fresh.has(`${r.device}\n${r.seq}`)) {
              sequenced.push(r);
              for (const tag of new Set(r.tags)) tags.push({ tag, device: r.device, seq: r.seq });
              const target = correctionTarget(r.type, r.body);
              if (target) corrections.push({ targetDevice: target.device, targetSeq: target.seq, device: r.device, seq: r.seq });
              const span = vehicleSpanOf(r.type, r.body, r.deviceTime);
              if (span) spans.push({ ...span, device: r.device, seq: r.seq });
              continue;
            }
            const storedHash = storedHashes.get(`${r.device}\n${r.seq}`);
            if (storedHash === r.hash) outcome.duplicates.push({ device: r.device, seq: r.seq });
            else outcome.conflicts.push({ device: r.device, seq: r.seq, hash: r.hash, storedHash: storedHash ?? '' });
          }
          for (const part of chunks(tags, INSERT_CHUNK)) await tx.insert(t.recordTags).values(part).onConflictDoNothing();
          for (const part of chunks(corrections, INSERT_CHUNK)) await tx.insert(t.recordCorrections).values(part).onConflictDoNothing();
          for (const part of chunks(spans, INSERT_CHUNK)) await tx.insert(t.vehicleTrackRecords).values(part).onConflictDoNothing();
        }
        outcome.leaves = await sequence(tx, dialect, sequenced);
        for (const write of quarantineInserts(tx, t, batch.quarantine, quarantineLimit)) await write;
        outcome.acks = await recordAcksAndSightings(tx, acks, seen);
        return outcome;
      });
    },

    async insertInspection(i, findings) {
      return db.transaction(async (tx) => {
        const [inspection] = await tx.insert(t.inspections).values(i).returning();
        const violations: ConfirmedViolation[] = [];
        for (const v of findings) violations.push((await tx.insert(t.violations).values({ ...v, inspectionId: inspection!.id }).returning())[0]!);
        return { inspection: inspection!, violations };
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await db.$client.end();
    },
  };
}

/**
 * Acks (each only of a record stored with the hash acked, and never moving a device's recorded ack
 * backwards: several processes may ack the same device) and sightings, in two statements whatever the
 * number of devices: the acked records' hashes in one read, then every device's device_status row in one
 * upsert, in device order (the lock order above; one statement, so acks and sightings of one device do
 * not take its row at two points of the order). Returns the acks recorded.
 */
async function recordAcksAndSightings(tx: Tx, acks: RecordBatch['acks'], seen: NonNullable<RecordBatch['seen']>): Promise<AppendOutcome['acks']> {
  const ackOf = new Map(acks.map((a) => [a.device, a]));
  const seenAt = new Map(seen.map((x) => [x.device, x.at]));
  const stored = await storedHashesOf(tx, [...ackOf.values()]);
  const rows = [...new Set([...ackOf.keys(), ...seenAt.keys()])].sort(compareText).flatMap((device) => {
    const ack = ackOf.get(device);
    const valid = ack !== undefined && stored.get(`${ack.device}\n${ack.seq}`) === ack.hash;
    const at = seenAt.get(device);
    return valid || at !== undefined ? [{ device, ackedSeq: valid ? ack.seq : null, ackedHash: valid ? ack.hash : null, lastSeenAt: at ?? null }] : [];
  });
  if (rows.length === 0) return [];
  const ds = t.deviceStatus;
  const excluded = (c: Column) => sql.raw(`excluded."${c.name}"`);
  const moves = sql`${excluded(ds.ackedSeq)} is not null and (${ds.ackedSeq} is null or ${ds.ackedSeq} <= ${excluded(ds.ackedSeq)})`;
  const written = await tx
    .insert(ds)
    .values(rows)
    .onConflictDoUpdate({
      target: ds.device,
      set: {
        ackedSeq: sql`case when ${moves} then ${excluded(ds.ackedSeq)} else ${ds.ackedSeq} end`,
        ackedHash: sql`case when ${moves} then ${excluded(ds.ackedHash)} else ${ds.ackedHash} end`,
        lastSeenAt: sql`coalesce(${excluded(ds.lastSeenAt)}, ${ds.lastSeenAt})`,
      },
    })
    .returning({ device: ds.device, ackedSeq: ds.ackedSeq, ackedHash: ds.ackedHash });
  // Recorded: the row now holds this ack (another process's further ack wins, and this one is not reported).
  const now = new Map(written.map((w) => [w.device, w]));
  return rows.flatMap((r) => {
    const ack = ackOf.get(r.device);
    const row = now.get(r.device);
    return ack && r.ackedSeq !== null && row?.ackedSeq === ack.seq && row.ackedHash === ack.hash ? [ack] : [];
  });
}

/** The hashes stored at these (device, seq), in the caller's transaction, one read per PAIR_CHUNK: "device\nseq" -> hash. */
async function storedHashesOf(tx: Tx, refs: ReadonlyArray<{ device: string; seq: number }>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const r = t.records;
  for (const part of chunks(refs, PAIR_CHUNK)) {
    const rows = await tx
      .select({ device: r.device, seq: r.seq, hash: r.hash })
      .from(r)
      .where(or(...part.map((x) => and(eq(r.device, x.device), eq(r.seq, x.seq)))));
    for (const row of rows) found.set(`${row.device}\n${row.seq}`, row.hash);
  }
  return found;
}

/**
 * Appends leaves for newly stored records in the caller's transaction. The head row's lock (FOR
 * UPDATE) serialises committers: a second one waits for the first's commit, then reads the size and
 * edge it left, so no index is handed out twice and the leaves follow commit order.
 */
async function sequence(tx: Tx, dialect: Dialect, records: ReadonlyArray<Pick<NewRecord, 'device' | 'seq' | 'hash' | 'signature'>>): Promise<AppendOutcome['leaves']> {
  if (records.length === 0) return [];
  const [head] = await tx.select({ size: t.logHead.size }).from(t.logHead).for('update');
  const size = head!.size;
  const edgeNodes = edgeOf(size);
  const found = await readLogNodes(tx, t, dialect, edgeNodes);
  const append = logAppend(
    size,
    edgeNodes.map((n) => found.get(nodeKey(n))!),
    records,
  );
  for (const part of chunks(append.leaves, INSERT_CHUNK)) await tx.insert(t.logLeaves).values(part.map((l) => ({ ...l, entry: asBuffer(l.entry), leafHash: asBuffer(l.leafHash) })));
  for (const part of chunks(append.nodes, INSERT_CHUNK)) await tx.insert(t.logNodes).values(part.map((n) => ({ ...n, hash: asBuffer(n.hash) })));
  await tx.update(t.logHead).set({ size: append.size });
  return append.leaves.map(({ device, seq, index }) => ({ device, seq, index }));
}

/**
 * Records stored before the log existed (an upgraded store; the migration noted up to which id) become
 * its first leaves, in acceptance order, a chunk per transaction; then the note is cleared. The head's
 * lock comes first, so two processes opening at once do not sequence the same records.
 */
async function sequenceBacklog(db: PgDatabase): Promise<void> {
  const r = t.records;
  const dialect = pgDialect(db);
  const step = async (tx: Tx) => {
    const [head] = await tx.select({ through: t.logHead.backlogThrough }).from(t.logHead).for('update');
    if (head!.through === 0) return false;
    const unlogged = await tx
      .select({ device: r.device, seq: r.seq, hash: r.hash, signature: r.signature })
      .from(r)
      .where(and(lte(r.id, head!.through), sql`not exists (select 1 from ${t.logLeaves} where ${t.logLeaves.device} = ${r.device} and ${t.logLeaves.seq} = ${r.seq})`))
      .orderBy(asc(r.id))
      .limit(BACKLOG_CHUNK);
    if (unlogged.length === 0) await tx.update(t.logHead).set({ backlogThrough: 0 });
    else await sequence(tx, dialect, unlogged);
    return unlogged.length > 0;
  };
  while (await db.transaction(step));
}
