/**
 * The embedded store: drizzle over better-sqlite3, one file, WAL, one writer. Every write is a
 * synchronous better-sqlite3 transaction (they cannot span an await); the async repository methods just
 * wrap the result. Migrations from server/drizzle/sqlite/ are applied on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, lt, lte, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
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
import { DEFAULT_QUARANTINE_PAYLOAD_LIMIT } from './repository.ts';
import { alertChanges, alertFromRow, alertsOpenedColumns, alertsOpenedWhere, announcedDrawRow, bagFromRow, bagOrderBy, bagRow, bagTagRows, chunks, conjunction, correctionTarget, countsPerInstitution, DEFAULT_BAG_PAGE, inspectionsWhere, inspectorChanges, jurisdictionsWhere, listOf, newAlertRow, registrationJson, sealedTotalsColumns, sealedTotalsWhere, storedRecordFromRow, vehicleSpanOf, violationsWhere, type SealedTotalsDialect } from './rows.ts';
import { changeFromRow, deliveryChanges, newSubscriptionRow, subscriptionFromRow } from './change-rows.ts';
import * as schema from './schema.sqlite.ts';
import type { DrawResult } from '../supervision/draw.ts';
import { KeyringCache } from './keyring-cache.ts';
import { edgeOf, logAppend } from './log-append.ts';
import { hotStatements, type HotStatements } from './sqlite-statements.ts';

export const SQLITE_MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));

/** Rows per multi-row INSERT: well under SQLite's 32766 bound variables at 12 columns. */
const INSERT_CHUNK = 500;
/** Values per IN (...) list. */
const IN_CHUNK = 500;
/** (device, seq) pairs per OR-of-ANDs: keeps the expression well under SQLite's depth limit. */
const PAIR_CHUNK = 100;
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
    const db = drizzle({ client, schema });
    migrate(db, { migrationsFolder: SQLITE_MIGRATIONS_DIR });
    const store = new SqliteCustodyStore(db, file, options.quarantinePayloadLimit ?? DEFAULT_QUARANTINE_PAYLOAD_LIMIT);
    store.sequenceBacklog();
    return store;
  } catch (err) {
    client.close();
    throw err;
  }
}

const t = schema;

class SqliteCustodyStore implements SqliteStore {
  readonly db: SqliteDatabase;
  readonly file: string;
  private readonly quarantineLimit: number;
  /** Prepared once: the statements every record and every bag goes through. */
  private readonly hot: HotStatements;
  private readonly correctionsOf;
  private readonly keyringCache = new KeyringCache(() => this.readKeyring());
  private closed = false;

  constructor(db: SqliteDatabase, file: string, quarantineLimit: number) {
    this.db = db;
    this.file = file;
    this.quarantineLimit = quarantineLimit;
    this.hot = hotStatements(db.$client);
    this.correctionsOf = db
      .select({ record: t.records })
      .from(t.recordCorrections)
      .innerJoin(t.records, and(eq(t.records.device, t.recordCorrections.device), eq(t.records.seq, t.recordCorrections.seq)))
      .where(and(eq(t.recordCorrections.targetDevice, sql.placeholder('device')), eq(t.recordCorrections.targetSeq, sql.placeholder('seq'))))
      .prepare();
  }

  // ---- Records ----

  async appendRecords(batch: RecordBatch): Promise<AppendOutcome> {
    const hot = this.hot;
    return this.db.transaction(
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
          if (span) this.db.insert(t.vehicleTrackRecords).values({ ...span, device: r.device, seq: r.seq }).onConflictDoNothing().run();
          const target = correctionTarget(r.type, r.body);
          if (target) hot.insertCorrection({ targetDevice: target.device, targetSeq: target.seq, device: r.device, seq: r.seq });
        }
        outcome.leaves = this.sequence(fresh);
        this.insertQuarantine(tx, batch.quarantine);
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
  }

