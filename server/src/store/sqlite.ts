/**
 * The embedded store: drizzle over better-sqlite3, one file, WAL, one writer. Every write is a
 * synchronous better-sqlite3 transaction (they cannot span an await); the async repository methods just
 * wrap the result. Migrations from server/drizzle/sqlite/ are applied on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, gt, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fromBase64, KEYRING_FORMAT, keyId, keyringToJson, parseKeyring, type ChainHead, type EventType, type Keyring, type StationRole } from '@wastetrail/firmware-protocol';
import type {
  Alert,
  AlertFilter,
  AppendOutcome,
  CustodyStore,
  Department,
  DeviceRegistration,
  DeviceStatus,
  DeviceStatusPatch,
  Institution,
  Jurisdiction,
  NewAlert,
  NewQuarantineEntry,
  NewUser,
  QuarantineEntry,
  RecordBatch,
  Session,
  StaffBadge,
  StoredRecord,
  TransportCompany,
  User,
  Vehicle,
} from './repository.ts';
import { DEFAULT_QUARANTINE_PAYLOAD_LIMIT } from './repository.ts';
import * as schema from './schema.sqlite.ts';

export const SQLITE_MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));

/** Rows per multi-row INSERT: well under SQLite's 32766 bound variables at 12 columns. */
const INSERT_CHUNK = 500;

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
    return new SqliteCustodyStore(db, file, options.quarantinePayloadLimit ?? DEFAULT_QUARANTINE_PAYLOAD_LIMIT);
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
  private closed = false;

  constructor(db: SqliteDatabase, file: string, quarantineLimit: number) {
    this.db = db;
    this.file = file;
    this.quarantineLimit = quarantineLimit;
  }

  // ---- Records ----

  async appendRecords(batch: RecordBatch): Promise<AppendOutcome> {
    return this.db.transaction(
      (tx) => {
        const outcome: AppendOutcome = { stored: 0, duplicates: [], conflicts: [], acks: [] };
        for (let i = 0; i < batch.records.length; i += INSERT_CHUNK) {
          const chunk = batch.records.slice(i, i + INSERT_CHUNK);
          const inserted = tx
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
                bytes: Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
                signature: Buffer.from(r.signature.buffer, r.signature.byteOffset, r.signature.byteLength),
                body: r.body,
              })),
            )
            .onConflictDoNothing()
            .returning({ device: t.records.device, seq: t.records.seq })
            .all();
          outcome.stored += inserted.length;
          const fresh = new Set(inserted.map((r) => `${r.device}\n${r.seq}`));
          const tags: Array<{ tag: string; device: string; seq: number }> = [];
          for (const r of chunk) {
            if (fresh.has(`${r.device}\n${r.seq}`)) {
              for (const tag of new Set(r.tags)) tags.push({ tag, device: r.device, seq: r.seq });
              continue;
            }
            const stored = tx
              .select({ hash: t.records.hash })
              .from(t.records)
              .where(and(eq(t.records.device, r.device), eq(t.records.seq, r.seq)))
              .get();
            if (stored?.hash === r.hash) outcome.duplicates.push({ device: r.device, seq: r.seq });
            else outcome.conflicts.push({ device: r.device, seq: r.seq, hash: r.hash, storedHash: stored?.hash ?? '' });
          }
          for (let j = 0; j < tags.length; j += INSERT_CHUNK) {
            tx.insert(t.recordTags).values(tags.slice(j, j + INSERT_CHUNK)).onConflictDoNothing().run();
          }
        }
        this.insertQuarantine(tx, batch.quarantine);
        for (const ack of batch.acks) {
          // An ack must name a record that is stored with that hash, whoever stored it.
          const stored = tx
            .select({ hash: t.records.hash })
            .from(t.records)
            .where(and(eq(t.records.device, ack.device), eq(t.records.seq, ack.seq)))
            .get();
          if (stored?.hash !== ack.hash) continue;
          const recorded = tx
            .insert(t.deviceStatus)
            .values({ device: ack.device, ackedSeq: ack.seq, ackedHash: ack.hash })
            // Another process on the same file may have acked further: never move the ack backwards.
            .onConflictDoUpdate({
              target: t.deviceStatus.device,
              set: { ackedSeq: ack.seq, ackedHash: ack.hash },
              setWhere: sql`${t.deviceStatus.ackedSeq} is null or ${t.deviceStatus.ackedSeq} <= ${ack.seq}`,
            })
            .returning({ device: t.deviceStatus.device })
            .all();
          if (recorded.length > 0) outcome.acks.push(ack);
        }
        for (const { device, at } of batch.seen ?? []) {
          tx.insert(t.deviceStatus).values({ device, lastSeenAt: at }).onConflictDoUpdate({ target: t.deviceStatus.device, set: { lastSeenAt: at } }).run();
        }
        return outcome;
      },
      { behavior: 'immediate' },
    );
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
    return row && toStoredRecord(row);
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
    return rows.map((r) => toStoredRecord(r.record));
  }

  async recordsOfDevice(device: string, fromSeq: number, limit: number): Promise<StoredRecord[]> {
    return this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.device, device), gte(t.records.seq, fromSeq)))
      .orderBy(asc(t.records.seq))
      .limit(limit)
      .all()
      .map(toStoredRecord);
  }

  async recordsAfter(afterId: number, limit: number): Promise<StoredRecord[]> {
    return this.db.select().from(t.records).where(gt(t.records.id, afterId)).orderBy(asc(t.records.id)).limit(limit).all().map(toStoredRecord);
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
  }

  async revokeDeviceKey(device: string, kid: string, at: string): Promise<boolean> {
    return this.db.transaction(
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

  async keyring(): Promise<Keyring> {
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

  // ---- Alerts ----

  async openAlert(a: NewAlert): Promise<{ alert: Alert; created: boolean }> {
    return this.db.transaction(
      (tx) => {
        const open = tx
          .select()
          .from(t.alerts)
          .where(and(eq(t.alerts.dedupeKey, a.dedupeKey), ne(t.alerts.status, 'resolved')))
          .get();
        if (open) {
          const alert = tx
            .update(t.alerts)
            .set({ occurrences: open.occurrences + 1, lastSeenAt: a.at > open.lastSeenAt ? a.at : open.lastSeenAt, details: { ...open.details, ...a.details } })
            .where(eq(t.alerts.id, open.id))
            .returning()
            .get();
          return { alert: alert as Alert, created: false };
        }
        const alert = tx
          .insert(t.alerts)
          .values({
            rule: a.rule,
            severity: a.severity,
            dedupeKey: a.dedupeKey,
            title: a.title,
            institution: a.institution ?? null,
            jurisdiction: a.jurisdiction ?? null,
            bag: a.bag ?? null,
            device: a.device ?? null,
            status: 'open',
            escalationLevel: 1,
            occurrences: 1,
            openedAt: a.at,
            lastSeenAt: a.at,
            details: a.details ?? {},
          })
          .returning()
          .get();
        return { alert: alert as Alert, created: true };
      },
      { behavior: 'immediate' },
    );
  }

  async acknowledgeAlert(id: number, by: string, at: string, note?: string): Promise<Alert | undefined> {
    return this.db
      .update(t.alerts)
      .set({ status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by, ...(note !== undefined ? { note } : {}) })
      .where(and(eq(t.alerts.id, id), eq(t.alerts.status, 'open')))
      .returning()
      .get() as Alert | undefined;
  }

  async resolveAlert(id: number, by: string, at: string, note: string): Promise<Alert | undefined> {
    return this.db
      .update(t.alerts)
      .set({ status: 'resolved', resolvedAt: at, resolvedBy: by, note })
      .where(and(eq(t.alerts.id, id), ne(t.alerts.status, 'resolved')))
      .returning()
      .get() as Alert | undefined;
  }

  async escalateAlert(id: number, level: 1 | 2 | 3): Promise<Alert | undefined> {
    return this.db
      .update(t.alerts)
      .set({ escalationLevel: level })
      .where(and(eq(t.alerts.id, id), ne(t.alerts.status, 'resolved'), lt(t.alerts.escalationLevel, level)))
      .returning()
      .get() as Alert | undefined;
  }

  async alert(id: number): Promise<Alert | undefined> {
    return this.db.select().from(t.alerts).where(eq(t.alerts.id, id)).get() as Alert | undefined;
  }

  async alerts(filter: AlertFilter = {}): Promise<Alert[]> {
    const statuses = filter.status === undefined ? undefined : Array.isArray(filter.status) ? filter.status : [filter.status];
    const where = conjunction([
      statuses ? inArray(t.alerts.status, statuses) : undefined,
      filter.rule !== undefined ? eq(t.alerts.rule, filter.rule) : undefined,
      filter.device !== undefined ? eq(t.alerts.device, filter.device) : undefined,
      filter.institution !== undefined ? eq(t.alerts.institution, filter.institution) : undefined,
      filter.jurisdiction !== undefined ? eq(t.alerts.jurisdiction, filter.jurisdiction) : undefined,
    ]);
    return this.db
      .select()
      .from(t.alerts)
      .where(where)
      .orderBy(asc(t.alerts.id))
      .limit(filter.limit ?? 1000)
      .all() as Alert[];
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.$client.close();
  }
}

function conjunction(parts: Array<SQL | undefined>): SQL | undefined {
  const present = parts.filter((p): p is SQL => p !== undefined);
  return present.length === 0 ? undefined : and(...present);
}

function registrationJson(d: DeviceRegistration): unknown {
  return {
    institution: d.institution,
    stations: d.stations,
    ...(d.site !== undefined ? { site: d.site } : {}),
    keys: d.keys.map((k) => ({ publicKey: k.publicKey, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}) })),
  };
}

function toStoredRecord(row: typeof schema.records.$inferSelect): StoredRecord {
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
