/**
 * The scale-out store: drizzle over node-postgres, the same CustodyStore as sqlite.ts. Several server
 * processes may share it: (device, seq) is unique, acks are recorded only for stored records, a second
 * unresolved alert with the same dedupe key is refused by the partial unique index, and alert writes
 * are conditional on the revision read.
 * Migrations from server/drizzle/pg/ are applied on open, into the configured schema.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, lt, lte, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { fromBase64, KEYRING_FORMAT, keyId, keyringToJson, parseKeyring, nodeKey, type ChainHead, type EventType, type Hash, type Keyring, type NodeAddress, type StationRole } from '@wastetrail/firmware-protocol';
import type { BagTrail } from '../custody/index.ts';
import type { Manifest } from '../manifests/manifest.ts';
import { alertOrderBy, alertWhere } from './alert-rows.ts';
import { DEFAULT_MANIFEST_PAGE, manifestInPlay, manifestRow, manifestWhere } from './manifest-rows.ts';
import type {
  Alert,
  AlertFilter,
  Change,
  NewSubscription,
  Subscription,
  SubscriptionOutcome,
  AppendOutcome,
  BagFilter,
  BagSummary,
  ClimateRoom,
  ClimateSampleRow,
  ConfirmedViolation,
  CustodyStore,
  DailyMass,
  Department,
  DeviceRegistration,
  DeviceStatus,
  DeviceStatusPatch,
  Draw,
  Inspection,
  Inspector,
  Institution,
  Jurisdiction,
  ManifestFilter,
  NewAlert,
  NewDraw,
  NewInspection,
  NewRecord,
  NewQuarantineEntry,
  NewUser,
  NewViolation,
  ProjectedBag,
  QuarantineEntry,
  RecordBatch,
  SealedMonthTotals,
  Session,
  SignedCheckpoint,
  StoredCosignature,
  StaffBadge,
  StoredRecord,
  TransportCompany,
  User,
  Vehicle,
  VehicleRouteEntry,
  GeofenceEntry,
} from './repository.ts';
import { KeyringCache } from './keyring-cache.ts';
import { byTable, edgeOf, logAppend } from './log-append.ts';
import { DEFAULT_QUARANTINE_PAYLOAD_LIMIT } from './repository.ts';
import { alertChanges, alertFromRow, alertsOpenedColumns, alertsOpenedWhere, announcedDrawRow, bagFromRow, bagOrderBy, bagRow, bagTagRows, chunks, conjunction, correctionTarget, countsPerInstitution, DEFAULT_BAG_PAGE, inspectionsWhere, inspectorChanges, jurisdictionsWhere, listOf, newAlertRow, registrationJson, sealedTotalsColumns, sealedTotalsWhere, storedRecordFromRow, vehicleSpanOf, violationsWhere, type SealedTotalsDialect } from './rows.ts';
import { changeFromRow, deliveryChanges, newSubscriptionRow, subscriptionFromRow } from './change-rows.ts';
import * as schema from './schema.pg.ts';
import type { DrawResult } from '../supervision/draw.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/pg', import.meta.url));

const INSERT_CHUNK = 500;
/** Values per IN (...) list, and (device, seq) pairs per OR-of-ANDs. */
const IN_CHUNK = 1000;
const PAIR_CHUNK = 200;
/** Records sequenced per transaction when an upgraded store puts its older records in the log. */
const BACKLOG_CHUNK = 1000;
const MIGRATIONS_TABLE = '__drizzle_migrations';
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
    const store = new PgCustodyStore(db, schemaName, options.quarantinePayloadLimit ?? DEFAULT_QUARANTINE_PAYLOAD_LIMIT);
    await store.sequenceBacklog();
    return store;
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

/** Hashes of complete tree nodes: leaf hashes from log_leaves, the rest from log_nodes; absent when not complete. */
async function readLogNodes(db: Pick<PgDatabase, 'select'>, nodes: readonly NodeAddress[]): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  const { leaves, inner } = byTable(nodes);
  for (const part of chunks(leaves, IN_CHUNK)) {
    const rows = await db.select({ index: t.logLeaves.index, hash: t.logLeaves.leafHash }).from(t.logLeaves).where(inArray(t.logLeaves.index, part));
    for (const row of rows) found.set(nodeKey({ level: 0, index: row.index }), new Uint8Array(row.hash));
  }
  for (const part of chunks(inner, PAIR_CHUNK)) {
    const rows = await db
      .select()
      .from(t.logNodes)
      .where(or(...part.map((n) => and(eq(t.logNodes.level, n.level), eq(t.logNodes.index, n.index)))));
    for (const row of rows) found.set(nodeKey(row), new Uint8Array(row.hash));
  }
  return found;
}

class PgCustodyStore implements PgStore {
  readonly db: PgDatabase;
  readonly schema: string;
  private readonly quarantineLimit: number;
  private readonly keyringCache = new KeyringCache(() => this.readKeyring());
  private closed = false;

  constructor(db: PgDatabase, schemaName: string, quarantineLimit: number) {
    this.db = db;
    this.schema = schemaName;
    this.quarantineLimit = quarantineLimit;
  }

  // ---- Records ----