  /** Appends leaves for newly stored records, in the caller's transaction (BEGIN IMMEDIATE: the one writer); returns them. */
  private sequence(records: ReadonlyArray<Pick<NewRecord, 'device' | 'seq' | 'hash' | 'signature'>>): AppendOutcome['leaves'] {
    if (records.length === 0) return [];
    const hot = this.hot;
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
  sequenceBacklog(): void {
    const r = t.records;
    const step = () => {
      const through = this.db.select({ id: t.logHead.backlogThrough }).from(t.logHead).get()!.id;
      if (through === 0) return false;
      const unlogged = this.db
        .select({ device: r.device, seq: r.seq, hash: r.hash, signature: r.signature })
        .from(r)
        .where(and(lte(r.id, through), sql`not exists (select 1 from ${t.logLeaves} where ${t.logLeaves.device} = ${r.device} and ${t.logLeaves.seq} = ${r.seq})`))
        .orderBy(asc(r.id))
        .limit(BACKLOG_CHUNK)
        .all();
      if (unlogged.length === 0) this.db.update(t.logHead).set({ backlogThrough: 0 }).run();
      else this.sequence(unlogged);
      return unlogged.length > 0;
    };
    while (this.db.transaction(step, { behavior: 'immediate' }));
  }

  // ---- The verifiable log ----

  async logSize(): Promise<number> {
    return this.hot.logSize();
  }

  async logNodes(nodes: readonly NodeAddress[]): Promise<Map<string, Hash>> {
    const found = new Map<string, Hash>();
    for (const n of nodes) {
      const h = n.level === 0 ? this.hot.leafHash(n.index) : this.hot.nodeHash(n.level, n.index);
      if (h) found.set(nodeKey(n), new Uint8Array(h));
    }
    return found;
  }

  async logNodeRow(level: number, from: number, to: number): Promise<Hash[]> {
    const rows =
      level === 0
        ? this.db.select({ hash: t.logLeaves.leafHash }).from(t.logLeaves).where(and(gte(t.logLeaves.index, from), lt(t.logLeaves.index, to))).orderBy(asc(t.logLeaves.index)).all()
        : this.db
            .select({ hash: t.logNodes.hash })
            .from(t.logNodes)
            .where(and(eq(t.logNodes.level, level), gte(t.logNodes.index, from), lt(t.logNodes.index, to)))
            .orderBy(asc(t.logNodes.index))
            .all();
    return rows.map((r) => new Uint8Array(r.hash));
  }

  async logEntries(from: number, to: number): Promise<Uint8Array[]> {
    const rows = this.db.select({ entry: t.logLeaves.entry }).from(t.logLeaves).where(and(gte(t.logLeaves.index, from), lt(t.logLeaves.index, to))).orderBy(asc(t.logLeaves.index)).all();
    return rows.map((r) => new Uint8Array(r.entry));
  }

  async logIndexes(records: ReadonlyArray<{ device: string; seq: number }>): Promise<Array<number | undefined>> {
    const found = new Map<string, number>();
    for (const part of chunks(records, PAIR_CHUNK)) {
      const rows = this.db
        .select({ index: t.logLeaves.index, device: t.logLeaves.device, seq: t.logLeaves.seq })
        .from(t.logLeaves)
        .where(or(...part.map((r) => and(eq(t.logLeaves.device, r.device), eq(t.logLeaves.seq, r.seq)))))
        .all();
      for (const row of rows) found.set(`${row.device}\n${row.seq}`, row.index);
    }
    return records.map((r) => found.get(`${r.device}\n${r.seq}`));
  }

  async addCheckpoint(c: SignedCheckpoint): Promise<boolean> {
    return this.db.insert(t.logCheckpoints).values(c).onConflictDoNothing().run().changes > 0;
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    return this.db.select().from(t.logCheckpoints).orderBy(desc(t.logCheckpoints.size)).limit(1).get();
  }

  async checkpointOf(size: number): Promise<SignedCheckpoint | undefined> {
    return this.db.select().from(t.logCheckpoints).where(eq(t.logCheckpoints.size, size)).get();
  }

  async addCosignature(c: StoredCosignature): Promise<boolean> {
    return this.db.insert(t.logCosignatures).values(c).onConflictDoNothing().run().changes > 0;
  }

  async latestCheckpointCosignedBy(witnesses: readonly string[], quorum: number): Promise<SignedCheckpoint | undefined> {
    if (witnesses.length === 0 || quorum > witnesses.length) return undefined;
    const [row] = this.db
      .select({ size: t.logCosignatures.size })
      .from(t.logCosignatures)
      .where(inArray(t.logCosignatures.witness, [...witnesses]))
      .groupBy(t.logCosignatures.size)
      .having(sql`count(*) >= ${quorum}`)
      .orderBy(desc(t.logCosignatures.size))
      .limit(1)
      .all();
    return row === undefined ? undefined : this.checkpointOf(row.size);
  }

  async cosignaturesOf(size: number): Promise<StoredCosignature[]> {
    return this.db.select().from(t.logCosignatures).where(eq(t.logCosignatures.size, size)).orderBy(asc(t.logCosignatures.addedAt), asc(t.logCosignatures.witness)).all();
  }

  async headOf(device: string): Promise<ChainHead | undefined> {
    return this.db
      .select({ seq: t.records.seq, hash: t.records.hash })
      .from(t.records)
      .where(eq(t.records.device, device))
      .orderBy(desc(t.records.seq))
      .limit(1)
      .get();
  }

  async recordAt(device: string, seq: number): Promise<StoredRecord | undefined> {
    const row = this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.device, device), eq(t.records.seq, seq)))
      .get();
    return row && storedRecordFromRow(row);
  }

  async recordsForTags(tags: readonly string[]): Promise<StoredRecord[]> {
    if (tags.length === 0) return [];
    const rows = this.db
      .selectDistinct({ record: t.records })
      .from(t.recordTags)
      .innerJoin(t.records, and(eq(t.records.device, t.recordTags.device), eq(t.records.seq, t.recordTags.seq)))
      .where(inArray(t.recordTags.tag, [...tags]))
      .orderBy(asc(t.records.id))
      .all();
    return rows.map((r) => storedRecordFromRow(r.record));
  }

  async recordsOfDevice(device: string, fromSeq: number, limit: number): Promise<StoredRecord[]> {
    return this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.device, device), gte(t.records.seq, fromSeq)))
      .orderBy(asc(t.records.seq))
      .limit(limit)
      .all()
      .map(storedRecordFromRow);
  }

  async recordsAfter(afterId: number, limit: number): Promise<StoredRecord[]> {
    return this.db.select().from(t.records).where(gt(t.records.id, afterId)).orderBy(asc(t.records.id)).limit(limit).all().map(storedRecordFromRow);
  }

  async countRecords(): Promise<number> {
    return this.db.select({ n: sql<number>`count(*)` }).from(t.records).get()!.n;
  }

  // ---- Quarantine ----

  async quarantine(entries: readonly NewQuarantineEntry[]): Promise<void> {
    this.db.transaction((tx) => this.insertQuarantine(tx, entries), { behavior: 'immediate' });
  }

  private insertQuarantine(tx: Pick<SqliteDatabase, 'insert'>, entries: readonly NewQuarantineEntry[]): void {
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const rows = entries.slice(i, i + INSERT_CHUNK).map((q) => {
        const kept = q.payload.subarray(0, this.quarantineLimit);
        return {
          receivedAt: q.receivedAt,
          topic: q.topic ?? null,
          code: q.code,
          message: q.message,
          device: q.device ?? null,
          seq: q.seq ?? null,
          payload: Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength),
          payloadBytes: q.payloadBytes,
        };
      });
      tx.insert(t.quarantine).values(rows).run();
    }
  }

  async quarantined(filter: { device?: string; code?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
    const where = conjunction([
      filter.device !== undefined ? eq(t.quarantine.device, filter.device) : undefined,
      filter.code !== undefined ? eq(t.quarantine.code, filter.code) : undefined,
    ]);
    return this.db
      .select()
      .from(t.quarantine)
      .where(where)
      .orderBy(asc(t.quarantine.id))
      .limit(filter.limit ?? 1000)
      .all()
      .map((q) => ({
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
    this.db.insert(t.jurisdictions).values(j).onConflictDoUpdate({ target: t.jurisdictions.id, set: { parent: j.parent, level: j.level, name: j.name } }).run();
  }

  async jurisdictions(): Promise<Jurisdiction[]> {
    return this.db.select().from(t.jurisdictions).orderBy(asc(t.jurisdictions.id)).all();
  }

  async upsertInstitution(i: Institution): Promise<void> {
    this.db
      .insert(t.institutions)
      .values(i)
      .onConflictDoUpdate({ target: t.institutions.id, set: { name: i.name, kind: i.kind, jurisdiction: i.jurisdiction } })
      .run();
  }

  async institution(id: string): Promise<Institution | undefined> {
    return this.db.select().from(t.institutions).where(eq(t.institutions.id, id)).get();
  }

  async institutions(filter: { jurisdiction?: string; kind?: Institution['kind'] } = {}): Promise<Institution[]> {
    const where = conjunction([
      filter.jurisdiction !== undefined ? eq(t.institutions.jurisdiction, filter.jurisdiction) : undefined,
      filter.kind !== undefined ? eq(t.institutions.kind, filter.kind) : undefined,
    ]);
    return this.db.select().from(t.institutions).where(where).orderBy(asc(t.institutions.id)).all();
  }

  async upsertDepartment(d: Department): Promise<void> {
    this.db
      .insert(t.departments)
      .values(d)
      .onConflictDoUpdate({ target: [t.departments.institution, t.departments.code], set: { name: d.name } })
      .run();
  }

  async departments(institution: string): Promise<Department[]> {
    return this.db.select().from(t.departments).where(eq(t.departments.institution, institution)).orderBy(asc(t.departments.code)).all();
  }

  async upsertStaffBadge(b: StaffBadge): Promise<void> {
    this.db
      .insert(t.staffBadges)
      .values(b)
      .onConflictDoUpdate({ target: t.staffBadges.badge, set: { institution: b.institution, name: b.name, role: b.role } })
      .run();
  }

  async staffBadge(badge: string): Promise<StaffBadge | undefined> {
    return this.db.select().from(t.staffBadges).where(eq(t.staffBadges.badge, badge)).get();
  }

  async upsertTransportCompany(c: TransportCompany): Promise<void> {
    this.db.insert(t.transportCompanies).values(c).onConflictDoUpdate({ target: t.transportCompanies.id, set: { licence: c.licence } }).run();
  }

  async upsertVehicle(v: Vehicle): Promise<void> {
    this.db.insert(t.vehicles).values(v).onConflictDoUpdate({ target: t.vehicles.id, set: { company: v.company, plate: v.plate } }).run();
  }

  async vehicle(id: string): Promise<Vehicle | undefined> {
    return this.db.select().from(t.vehicles).where(eq(t.vehicles.id, id)).get();
  }

  async upsertVehicleRoute(r: VehicleRouteEntry): Promise<void> {
    this.db.insert(t.vehicleRoutes).values(r).onConflictDoUpdate({ target: t.vehicleRoutes.vehicle, set: { line: r.line } }).run();
  }

  async vehicleRoutes(): Promise<Array<VehicleRouteEntry & { plate: string }>> {
    return this.db
      .select({ vehicle: t.vehicleRoutes.vehicle, line: t.vehicleRoutes.line, plate: t.vehicles.plate })
      .from(t.vehicleRoutes)
      .innerJoin(t.vehicles, eq(t.vehicles.id, t.vehicleRoutes.vehicle))
      .orderBy(asc(t.vehicleRoutes.vehicle))
      .all();
  }

  async upsertGeofence(g: GeofenceEntry): Promise<void> {
    this.db.insert(t.geofences).values(g).onConflictDoUpdate({ target: t.geofences.id, set: { institution: g.institution, kind: g.kind, ring: g.ring } }).run();
  }

  async geofences(): Promise<GeofenceEntry[]> {
    return this.db.select().from(t.geofences).orderBy(asc(t.geofences.id)).all();
  }

  async vehicleRecords(filter: { vehicles?: readonly string[]; from: string; to: string }): Promise<StoredRecord[]> {
    if (filter.vehicles?.length === 0) return [];
    const v = t.vehicleTrackRecords;
    return this.db
      .select({ record: t.records })
      .from(v)
      .innerJoin(t.records, and(eq(t.records.device, v.device), eq(t.records.seq, v.seq)))
      .where(and(filter.vehicles ? inArray(v.vehicle, [...filter.vehicles]) : undefined, gte(v.toTime, filter.from), lte(v.fromTime, filter.to)))
      .orderBy(asc(t.records.id))
      .all()
      .map((r) => storedRecordFromRow(r.record));
  }

  async vehicles(filter: { company?: string } = {}): Promise<Vehicle[]> {
    const where = filter.company !== undefined ? eq(t.vehicles.company, filter.company) : undefined;
    return this.db.select().from(t.vehicles).where(where).orderBy(asc(t.vehicles.id)).all();
  }

  // ---- Devices and the keyring ----

  async registerDevice(d: DeviceRegistration): Promise<void> {
    // The keyring parser is the one definition of a valid device entry: refuse what it would refuse.
    const checked = parseKeyring({ format: KEYRING_FORMAT, devices: { [d.id]: registrationJson(d) } });
    if (!checked.ok) throw new TypeError(`cannot register device ${d.id}: ${checked.error.message}`);
    const row = { institution: d.institution, stations: [...d.stations], site: d.site ?? null, keys: d.keys.map((k) => ({ ...k })) };
    this.db
      .insert(t.devices)
      .values({ id: d.id, ...row, createdAt: new Date().toISOString() })
      .onConflictDoUpdate({ target: t.devices.id, set: row })
      .run();
    this.keyringCache.invalidate();
  }

  async revokeDeviceKey(device: string, kid: string, at: string): Promise<boolean> {
    const found = await this.db.transaction(
      (tx) => {
        const row = tx.select({ keys: t.devices.keys }).from(t.devices).where(eq(t.devices.id, device)).get();
        if (!row) return false;
        let found = false;
        const keys = row.keys.map((k) => {
          const spki = fromBase64(k.publicKey);
          if (!spki || keyId(spki) !== kid) return k;
          found = true;
          return { ...k, revokedAt: k.revokedAt !== undefined && k.revokedAt < at ? k.revokedAt : at };
        });
        if (found) tx.update(t.devices).set({ keys }).where(eq(t.devices.id, device)).run();
        return found;
      },
      { behavior: 'immediate' },
    );
    // After the commit: a read in between would otherwise keep the key unrevoked.
    if (found) this.keyringCache.invalidate();
    return found;
  }

  async devices(): Promise<DeviceRegistration[]> {
    return this.db
      .select()
      .from(t.devices)
      .orderBy(asc(t.devices.id))
      .all()
      .map((d) => ({
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
    // Round-trip through the parser so the export is exactly what keyringToJson writes.
    const parsed = parseKeyring({ format: KEYRING_FORMAT, devices });
    if (!parsed.ok) throw new Error(`the stored keyring is invalid: ${parsed.error.message}`);
    return keyringToJson(parsed.value);
  }

  // ---- Device status ----

  async upsertDeviceStatus(device: string, patch: DeviceStatusPatch): Promise<void> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as DeviceStatusPatch;
    if (Object.keys(set).length === 0) {
      this.db.insert(t.deviceStatus).values({ device }).onConflictDoNothing().run();
      return;
    }
    this.db.insert(t.deviceStatus).values({ device, ...set }).onConflictDoUpdate({ target: t.deviceStatus.device, set }).run();
  }

  async deviceStatus(device: string): Promise<DeviceStatus | undefined> {
    return this.db.select().from(t.deviceStatus).where(eq(t.deviceStatus.device, device)).get();
  }

  async deviceStatuses(): Promise<DeviceStatus[]> {
    return this.db.select().from(t.deviceStatus).orderBy(asc(t.deviceStatus.device)).all();
  }

  // ---- Storage climate ----

  async addClimateSamples(samples: readonly ClimateSampleRow[]): Promise<void> {
    if (samples.length === 0) return;
    this.db.$client
      .transaction(() => {
        for (const part of chunks(samples, 500)) this.db.insert(t.climateSamples).values([...part]).onConflictDoNothing().run();
      })
      .immediate();
  }

  async climateSamples(f: { institution: string; room: string; from: string; to: string; limit: number }): Promise<ClimateSampleRow[]> {
    const c = t.climateSamples;
    return this.db.select().from(c).where(and(eq(c.institution, f.institution), eq(c.room, f.room), gte(c.time, f.from), lt(c.time, f.to))).orderBy(asc(c.time), asc(c.device), asc(c.seq), asc(c.sample)).limit(f.limit).all();
  }

  async climateSince(since: string): Promise<ClimateSampleRow[]> {
    const c = t.climateSamples;
    return this.db.select().from(c).where(gte(c.time, since)).orderBy(asc(c.institution), asc(c.room), asc(c.time), asc(c.device), asc(c.seq), asc(c.sample)).all();
  }

  async climateRooms(): Promise<ClimateRoom[]> {
    const c = t.climateSamples;
    return this.db.select({ institution: c.institution, room: c.room, lastTime: sql<string>`max(${c.time})` }).from(c).groupBy(c.institution, c.room).orderBy(asc(c.institution), asc(c.room)).all();
  }

  // ---- Bags ----

  async upsertBags(bags: readonly ProjectedBag[], options: { remove?: readonly string[] } = {}): Promise<void> {
    const keep = new Set(bags.map((b) => b.bag));
    const remove = (options.remove ?? []).filter((b) => !keep.has(b));
    const hot = this.hot;
    this.db.$client
      .transaction(() => {
        for (const bag of remove) hot.deleteBag.run(bag);
        for (const b of bags) {
          hot.upsertBag(bagRow(b));
          hot.deleteBagTags.run(b.bag);
          for (const row of bagTagRows(b)) hot.insertBagTag(row);
        }
      })
      .immediate();
  }

  async bag(bag: string): Promise<BagSummary | undefined> {
    const row = this.db.select(bagColumns).from(t.bags).where(eq(t.bags.bag, bag)).get();
    return row && bagFromRow(row);
  }

  async bagByTag(tag: string): Promise<BagSummary | undefined> {
    const row = this.db
      .select(bagColumns)
      .from(t.bagTags)
      .innerJoin(t.bags, eq(t.bags.bag, t.bagTags.bag))
      .where(eq(t.bagTags.tag, tag))
      .orderBy(sql`case when ${t.bags.bag} = ${tag} then 0 else 1 end`, sql`${t.bags.sealedAt} asc nulls last`, asc(t.bags.bag))
      .limit(1)
      .get();
    return row && bagFromRow(row);
  }

  async searchBags(filter: BagFilter): Promise<{ bags: BagSummary[]; total: number }> {
    const where = bagWhere(filter);
    const total = this.db.select({ n: sql<number>`count(*)` }).from(t.bags).where(where).get()!.n;
    const rows = this.db
      .select(bagColumns)
      .from(t.bags)
      .where(where)
      .orderBy(...bagOrderBy(filter.order, t.bags))
      .limit(filter.limit ?? DEFAULT_BAG_PAGE)
      .offset(filter.offset ?? 0)
      .all();
    return { bags: rows.map(bagFromRow), total };
  }

  async dailyMassBalance(institution: string, fromDay: string, toDay: string): Promise<DailyMass[]> {
    return this.db
      .select(dailyMassColumns)
      .from(t.bags)
      .where(and(eq(t.bags.institution, institution), gte(t.bags.sealedDay, fromDay), lte(t.bags.sealedDay, toDay), ne(t.bags.state, 'voided')))
      .groupBy(t.bags.sealedDay)
      .orderBy(asc(t.bags.sealedDay))
      .all() as DailyMass[];
  }

  async bagTrail(bag: string): Promise<BagTrail | undefined> {
    return this.db.select({ trail: t.bags.trail }).from(t.bags).where(eq(t.bags.bag, bag)).get()?.trail ?? undefined;
  }

  async bagTrailsInPlay(since: string): Promise<BagTrail[]> {
    return this.db
      .select({ trail: t.bags.trail })
      .from(t.bags)
      .where(and(isNotNull(t.bags.trail), inPlay(since)))
      .orderBy(asc(t.bags.bag))
      .all()
      .map((r) => r.trail!);
  }

  async correctionsFor(targets: ReadonlyArray<{ device: string; seq: number }>): Promise<StoredRecord[]> {
    const found = new Map<number, StoredRecord>();
    for (const { device, seq } of targets) {
      for (const r of this.correctionsOf.all({ device, seq })) found.set(r.record.id, storedRecordFromRow(r.record));
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  // ---- Manifests ----

  async upsertManifests(manifests: readonly Manifest[]): Promise<void> {
    const set = manifestUpdate();
    this.db.$client
      .transaction(() => {
        for (const m of manifests) this.db.insert(t.manifests).values(manifestRow(m)).onConflictDoUpdate({ target: t.manifests.manifest, set }).run();
      })
      .immediate();
  }

  async manifest(manifest: string): Promise<Manifest | undefined> {
    return this.db.select({ data: t.manifests.data }).from(t.manifests).where(eq(t.manifests.manifest, manifest)).get()?.data;
  }

  async searchManifests(filter: ManifestFilter): Promise<{ manifests: Manifest[]; total: number }> {
    const where = manifestWhere(filter, t.manifests, sql`0 = 1`);
    const total = this.db.select({ n: sql<number>`count(*)` }).from(t.manifests).where(where).get()!.n;
    const rows = this.db
      .select({ data: t.manifests.data })
      .from(t.manifests)
      .where(where)
      .orderBy(desc(t.manifests.startedAt), asc(t.manifests.manifest))
      .limit(filter.limit ?? DEFAULT_MANIFEST_PAGE)
      .offset(filter.offset ?? 0)
      .all();
    return { manifests: rows.map((r) => r.data), total };
  }

  async manifestsInPlay(since: string): Promise<Manifest[]> {
    return this.db.select({ data: t.manifests.data }).from(t.manifests).where(manifestInPlay(since, t.manifests)).orderBy(asc(t.manifests.manifest)).all().map((r) => r.data);
  }

  // ---- Alerts ----

  async insertAlert(a: NewAlert): Promise<Alert | undefined> {
    // The partial unique index on unresolved dedupe keys refuses a second one: the caller decides again.
    const row = this.db.insert(t.alerts).values(newAlertRow(a)).onConflictDoNothing().returning().get();
    return row && alertFromRow(row);
  }

  async updateAlert(a: Alert): Promise<Alert | undefined> {
    const row = this.db
      .update(t.alerts)
      .set({ ...alertChanges(a), revision: a.revision + 1 })
      .where(and(eq(t.alerts.id, a.id), eq(t.alerts.revision, a.revision)))
      .returning()
      .get();
    return row && alertFromRow(row);
  }

  async latestAlerts(dedupeKeys: readonly string[]): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const keys of chunks([...new Set(dedupeKeys)], IN_CHUNK)) {
      const open = this.db
        .select()
        .from(t.alerts)
        .where(and(inArray(t.alerts.dedupeKey, keys), ne(t.alerts.status, 'resolved')))
        .all();
      out.push(...open.map(alertFromRow));
      const missing = keys.filter((k) => !open.some((a) => a.dedupeKey === k));
      if (missing.length === 0) continue;
      const latest = this.db
        .select({ id: sql<number>`max(${t.alerts.id})` })
        .from(t.alerts)
        .where(inArray(t.alerts.dedupeKey, missing))
        .groupBy(t.alerts.dedupeKey)
        .all()
        .map((r) => r.id);
      if (latest.length > 0) out.push(...this.db.select().from(t.alerts).where(inArray(t.alerts.id, latest)).all().map(alertFromRow));
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
      out.push(...this.db.select().from(t.alerts).where(where).all().map(alertFromRow));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async recordAlertSightings(ids: readonly number[], at: string): Promise<void> {
    if (ids.length === 0) return;
    this.db.transaction(
      (tx) => {
        for (const part of chunks(ids, IN_CHUNK)) {
          tx.update(t.alerts)
            .set({ occurrences: sql`${t.alerts.occurrences} + 1`, lastSeenAt: sql`case when ${t.alerts.lastSeenAt} < ${at} then ${at} else ${t.alerts.lastSeenAt} end` })
            .where(inArray(t.alerts.id, part))
            .run();
        }
      },
      { behavior: 'immediate' },
    );
  }

  async alert(id: number): Promise<Alert | undefined> {
    const row = this.db.select().from(t.alerts).where(eq(t.alerts.id, id)).get();
    return row && alertFromRow(row);
  }

  async alerts(filter: AlertFilter = {}): Promise<Alert[]> {
    // The page's ids first, sorted on the few columns the order needs, then their rows: sorting whole
    // rows (evidence, details) to skip thousands of them was three times slower at 10,000 alerts.
    const order = alertOrderBy(filter.order, t.alerts);
    const page = this.db
      .select({ id: t.alerts.id })
      .from(t.alerts)
      .where(alertWhere(filter, t.alerts, sql`0 = 1`))
      .orderBy(...order)
      .limit(filter.limit ?? 1000)
      .offset(filter.offset ?? 0);
    return this.db
      .select()
      .from(t.alerts)
      .where(inArray(t.alerts.id, page))
      .orderBy(...order)
      .all()
      .map(alertFromRow);
  }

  async countAlerts(filter: AlertFilter = {}): Promise<number> {
    return this.db.select({ n: sql<number>`count(*)` }).from(t.alerts).where(alertWhere(filter, t.alerts, sql`0 = 1`)).get()!.n;
  }

  // ---- Users and sessions ----

  async createUser(u: NewUser): Promise<User> {
    return this.db
      .insert(t.users)
      .values({ ...u, scope: u.scope ?? null })
      .returning()
      .get();
  }

  async userByUsername(username: string): Promise<User | undefined> {
    return this.db.select().from(t.users).where(eq(t.users.username, username)).get();
  }

  async userById(id: number): Promise<User | undefined> {
    return this.db.select().from(t.users).where(eq(t.users.id, id)).get();
  }

  async createSession(s: Session): Promise<void> {
    this.db.insert(t.sessions).values(s).run();
  }

  async session(tokenHash: string): Promise<Session | undefined> {
    return this.db.select().from(t.sessions).where(eq(t.sessions.tokenHash, tokenHash)).get();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.db.delete(t.sessions).where(eq(t.sessions.tokenHash, tokenHash)).run();
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    return this.db.delete(t.sessions).where(lt(t.sessions.expiresAt, now)).run().changes;
  }

  // ---- Supervision ----

  async insertViolation(v: NewViolation): Promise<ConfirmedViolation | undefined> {
    // The partial unique index on alert_id refuses a second confirmation of the same alert.
    return this.db.insert(t.violations).values({ ...v, inspectionId: null }).onConflictDoNothing().returning().get();
  }

  async violationOfAlert(alertId: number): Promise<ConfirmedViolation | undefined> {
    return this.db.select().from(t.violations).where(eq(t.violations.alertId, alertId)).get();
  }

  async violations(filter: { institutions?: readonly string[]; from?: string; to?: string } = {}): Promise<ConfirmedViolation[]> {
    if (filter.institutions?.length === 0) return [];
    return this.db.select().from(t.violations).where(violationsWhere(t.violations, filter)).orderBy(desc(t.violations.confirmedAt), desc(t.violations.id)).all();
  }

  async insertInspection(i: NewInspection, findings: readonly NewViolation[]): Promise<{ inspection: Inspection; violations: ConfirmedViolation[] }> {
    return this.db.transaction(
      (tx) => {
        const inspection = tx.insert(t.inspections).values(i).returning().get();
        const violations = findings.map((v) => tx.insert(t.violations).values({ ...v, inspectionId: inspection.id }).returning().get());
        return { inspection, violations };
      },
      { behavior: 'immediate' },
    );
  }

  async inspections(filter: { institutions?: readonly string[]; drawId?: number } = {}): Promise<Inspection[]> {
    if (filter.institutions?.length === 0) return [];
    return this.db.select().from(t.inspections).where(inspectionsWhere(t.inspections, filter)).orderBy(desc(t.inspections.date), desc(t.inspections.id)).all();
  }

  async upsertInspector(i: Inspector): Promise<void> {
    const row = inspectorChanges(i);
    this.db.insert(t.inspectors).values({ id: i.id, ...row }).onConflictDoUpdate({ target: t.inspectors.id, set: row }).run();
  }

  async inspector(id: string): Promise<Inspector | undefined> {
    return this.db.select().from(t.inspectors).where(eq(t.inspectors.id, id)).get();
  }

  async inspectors(filter: { jurisdictions?: readonly string[] } = {}): Promise<Inspector[]> {
    if (filter.jurisdictions?.length === 0) return [];
    return this.db.select().from(t.inspectors).where(jurisdictionsWhere(t.inspectors.jurisdiction, filter.jurisdictions)).orderBy(asc(t.inspectors.id)).all();
  }

  async insertDraw(d: NewDraw): Promise<Draw> {
    return this.db.insert(t.draws).values(announcedDrawRow(d)).returning().get();
  }

  async draw(id: number): Promise<Draw | undefined> {
    return this.db.select().from(t.draws).where(eq(t.draws.id, id)).get();
  }

  async draws(filter: { jurisdictions?: readonly string[] } = {}): Promise<Draw[]> {
    if (filter.jurisdictions?.length === 0) return [];
    return this.db.select().from(t.draws).where(jurisdictionsWhere(t.draws.jurisdiction, filter.jurisdictions)).orderBy(desc(t.draws.id)).all();
  }

  async completeDraw(id: number, result: DrawResult, resultHash: string, drawnAt: string): Promise<Draw | undefined> {
    return this.db
      .update(t.draws)
      .set({ status: 'drawn', result, resultHash, drawnAt })
      .where(and(eq(t.draws.id, id), eq(t.draws.status, 'announced')))
      .returning()
      .get();
  }

  async alertsOpenedPerInstitution(from: string, to: string): Promise<Map<string, number>> {
    const rows = this.db.select(alertsOpenedColumns(t.alerts)).from(t.alerts).where(alertsOpenedWhere(t.alerts, from, to)).groupBy(t.alerts.institution).all();
    return countsPerInstitution(rows);
  }

  async sealedTotals(fromDay: string, toDay: string): Promise<SealedMonthTotals[]> {
    return this.db.select(sealedTotalsColumns(t.bags, SEALED_TOTALS)).from(t.bags).where(sealedTotalsWhere(t.bags, fromDay, toDay)).groupBy(t.bags.institution).orderBy(asc(t.bags.institution)).all();
  }

  // ---- The change feed (docs/interop/changes.md; rows written by triggers, migration 0010) ----

  async changesAfter(after: number, limit: number): Promise<Change[]> {
    return this.db.select().from(t.changes).where(gt(t.changes.id, after)).orderBy(asc(t.changes.id)).limit(limit).all().map(changeFromRow);
  }

  async lastChangeId(): Promise<number> {
    return this.db.select({ id: sql<number | null>`max(${t.changes.id})` }).from(t.changes).get()?.id ?? 0;
  }

  async recordById(id: number): Promise<StoredRecord | undefined> {
    const row = this.db.select().from(t.records).where(eq(t.records.id, id)).get();
    return row && storedRecordFromRow(row);
  }

  async insertSubscription(s: NewSubscription): Promise<Subscription> {
    return subscriptionFromRow(this.db.insert(t.subscriptions).values(newSubscriptionRow(s)).returning().get());
  }

  async subscription(id: number): Promise<Subscription | undefined> {
    const row = this.db.select().from(t.subscriptions).where(eq(t.subscriptions.id, id)).get();
    return row && subscriptionFromRow(row);
  }

  async subscriptions(filter: { userId?: number } = {}): Promise<Subscription[]> {
    const where = filter.userId === undefined ? undefined : eq(t.subscriptions.userId, filter.userId);
    return this.db.select().from(t.subscriptions).where(where).orderBy(asc(t.subscriptions.id)).all().map(subscriptionFromRow);
  }

  async deleteSubscription(id: number): Promise<boolean> {
    return this.db.delete(t.subscriptions).where(eq(t.subscriptions.id, id)).run().changes > 0;
  }

  async leaseSubscription(id: number, now: string, until: string): Promise<boolean> {
    const free = or(sql`${t.subscriptions.leaseUntil} is null`, lt(t.subscriptions.leaseUntil, now));
    return this.db.update(t.subscriptions).set({ leaseUntil: until }).where(and(eq(t.subscriptions.id, id), free)).run().changes > 0;
  }

  async recordDelivery(id: number, outcome: SubscriptionOutcome): Promise<void> {
    // An acknowledgement never moves the cursor back (a slower deliverer's older batch).
    const through = 'deliveredThrough' in outcome ? { deliveredThrough: sql<number>`max(${t.subscriptions.deliveredThrough}, ${outcome.deliveredThrough})` } : {};
    this.db.update(t.subscriptions).set({ ...deliveryChanges(outcome), ...through }).where(eq(t.subscriptions.id, id)).run();
  }

  async releaseSubscription(id: number): Promise<void> {
    this.db.update(t.subscriptions).set({ leaseUntil: null }).where(eq(t.subscriptions.id, id)).run();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.$client.close();
  }
}

const { trail: _trail, ...bagColumns } = getTableColumns(t.bags);

/** On a bag conflict: every column from the new row, but a trail kept when none is given. */
function bagUpdate() {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(bagColumns)) if (key !== 'bag') set[key] = sql.raw(`excluded.${column.name}`);
  set.trail = sql`coalesce(excluded.trail, ${t.bags.trail})`;
  return set;
}

/** sealedTotals' sums of grams fit SQLite's (64-bit) integers; its timestamps are subtracted as Julian days. */
const SEALED_TOTALS: SealedTotalsDialect = {
  gramsType: 'integer',
  handedOverWithin48h: (b) => sql<number>`cast(sum(case when ${b.pickedUpAt} is not null and (julianday(${b.pickedUpAt}) - julianday(${b.sealedAt})) * 86400 <= 172800.001 then 1 else 0 end) as integer)`,
};

const dailyMassColumns = {
  day: sql<string>`${t.bags.sealedDay}`,
  bags: sql<number>`cast(count(*) as integer)`,
  sealedGrams: sql<number>`cast(coalesce(sum(${t.bags.sealedGrams}), 0) as integer)`,
  received: sql<number>`cast(sum(case when ${t.bags.receivedAt} is not null then 1 else 0 end) as integer)`,
  receivedGrams: sql<number>`cast(coalesce(sum(${t.bags.receivedGrams}), 0) as integer)`,
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
  const nothing = sql`0 = 1`;
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






/** A Buffer over the same memory (better-sqlite3 binds Buffers as blobs). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