  async appendRecords(batch: RecordBatch): Promise<AppendOutcome> {
    // Several processes may commit the same records (a resend reaching another process) and ack the same
    // devices: every transaction takes its row locks in one order, (device, seq) then device, so two of
    // them never wait on each other (a deadlock would abort one). Each device's records stay in chain order.
    const records = [...batch.records].sort((a, b) => compareText(a.device, b.device) || a.seq - b.seq);
    const { acks, seen = [] } = batch;
    return this.db.transaction(async (tx) => {
      const outcome: AppendOutcome = { stored: 0, duplicates: [], conflicts: [], acks: [], leaves: [] };
      const sequenced: NewRecord[] = [];
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        const chunk = records.slice(i, i + INSERT_CHUNK);
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
              bytes: toBuffer(r.bytes),
              signature: toBuffer(r.signature),
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
          const [stored] = await tx
            .select({ hash: t.records.hash })
            .from(t.records)
            .where(and(eq(t.records.device, r.device), eq(t.records.seq, r.seq)));
          if (stored?.hash === r.hash) outcome.duplicates.push({ device: r.device, seq: r.seq });
          else outcome.conflicts.push({ device: r.device, seq: r.seq, hash: r.hash, storedHash: stored?.hash ?? '' });
        }
        for (let j = 0; j < tags.length; j += INSERT_CHUNK) {
          await tx.insert(t.recordTags).values(tags.slice(j, j + INSERT_CHUNK)).onConflictDoNothing();
        }
        for (const part of chunks(corrections, INSERT_CHUNK)) await tx.insert(t.recordCorrections).values(part).onConflictDoNothing();
        for (const part of chunks(spans, INSERT_CHUNK)) await tx.insert(t.vehicleTrackRecords).values(part).onConflictDoNothing();
      }
      outcome.leaves = await this.sequence(tx, sequenced);
      await this.insertQuarantine(tx, batch.quarantine);
      // Acks and sightings touch device_status rows: one pass in device order (see above).
      const seenAt = new Map(seen.map((x) => [x.device, x.at]));
      const ackOf = new Map(acks.map((a) => [a.device, a]));
      for (const device of [...new Set([...ackOf.keys(), ...seenAt.keys()])].sort(compareText)) {
        const ack = ackOf.get(device);
        const at = seenAt.get(device);
        if (ack) {
          const [stored] = await tx
            .select({ hash: t.records.hash })
            .from(t.records)
            .where(and(eq(t.records.device, ack.device), eq(t.records.seq, ack.seq)));
          if (stored?.hash === ack.hash) {
            const recorded = await tx
              .insert(t.deviceStatus)
              .values({ device: ack.device, ackedSeq: ack.seq, ackedHash: ack.hash })
              // Several processes may ack the same device: never move the recorded ack backwards.
              .onConflictDoUpdate({
                target: t.deviceStatus.device,
                set: { ackedSeq: ack.seq, ackedHash: ack.hash },
                setWhere: sql`${t.deviceStatus.ackedSeq} is null or ${t.deviceStatus.ackedSeq} <= ${ack.seq}`,
              })
              .returning({ device: t.deviceStatus.device });
            if (recorded.length > 0) outcome.acks.push(ack);
          }
        }
        if (at !== undefined) await tx.insert(t.deviceStatus).values({ device, lastSeenAt: at }).onConflictDoUpdate({ target: t.deviceStatus.device, set: { lastSeenAt: at } });
      }
      return outcome;
    });
  }

  /**
   * Appends leaves for newly stored records in the caller's transaction. The head row's lock (FOR
   * UPDATE) serialises committers: a second one waits for the first's commit, then reads the size and
   * edge it left, so no index is handed out twice and the leaves follow commit order.
   */
  private async sequence(tx: Tx, records: ReadonlyArray<Pick<NewRecord, 'device' | 'seq' | 'hash' | 'signature'>>): Promise<AppendOutcome['leaves']> {
    if (records.length === 0) return [];
    const [head] = await tx.select({ size: t.logHead.size }).from(t.logHead).for('update');
    const size = head!.size;
    const edgeNodes = edgeOf(size);
    const found = await readLogNodes(tx, edgeNodes);
    const append = logAppend(
      size,
      edgeNodes.map((n) => found.get(nodeKey(n))!),
      records,
    );
    for (const part of chunks(append.leaves, INSERT_CHUNK)) await tx.insert(t.logLeaves).values(part.map((l) => ({ ...l, entry: toBuffer(l.entry), leafHash: toBuffer(l.leafHash) })));
    for (const part of chunks(append.nodes, INSERT_CHUNK)) await tx.insert(t.logNodes).values(part.map((n) => ({ ...n, hash: toBuffer(n.hash) })));
    await tx.update(t.logHead).set({ size: append.size });
    return append.leaves.map(({ device, seq, index }) => ({ device, seq, index }));
  }

  /**
   * Records stored before the log existed (an upgraded store; the migration noted up to which id) become
   * its first leaves, in acceptance order, a chunk per transaction; then the note is cleared. The head's
   * lock comes first, so two processes opening at once do not sequence the same records.
   */
  async sequenceBacklog(): Promise<void> {
    const r = t.records;
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
      else await this.sequence(tx, unlogged);
      return unlogged.length > 0;
    };
    while (await this.db.transaction(step));
  }

  // ---- The verifiable log ----

  async logSize(): Promise<number> {
    const [head] = await this.db.select({ size: t.logHead.size }).from(t.logHead);
    return head!.size;
  }

  async logNodes(nodes: readonly NodeAddress[]): Promise<Map<string, Hash>> {
    return readLogNodes(this.db, nodes);
  }

  async logNodeRow(level: number, from: number, to: number): Promise<Hash[]> {
    const rows =
      level === 0
        ? await this.db.select({ hash: t.logLeaves.leafHash }).from(t.logLeaves).where(and(gte(t.logLeaves.index, from), lt(t.logLeaves.index, to))).orderBy(asc(t.logLeaves.index))
        : await this.db
            .select({ hash: t.logNodes.hash })
            .from(t.logNodes)
            .where(and(eq(t.logNodes.level, level), gte(t.logNodes.index, from), lt(t.logNodes.index, to)))
            .orderBy(asc(t.logNodes.index));
    return rows.map((row) => new Uint8Array(row.hash));
  }

  async logEntries(from: number, to: number): Promise<Uint8Array[]> {
    const rows = await this.db.select({ entry: t.logLeaves.entry }).from(t.logLeaves).where(and(gte(t.logLeaves.index, from), lt(t.logLeaves.index, to))).orderBy(asc(t.logLeaves.index));
    return rows.map((row) => new Uint8Array(row.entry));
  }

  async logIndexes(records: ReadonlyArray<{ device: string; seq: number }>): Promise<Array<number | undefined>> {
    const found = new Map<string, number>();
    for (const part of chunks(records, PAIR_CHUNK)) {
      const rows = await this.db
        .select({ index: t.logLeaves.index, device: t.logLeaves.device, seq: t.logLeaves.seq })
        .from(t.logLeaves)
        .where(or(...part.map((r) => and(eq(t.logLeaves.device, r.device), eq(t.logLeaves.seq, r.seq)))));
      for (const row of rows) found.set(`${row.device}\n${row.seq}`, row.index);
    }
    return records.map((r) => found.get(`${r.device}\n${r.seq}`));
  }

  async addCheckpoint(c: SignedCheckpoint): Promise<boolean> {
    const added = await this.db.insert(t.logCheckpoints).values(c).onConflictDoNothing().returning({ size: t.logCheckpoints.size });
    return added.length > 0;
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    const [row] = await this.db.select().from(t.logCheckpoints).orderBy(desc(t.logCheckpoints.size)).limit(1);
    return row;
  }

  async checkpointOf(size: number): Promise<SignedCheckpoint | undefined> {
    const [row] = await this.db.select().from(t.logCheckpoints).where(eq(t.logCheckpoints.size, size));
    return row;
  }

  async addCosignature(c: StoredCosignature): Promise<boolean> {
    const added = await this.db.insert(t.logCosignatures).values(c).onConflictDoNothing().returning({ size: t.logCosignatures.size });
    return added.length > 0;
  }

  async latestCheckpointCosignedBy(witnesses: readonly string[], quorum: number): Promise<SignedCheckpoint | undefined> {
    if (witnesses.length === 0 || quorum > witnesses.length) return undefined;
    const [row] = await this.db
      .select({ size: t.logCosignatures.size })
      .from(t.logCosignatures)
      .where(inArray(t.logCosignatures.witness, [...witnesses]))
      .groupBy(t.logCosignatures.size)
      .having(sql`count(*) >= ${quorum}`)
      .orderBy(desc(t.logCosignatures.size))
      .limit(1);
    return row === undefined ? undefined : this.checkpointOf(row.size);
  }

  async cosignaturesOf(size: number): Promise<StoredCosignature[]> {
    return this.db.select().from(t.logCosignatures).where(eq(t.logCosignatures.size, size)).orderBy(asc(t.logCosignatures.addedAt), asc(t.logCosignatures.witness));
  }

  async headOf(device: string): Promise<ChainHead | undefined> {
    const [head] = await this.db
      .select({ seq: t.records.seq, hash: t.records.hash })
      .from(t.records)
      .where(eq(t.records.device, device))
      .orderBy(desc(t.records.seq))
      .limit(1);
    return head;
  }

  async recordAt(device: string, seq: number): Promise<StoredRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.device, device), eq(t.records.seq, seq)));
    return row && storedRecordFromRow(row);
  }

  async recordsForTags(tags: readonly string[]): Promise<StoredRecord[]> {
    if (tags.length === 0) return [];
    const rows = await this.db
      .selectDistinct({ record: t.records })
      .from(t.recordTags)
      .innerJoin(t.records, and(eq(t.records.device, t.recordTags.device), eq(t.records.seq, t.recordTags.seq)))
      .where(inArray(t.recordTags.tag, [...tags]))
      .orderBy(asc(t.records.id));
    return rows.map((r) => storedRecordFromRow(r.record));
  }

  async recordsOfDevice(device: string, fromSeq: number, limit: number): Promise<StoredRecord[]> {
    const rows = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.device, device), gte(t.records.seq, fromSeq)))
      .orderBy(asc(t.records.seq))
      .limit(limit);
    return rows.map(storedRecordFromRow);
  }

  async recordsAfter(afterId: number, limit: number): Promise<StoredRecord[]> {
    const rows = await this.db.select().from(t.records).where(gt(t.records.id, afterId)).orderBy(asc(t.records.id)).limit(limit);
    return rows.map(storedRecordFromRow);
  }

  async countRecords(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(t.records);
    return row!.n;
  }

  // ---- Quarantine ----

  async quarantine(entries: readonly NewQuarantineEntry[]): Promise<void> {
    await this.db.transaction((tx) => this.insertQuarantine(tx, entries));
  }

  private async insertQuarantine(tx: Tx, entries: readonly NewQuarantineEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const rows = entries.slice(i, i + INSERT_CHUNK).map((q) => ({
        receivedAt: q.receivedAt,
        topic: q.topic ?? null,
        code: q.code,
        message: q.message,
        device: q.device ?? null,
        seq: q.seq ?? null,
        payload: toBuffer(q.payload.subarray(0, this.quarantineLimit)),
        payloadBytes: q.payloadBytes,
      }));
      await tx.insert(t.quarantine).values(rows);
    }
  }

  async quarantined(filter: { device?: string; code?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
    const where = conjunction([
      filter.device !== undefined ? eq(t.quarantine.device, filter.device) : undefined,
      filter.code !== undefined ? eq(t.quarantine.code, filter.code) : undefined,
    ]);
    const rows = await this.db.select().from(t.quarantine).where(where).orderBy(asc(t.quarantine.id)).limit(filter.limit ?? 1000);
    return rows.map((q) => ({
      id: q.id,
      receivedAt: q.receivedAt,
      ...(q.topic !== null ? { topic: q.topic } : {}),
      code: q.code,
      message: q.message,
      ...(q.device !== null ? { device: q.device } : {}),
      ...(q.seq !== null ? { seq: q.seq } : {}),
      payload: new Uint8Array(q.payload),
      payloadBytes: q.payloadBytes,
    }));
  }

  // ---- Reference data ----

  async upsertJurisdiction(j: Jurisdiction): Promise<void> {
    await this.db.insert(t.jurisdictions).values(j).onConflictDoUpdate({ target: t.jurisdictions.id, set: { parent: j.parent, level: j.level, name: j.name } });
  }

  async jurisdictions(): Promise<Jurisdiction[]> {
    return this.db.select().from(t.jurisdictions).orderBy(asc(t.jurisdictions.id));
  }

  async upsertInstitution(i: Institution): Promise<void> {
    await this.db.insert(t.institutions).values(i).onConflictDoUpdate({ target: t.institutions.id, set: { name: i.name, kind: i.kind, jurisdiction: i.jurisdiction } });
  }

  async institution(id: string): Promise<Institution | undefined> {
    const [row] = await this.db.select().from(t.institutions).where(eq(t.institutions.id, id));
    return row;
  }

  async institutions(filter: { jurisdiction?: string; kind?: Institution['kind'] } = {}): Promise<Institution[]> {
    const where = conjunction([
      filter.jurisdiction !== undefined ? eq(t.institutions.jurisdiction, filter.jurisdiction) : undefined,
      filter.kind !== undefined ? eq(t.institutions.kind, filter.kind) : undefined,
    ]);
    return this.db.select().from(t.institutions).where(where).orderBy(asc(t.institutions.id));
  }

  async upsertDepartment(d: Department): Promise<void> {
    await this.db.insert(t.departments).values(d).onConflictDoUpdate({ target: [t.departments.institution, t.departments.code], set: { name: d.name } });
  }

  async departments(institution: string): Promise<Department[]> {
    return this.db.select().from(t.departments).where(eq(t.departments.institution, institution)).orderBy(asc(t.departments.code));
  }

  async upsertStaffBadge(b: StaffBadge): Promise<void> {
    await this.db.insert(t.staffBadges).values(b).onConflictDoUpdate({ target: t.staffBadges.badge, set: { institution: b.institution, name: b.name, role: b.role } });
  }

  async staffBadge(badge: string): Promise<StaffBadge | undefined> {
    const [row] = await this.db.select().from(t.staffBadges).where(eq(t.staffBadges.badge, badge));
    return row;
  }

  async upsertTransportCompany(c: TransportCompany): Promise<void> {
    await this.db.insert(t.transportCompanies).values(c).onConflictDoUpdate({ target: t.transportCompanies.id, set: { licence: c.licence } });
  }

  async upsertVehicle(v: Vehicle): Promise<void> {
    await this.db.insert(t.vehicles).values(v).onConflictDoUpdate({ target: t.vehicles.id, set: { company: v.company, plate: v.plate } });
  }

  async vehicle(id: string): Promise<Vehicle | undefined> {
    const [row] = await this.db.select().from(t.vehicles).where(eq(t.vehicles.id, id));
    return row;
  }

  async upsertVehicleRoute(r: VehicleRouteEntry): Promise<void> {
    await this.db.insert(t.vehicleRoutes).values(r).onConflictDoUpdate({ target: t.vehicleRoutes.vehicle, set: { line: r.line } });
  }

  async vehicleRoutes(): Promise<Array<VehicleRouteEntry & { plate: string }>> {
    return this.db
      .select({ vehicle: t.vehicleRoutes.vehicle, line: t.vehicleRoutes.line, plate: t.vehicles.plate })
      .from(t.vehicleRoutes)
      .innerJoin(t.vehicles, eq(t.vehicles.id, t.vehicleRoutes.vehicle))
      .orderBy(asc(t.vehicleRoutes.vehicle));
  }

  async upsertGeofence(g: GeofenceEntry): Promise<void> {
    await this.db.insert(t.geofences).values(g).onConflictDoUpdate({ target: t.geofences.id, set: { institution: g.institution, kind: g.kind, ring: g.ring } });
  }

  async geofences(): Promise<GeofenceEntry[]> {
    return this.db.select().from(t.geofences).orderBy(asc(t.geofences.id));
  }

  async vehicleRecords(filter: { vehicles?: readonly string[]; from: string; to: string }): Promise<StoredRecord[]> {
    if (filter.vehicles?.length === 0) return [];
    const v = t.vehicleTrackRecords;
    const rows = await this.db
      .select({ record: t.records })
      .from(v)
      .innerJoin(t.records, and(eq(t.records.device, v.device), eq(t.records.seq, v.seq)))
      .where(and(filter.vehicles ? inArray(v.vehicle, [...filter.vehicles]) : undefined, gte(v.toTime, filter.from), lte(v.fromTime, filter.to)))
      .orderBy(asc(t.records.id));
    return rows.map((r) => storedRecordFromRow(r.record));
  }

  async vehicles(filter: { company?: string } = {}): Promise<Vehicle[]> {
    const where = filter.company !== undefined ? eq(t.vehicles.company, filter.company) : undefined;
    return this.db.select().from(t.vehicles).where(where).orderBy(asc(t.vehicles.id));
  }

  // ---- Devices and the keyring ----

  async registerDevice(d: DeviceRegistration): Promise<void> {
    const checked = parseKeyring({ format: KEYRING_FORMAT, devices: { [d.id]: registrationJson(d) } });
    if (!checked.ok) throw new TypeError(`cannot register device ${d.id}: ${checked.error.message}`);
    const row = { institution: d.institution, stations: [...d.stations], site: d.site ?? null, keys: d.keys.map((k) => ({ ...k })) };
    await this.db
      .insert(t.devices)
      .values({ id: d.id, ...row, createdAt: new Date().toISOString() })
      .onConflictDoUpdate({ target: t.devices.id, set: row });
    this.keyringCache.invalidate();
  }

  async revokeDeviceKey(device: string, kid: string, at: string): Promise<boolean> {
    const found = await this.db.transaction(async (tx) => {
      const [row] = await tx.select({ keys: t.devices.keys }).from(t.devices).where(eq(t.devices.id, device)).for('update');
      if (!row) return false;
      let found = false;
      const keys = row.keys.map((k) => {
        const spki = fromBase64(k.publicKey);
        if (!spki || keyId(spki) !== kid) return k;
        found = true;
        return { ...k, revokedAt: k.revokedAt !== undefined && k.revokedAt < at ? k.revokedAt : at };
      });
      if (found) await tx.update(t.devices).set({ keys }).where(eq(t.devices.id, device));
      return found;
    });
    // After the commit: a read in between would otherwise keep the key unrevoked.
    if (found) this.keyringCache.invalidate();
    return found;
  }

  async devices(): Promise<DeviceRegistration[]> {
    const rows = await this.db.select().from(t.devices).orderBy(asc(t.devices.id));
    return rows.map((d) => ({
      id: d.id,
      institution: d.institution,
      stations: d.stations as StationRole[],
      ...(d.site !== null ? { site: d.site } : {}),
      keys: d.keys,
    }));
  }

  keyring(): Promise<Keyring> {
    return this.keyringCache.get();
  }

  private async readKeyring(): Promise<Keyring> {
    const parsed = parseKeyring(await this.exportKeyring());
    if (!parsed.ok) throw new Error(`the stored keyring is invalid: ${parsed.error.message}`);
    return parsed.value;
  }

  async exportKeyring(): Promise<unknown> {
    const devices: Record<string, unknown> = {};
    for (const d of await this.devices()) devices[d.id] = registrationJson(d);
    const parsed = parseKeyring({ format: KEYRING_FORMAT, devices });
    if (!parsed.ok) throw new Error(`the stored keyring is invalid: ${parsed.error.message}`);
    return keyringToJson(parsed.value);
  }

  // ---- Device status ----

  async upsertDeviceStatus(device: string, patch: DeviceStatusPatch): Promise<void> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as DeviceStatusPatch;
    if (Object.keys(set).length === 0) {
      await this.db.insert(t.deviceStatus).values({ device }).onConflictDoNothing();
      return;
    }
    await this.db.insert(t.deviceStatus).values({ device, ...set }).onConflictDoUpdate({ target: t.deviceStatus.device, set });
  }

  async deviceStatus(device: string): Promise<DeviceStatus | undefined> {
    const [row] = await this.db.select().from(t.deviceStatus).where(eq(t.deviceStatus.device, device));
    return row;
  }

  async deviceStatuses(): Promise<DeviceStatus[]> {
    return this.db.select().from(t.deviceStatus).orderBy(asc(t.deviceStatus.device));
  }

  // ---- Storage climate ----

  async addClimateSamples(samples: readonly ClimateSampleRow[]): Promise<void> {
    if (samples.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const part of chunks(samples, 500)) await tx.insert(t.climateSamples).values([...part]).onConflictDoNothing();
    });
  }

  async climateSamples(f: { institution: string; room: string; from: string; to: string; limit: number }): Promise<ClimateSampleRow[]> {
    const c = t.climateSamples;
    return this.db.select().from(c).where(and(eq(c.institution, f.institution), eq(c.room, f.room), gte(c.time, f.from), lt(c.time, f.to))).orderBy(asc(c.time), asc(c.device), asc(c.seq), asc(c.sample)).limit(f.limit);
  }

  async climateSince(since: string): Promise<ClimateSampleRow[]> {
    const c = t.climateSamples;
    return this.db.select().from(c).where(gte(c.time, since)).orderBy(asc(c.institution), asc(c.room), asc(c.time), asc(c.device), asc(c.seq), asc(c.sample));
  }

  async climateRooms(): Promise<ClimateRoom[]> {
    const c = t.climateSamples;
    return this.db.select({ institution: c.institution, room: c.room, lastTime: sql<string>`max(${c.time})` }).from(c).groupBy(c.institution, c.room).orderBy(asc(c.institution), asc(c.room));
  }

  // ---- Bags ----

  async upsertBags(bags: readonly ProjectedBag[], options: { remove?: readonly string[] } = {}): Promise<void> {
    const keep = new Set(bags.map((b) => b.bag));
    const remove = (options.remove ?? []).filter((b) => !keep.has(b));
    await this.db.transaction(async (tx) => {
      for (const part of chunks(remove, IN_CHUNK)) await tx.delete(t.bags).where(inArray(t.bags.bag, part));
      // In id order, so two processes projecting overlapping bags take the row locks in the same order.
      const ordered = [...bags].sort((a, b) => (a.bag < b.bag ? -1 : a.bag > b.bag ? 1 : 0));
      for (const part of chunks(ordered, INSERT_CHUNK / 5)) {
        await tx.insert(t.bags).values(part.map(bagRow)).onConflictDoUpdate({ target: t.bags.bag, set: bagUpdate() });
        await tx.delete(t.bagTags).where(inArray(t.bagTags.bag, part.map((b) => b.bag)));
        for (const rows of chunks(part.flatMap(bagTagRows), INSERT_CHUNK)) await tx.insert(t.bagTags).values(rows);
      }
    });
  }

  async bag(bag: string): Promise<BagSummary | undefined> {
    const [row] = await this.db.select(bagColumns).from(t.bags).where(eq(t.bags.bag, bag));
    return row && bagFromRow(row);
  }

  async bagByTag(tag: string): Promise<BagSummary | undefined> {
    const [row] = await this.db
      .select(bagColumns)
      .from(t.bagTags)
      .innerJoin(t.bags, eq(t.bags.bag, t.bagTags.bag))
      .where(eq(t.bagTags.tag, tag))
      .orderBy(sql`case when ${t.bags.bag} = ${tag} then 0 else 1 end`, sql`${t.bags.sealedAt} asc nulls last`, asc(t.bags.bag))
      .limit(1);
    return row && bagFromRow(row);
  }

  async searchBags(filter: BagFilter): Promise<{ bags: BagSummary[]; total: number }> {
    const where = bagWhere(filter);
    const [count] = await this.db.select({ n: sql<number>`count(*)::int` }).from(t.bags).where(where);
    const rows = await this.db
      .select(bagColumns)
      .from(t.bags)
      .where(where)
      .orderBy(...bagOrderBy(filter.order, t.bags))
      .limit(filter.limit ?? DEFAULT_BAG_PAGE)
      .offset(filter.offset ?? 0);
    return { bags: rows.map(bagFromRow), total: count!.n };
  }

  async dailyMassBalance(institution: string, fromDay: string, toDay: string): Promise<DailyMass[]> {
    return (await this.db
      .select(dailyMassColumns)
      .from(t.bags)
      .where(and(eq(t.bags.institution, institution), gte(t.bags.sealedDay, fromDay), lte(t.bags.sealedDay, toDay), ne(t.bags.state, 'voided')))
      .groupBy(t.bags.sealedDay)
      .orderBy(asc(t.bags.sealedDay))) as DailyMass[];
  }

  async bagTrail(bag: string): Promise<BagTrail | undefined> {
    const [row] = await this.db.select({ trail: t.bags.trail }).from(t.bags).where(eq(t.bags.bag, bag));
    return row?.trail ?? undefined;
  }

  async bagTrailsInPlay(since: string): Promise<BagTrail[]> {
    const rows = await this.db
      .select({ trail: t.bags.trail })
      .from(t.bags)
      .where(and(isNotNull(t.bags.trail), inPlay(since)))
      .orderBy(asc(t.bags.bag));
    return rows.map((r) => r.trail!);
  }

  async correctionsFor(targets: ReadonlyArray<{ device: string; seq: number }>): Promise<StoredRecord[]> {
    const found = new Map<number, StoredRecord>();
    for (const part of chunks(targets, PAIR_CHUNK)) {
      const rows = await this.db
        .select({ record: t.records })
        .from(t.recordCorrections)
        .innerJoin(t.records, and(eq(t.records.device, t.recordCorrections.device), eq(t.records.seq, t.recordCorrections.seq)))
        .where(or(...part.map((p) => and(eq(t.recordCorrections.targetDevice, p.device), eq(t.recordCorrections.targetSeq, p.seq)))));
      for (const r of rows) found.set(r.record.id, storedRecordFromRow(r.record));
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  // ---- Manifests ----

  async upsertManifests(manifests: readonly Manifest[]): Promise<void> {
    if (manifests.length === 0) return;
    // In number order, so two processes projecting overlapping manifests take the row locks in the same order.
    const ordered = [...manifests].sort((a, b) => (a.manifest < b.manifest ? -1 : a.manifest > b.manifest ? 1 : 0));
    await this.db.transaction(async (tx) => {
      for (const part of chunks(ordered, INSERT_CHUNK / 12)) await tx.insert(t.manifests).values(part.map(manifestRow)).onConflictDoUpdate({ target: t.manifests.manifest, set: manifestUpdate() });
    });
  }

  async manifest(manifest: string): Promise<Manifest | undefined> {
    const [row] = await this.db.select({ data: t.manifests.data }).from(t.manifests).where(eq(t.manifests.manifest, manifest));
    return row?.data;
  }

  async searchManifests(filter: ManifestFilter): Promise<{ manifests: Manifest[]; total: number }> {
    const where = manifestWhere(filter, t.manifests, sql`false`);
    const [count] = await this.db.select({ n: sql<number>`count(*)::int` }).from(t.manifests).where(where);
    const rows = await this.db
      .select({ data: t.manifests.data })
      .from(t.manifests)
      .where(where)
      .orderBy(desc(t.manifests.startedAt), asc(t.manifests.manifest))
      .limit(filter.limit ?? DEFAULT_MANIFEST_PAGE)
      .offset(filter.offset ?? 0);
    return { manifests: rows.map((r) => r.data), total: count!.n };
  }

  async manifestsInPlay(since: string): Promise<Manifest[]> {
    const rows = await this.db.select({ data: t.manifests.data }).from(t.manifests).where(manifestInPlay(since, t.manifests)).orderBy(asc(t.manifests.manifest));
    return rows.map((r) => r.data);
  }

  // ---- Alerts ----

  async insertAlert(a: NewAlert): Promise<Alert | undefined> {
    // The partial unique index on unresolved dedupe keys refuses a second one, even from another process.
    const [row] = await this.db.insert(t.alerts).values(newAlertRow(a)).onConflictDoNothing().returning();
    return row && alertFromRow(row);
  }

  async updateAlert(a: Alert): Promise<Alert | undefined> {
    const [row] = await this.db
      .update(t.alerts)
      .set({ ...alertChanges(a), revision: a.revision + 1 })
      .where(and(eq(t.alerts.id, a.id), eq(t.alerts.revision, a.revision)))
      .returning();
    return row && alertFromRow(row);
  }

  async latestAlerts(dedupeKeys: readonly string[]): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const keys of chunks([...new Set(dedupeKeys)], IN_CHUNK)) {
      const open = await this.db
        .select()
        .from(t.alerts)
        .where(and(inArray(t.alerts.dedupeKey, keys), ne(t.alerts.status, 'resolved')));
      out.push(...open.map(alertFromRow));
      const missing = keys.filter((k) => !open.some((a) => a.dedupeKey === k));
      if (missing.length === 0) continue;
      const latest = (
        await this.db
          .select({ id: sql<number>`max(${t.alerts.id})`.mapWith(Number) })
          .from(t.alerts)
          .where(inArray(t.alerts.dedupeKey, missing))
          .groupBy(t.alerts.dedupeKey)
      ).map((r) => r.id);
      if (latest.length > 0) out.push(...(await this.db.select().from(t.alerts).where(inArray(t.alerts.id, latest))).map(alertFromRow));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async unresolvedAlerts(filter: { rules?: readonly string[]; subjects?: readonly string[] } = {}): Promise<Alert[]> {
    if (filter.rules?.length === 0 || filter.subjects?.length === 0) return [];
    const rules = filter.rules ? inArray(t.alerts.rule, [...filter.rules]) : undefined;
    const subjectLists = filter.subjects ? chunks([...new Set(filter.subjects)], IN_CHUNK) : [undefined];
    const out: Alert[] = [];
    for (const subjects of subjectLists) {
      const where = conjunction([ne(t.alerts.status, 'resolved'), rules, subjects ? inArray(t.alerts.subject, subjects) : undefined]);
      out.push(...(await this.db.select().from(t.alerts).where(where)).map(alertFromRow));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async recordAlertSightings(ids: readonly number[], at: string): Promise<void> {
    if (ids.length === 0) return;
    const ordered = [...new Set(ids)].sort((a, b) => a - b);
    await this.db.transaction(async (tx) => {
      for (const part of chunks(ordered, IN_CHUNK)) {
        await tx
          .update(t.alerts)
          .set({ occurrences: sql`${t.alerts.occurrences} + 1`, lastSeenAt: sql`greatest(${t.alerts.lastSeenAt}, ${at})` })
          .where(inArray(t.alerts.id, part));
      }
    });
  }

  async alert(id: number): Promise<Alert | undefined> {
    const [row] = await this.db.select().from(t.alerts).where(eq(t.alerts.id, id));
    return row && alertFromRow(row);
  }

  async alerts(filter: AlertFilter = {}): Promise<Alert[]> {
    // The page's ids first, then their rows (as in the SQLite store): whole rows are not sorted to be skipped.
    const order = alertOrderBy(filter.order, t.alerts);
    const page = this.db
      .select({ id: t.alerts.id })
      .from(t.alerts)
      .where(alertWhere(filter, t.alerts, sql`false`))
      .orderBy(...order)
      .limit(filter.limit ?? 1000)
      .offset(filter.offset ?? 0);
    const rows = await this.db
      .select()
      .from(t.alerts)
      .where(inArray(t.alerts.id, page))
      .orderBy(...order);
    return rows.map(alertFromRow);
  }

  async countAlerts(filter: AlertFilter = {}): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(t.alerts).where(alertWhere(filter, t.alerts, sql`false`));
    return row!.n;
  }

  // ---- Users and sessions ----

  async createUser(u: NewUser): Promise<User> {
    const [row] = await this.db
      .insert(t.users)
      .values({ ...u, scope: u.scope ?? null })
      .returning();
    return row!;
  }

  async userByUsername(username: string): Promise<User | undefined> {
    const [row] = await this.db.select().from(t.users).where(eq(t.users.username, username));
    return row;
  }

  async userById(id: number): Promise<User | undefined> {
    const [row] = await this.db.select().from(t.users).where(eq(t.users.id, id));
    return row;
  }

  async createSession(s: Session): Promise<void> {
    await this.db.insert(t.sessions).values(s);
  }

  async session(tokenHash: string): Promise<Session | undefined> {
    const [row] = await this.db.select().from(t.sessions).where(eq(t.sessions.tokenHash, tokenHash));
    return row;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(t.sessions).where(eq(t.sessions.tokenHash, tokenHash));
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const gone = await this.db.delete(t.sessions).where(lt(t.sessions.expiresAt, now)).returning({ tokenHash: t.sessions.tokenHash });
    return gone.length;
  }

  // ---- Supervision ----

  async insertViolation(v: NewViolation): Promise<ConfirmedViolation | undefined> {
    // The partial unique index on alert_id refuses a second confirmation of the same alert.
    const [row] = await this.db.insert(t.violations).values({ ...v, inspectionId: null }).onConflictDoNothing().returning();
    return row;
  }

  async violationOfAlert(alertId: number): Promise<ConfirmedViolation | undefined> {
    const [row] = await this.db.select().from(t.violations).where(eq(t.violations.alertId, alertId));
    return row;
  }

  async violations(filter: { institutions?: readonly string[]; from?: string; to?: string } = {}): Promise<ConfirmedViolation[]> {
    if (filter.institutions?.length === 0) return [];
    return this.db.select().from(t.violations).where(violationsWhere(t.violations, filter)).orderBy(desc(t.violations.confirmedAt), desc(t.violations.id));
  }

  async insertInspection(i: NewInspection, findings: readonly NewViolation[]): Promise<{ inspection: Inspection; violations: ConfirmedViolation[] }> {
    return this.db.transaction(async (tx) => {
      const [inspection] = await tx.insert(t.inspections).values(i).returning();
      const violations: ConfirmedViolation[] = [];
      for (const v of findings) violations.push((await tx.insert(t.violations).values({ ...v, inspectionId: inspection!.id }).returning())[0]!);
      return { inspection: inspection!, violations };
    });
  }

  async inspections(filter: { institutions?: readonly string[]; drawId?: number } = {}): Promise<Inspection[]> {
    if (filter.institutions?.length === 0) return [];
    return this.db.select().from(t.inspections).where(inspectionsWhere(t.inspections, filter)).orderBy(desc(t.inspections.date), desc(t.inspections.id));
  }

  async upsertInspector(i: Inspector): Promise<void> {
    const row = inspectorChanges(i);
    await this.db.insert(t.inspectors).values({ id: i.id, ...row }).onConflictDoUpdate({ target: t.inspectors.id, set: row });
  }

  async inspector(id: string): Promise<Inspector | undefined> {
    const [row] = await this.db.select().from(t.inspectors).where(eq(t.inspectors.id, id));
    return row;
  }

  async inspectors(filter: { jurisdictions?: readonly string[] } = {}): Promise<Inspector[]> {
    if (filter.jurisdictions?.length === 0) return [];
    return this.db.select().from(t.inspectors).where(jurisdictionsWhere(t.inspectors.jurisdiction, filter.jurisdictions)).orderBy(asc(t.inspectors.id));
  }

  async insertDraw(d: NewDraw): Promise<Draw> {
    const [row] = await this.db.insert(t.draws).values(announcedDrawRow(d)).returning();
    return row!;
  }

  async draw(id: number): Promise<Draw | undefined> {
    const [row] = await this.db.select().from(t.draws).where(eq(t.draws.id, id));
    return row;
  }

  async draws(filter: { jurisdictions?: readonly string[] } = {}): Promise<Draw[]> {
    if (filter.jurisdictions?.length === 0) return [];
    return this.db.select().from(t.draws).where(jurisdictionsWhere(t.draws.jurisdiction, filter.jurisdictions)).orderBy(desc(t.draws.id));
  }

  async completeDraw(id: number, result: DrawResult, resultHash: string, drawnAt: string): Promise<Draw | undefined> {
    const [row] = await this.db
      .update(t.draws)
      .set({ status: 'drawn', result, resultHash, drawnAt })
      .where(and(eq(t.draws.id, id), eq(t.draws.status, 'announced')))
      .returning();
    return row;
  }

  async alertsOpenedPerInstitution(from: string, to: string): Promise<Map<string, number>> {
    const rows = await this.db.select(alertsOpenedColumns(t.alerts)).from(t.alerts).where(alertsOpenedWhere(t.alerts, from, to)).groupBy(t.alerts.institution);
    return countsPerInstitution(rows);
  }

  async sealedTotals(fromDay: string, toDay: string): Promise<SealedMonthTotals[]> {
    return this.db.select(sealedTotalsColumns(t.bags, SEALED_TOTALS)).from(t.bags).where(sealedTotalsWhere(t.bags, fromDay, toDay)).groupBy(t.bags.institution).orderBy(asc(t.bags.institution));
  }

  // ---- The change feed (docs/interop/changes.md; rows written by triggers, migration 0010) ----

  async changesAfter(after: number, limit: number): Promise<Change[]> {
    const rows = await this.db.select().from(t.changes).where(gt(t.changes.id, after)).orderBy(asc(t.changes.id)).limit(limit);
    return rows.map(changeFromRow);
  }

  async lastChangeId(): Promise<number> {
    const [row] = await this.db.select({ id: sql<string | null>`max(${t.changes.id})` }).from(t.changes);
    return Number(row?.id ?? 0);
  }

  async recordById(id: number): Promise<StoredRecord | undefined> {
    const [row] = await this.db.select().from(t.records).where(eq(t.records.id, id));
    return row && storedRecordFromRow(row);
  }

  async insertSubscription(s: NewSubscription): Promise<Subscription> {
    const [row] = await this.db.insert(t.subscriptions).values(newSubscriptionRow(s)).returning();
    return subscriptionFromRow(row!);
  }

  async subscription(id: number): Promise<Subscription | undefined> {
    const [row] = await this.db.select().from(t.subscriptions).where(eq(t.subscriptions.id, id));
    return row && subscriptionFromRow(row);
  }

  async subscriptions(filter: { userId?: number } = {}): Promise<Subscription[]> {
    const where = filter.userId === undefined ? undefined : eq(t.subscriptions.userId, filter.userId);
    return (await this.db.select().from(t.subscriptions).where(where).orderBy(asc(t.subscriptions.id))).map(subscriptionFromRow);
  }

  async deleteSubscription(id: number): Promise<boolean> {
    return (await this.db.delete(t.subscriptions).where(eq(t.subscriptions.id, id)).returning({ id: t.subscriptions.id })).length > 0;
  }

  async leaseSubscription(id: number, now: string, until: string): Promise<boolean> {
    const free = or(sql`${t.subscriptions.leaseUntil} is null`, lt(t.subscriptions.leaseUntil, now));
    return (await this.db.update(t.subscriptions).set({ leaseUntil: until }).where(and(eq(t.subscriptions.id, id), free)).returning({ id: t.subscriptions.id })).length > 0;
  }

  async recordDelivery(id: number, outcome: SubscriptionOutcome): Promise<void> {
    // An acknowledgement never moves the cursor back (a slower deliverer's older batch).
    const through = 'deliveredThrough' in outcome ? { deliveredThrough: sql<number>`greatest(${t.subscriptions.deliveredThrough}, ${outcome.deliveredThrough})` } : {};
    await this.db.update(t.subscriptions).set({ ...deliveryChanges(outcome), ...through }).where(eq(t.subscriptions.id, id));
  }

  async releaseSubscription(id: number): Promise<void> {
    await this.db.update(t.subscriptions).set({ leaseUntil: null }).where(eq(t.subscriptions.id, id));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.$client.end();
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const { trail: _trail, ...bagColumns } = getTableColumns(t.bags);

/** On a bag conflict: every column from the new row, but a trail kept when none is given. */
function bagUpdate() {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(bagColumns)) if (key !== 'bag') set[key] = sql.raw(`excluded.${column.name}`);
  set.trail = sql`coalesce(excluded.trail, ${t.bags.trail})`;
  return set;
}

/** sealedTotals' sums of grams are bigint in PostgreSQL; its timestamps are cast to subtract them. */
const SEALED_TOTALS: SealedTotalsDialect = {
  gramsType: 'bigint',
  handedOverWithin48h: (b) =>
    sql<number>`cast(sum(case when ${b.pickedUpAt} is not null and extract(epoch from (cast(${b.pickedUpAt} as timestamptz) - cast(${b.sealedAt} as timestamptz))) <= 172800.001 then 1 else 0 end) as integer)`,
};

const dailyMassColumns = {
  day: sql<string>`${t.bags.sealedDay}`,
  bags: sql<number>`count(*)::int`,
  sealedGrams: sql<number>`coalesce(sum(${t.bags.sealedGrams}), 0)`.mapWith(Number),
  received: sql<number>`count(${t.bags.receivedAt})::int`,
  receivedGrams: sql<number>`coalesce(sum(${t.bags.receivedGrams}), 0)`.mapWith(Number),
};

/** On a manifest conflict: every column from the new row. */
function manifestUpdate() {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(t.manifests))) if (key !== 'manifest') set[key] = sql.raw(`excluded.${column.name}`);
  return set;
}

/** Bags the time rules must see (repository.ts bagTrailsInPlay). */
function inPlay(since: string): SQL {
  return or(notInArray(t.bags.state, ['disposed', 'voided']), gte(t.bags.lastStepAt, since), gte(t.bags.sealedAt, since))!;
}

function bagWhere(f: BagFilter): SQL | undefined {
  const nothing = sql`false`;
  return conjunction([
    f.institutions !== undefined ? (f.institutions.length > 0 ? inArray(t.bags.institution, f.institutions) : nothing) : undefined,
    f.disposalInstitution !== undefined ? eq(t.bags.disposalInstitution, f.disposalInstitution) : undefined,
    f.vehicles !== undefined ? (f.vehicles.length > 0 ? inArray(t.bags.vehicle, f.vehicles) : nothing) : undefined,
    f.from !== undefined ? gte(t.bags.sealedAt, f.from) : undefined,
    f.to !== undefined ? lt(t.bags.sealedAt, f.to) : undefined,
    f.states !== undefined ? (f.states.length > 0 ? inArray(t.bags.state, f.states) : nothing) : undefined,
    f.category !== undefined ? eq(t.bags.category, f.category) : undefined,
    f.manifest !== undefined ? eq(t.bags.manifest, f.manifest) : undefined,
  ]);
}





