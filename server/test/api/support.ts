/**
 * A small city for API tests, on a real SQLite file: Hangzhou (330100) with two districts and their
 * grids, two hospitals, a disposal centre, two transport companies and their vehicles; devices that
 * sign real records with fixed keys; four bags with known custody; users of every role with sessions.
 * Everything is deterministic: fixed keys, fixed times, a clock the test moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeBagLabel,
  GENESIS_PREV,
  signRecord,
  toBase64,
  type CustodyEvent,
  type DecodedRecord,
  type Ed25519Signer,
  type StationRole,
} from '@wastetrail/firmware-protocol';
import { buildApp, type ApiInstance, type AppDeps } from '../../src/api/app.ts';
import { hashPassword } from '@wastetrail/gateway';
import { startSession, type Principal } from '../../src/auth/index.ts';
import { BagProjection } from '../../src/bags/index.ts';
import { ManifestProjection } from '../../src/manifests/index.ts';
import { tagsOfEvent } from '../../src/custody/index.ts';
import { openSqliteStore, type CustodyStore, type NewAlert, type SqliteStore, type UserRole } from '../../src/store/index.ts';

export const CITY = '330100';
export const XIHU = '330106';
export const YUHANG = '330110';
export const G01 = '330106-g01';
export const G02 = '330106-g02';
export const G05 = '330110-g05';

export const H1 = 'hz-h001';
export const H2 = 'hz-h002';
export const D1 = 'hz-d001';
export const T1 = 'hz-t001';
export const T2 = 'hz-t002';
/** Plates: what the records name the vehicles by. The registry's own ids differ on purpose (VEHICLE_IDS). */
export const V1 = '浙A1234';
export const V2 = '浙B9999';
export const VEHICLE_IDS = { [V1]: 'hz-t001-v1', [V2]: 'hz-t002-v1' } as const;

/** 2026-03-05 08:00 in Hangzhou. */
export const NOW = Date.parse('2026-03-05T00:00:00.000Z');

const g = (value: number) => ({ value, unit: 'g' as const });
const at = (iso: string) => iso;

/** A bag label that decodes (WT1 with its check character). */
export const LABEL_B = (() => {
  const r = encodeBagLabel({ institution: 'H001', department: 'ICU', category: 'sharps', date: '2026-03-02', serial: '0042' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
})();

/** The four bags. A: hospital 1, ward to furnace on V1 (T1). B: hospital 1, waiting in storage (label only). C: hospital 2, in transit on V2 (T2). D: hospital 2, received at D1 from V1. */
export const BAG_A = 'epc:3074257bf7194e4000001a01';
export const BAG_A_QR = 'qr:WT-A-SECOND-TAG';
export const BAG_B = `qr:${LABEL_B}`;
export const BAG_C = 'epc:3074257bf7194e4000001c03';
export const BAG_D = 'epc:3074257bf7194e4000001d04';
export const ALL_BAGS = [BAG_A, BAG_B, BAG_C, BAG_D];

/** An edge device with a fixed key and its own hash chain. */
export class TestDevice {
  readonly id: string;
  readonly institution: string;
  readonly stations: StationRole[];
  readonly signer: Ed25519Signer;
  readonly chain: DecodedRecord[] = [];

  constructor(id: string, institution: string, stations: StationRole[], seed: number) {
    this.id = id;
    this.institution = institution;
    this.stations = stations;
    this.signer = ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem);
  }

  get publicKey(): string {
    return toBase64(this.signer.publicKeySpki);
  }

  sign(event: CustodyEvent, time: string): DecodedRecord {
    const r = signRecord({ device: this.id, seq: this.chain.length + 1, prev: this.chain.at(-1)?.hash ?? GENESIS_PREV, time, event }, this.signer);
    this.chain.push(r);
    return r;
  }
}

export interface TestWorld {
  store: SqliteStore;
  dir: string;
  devices: { h1: TestDevice; h2: TestDevice; d1: TestDevice };
  /** Sessions by user name: bearer tokens. */
  tokens: Record<string, string>;
  principals: Record<string, Principal>;
  clock: { now: number };
  deps: AppDeps;
  cleanup(): Promise<void>;
}

/** Users of every role and scope that the tests use; all with the password `correct horse battery`. */
export const PASSWORD = 'correct horse battery';
export const USERS: ReadonlyArray<{ username: string; role: UserRole; scope: string | null }> = [
  { username: 'reg-city', role: 'regulator', scope: CITY },
  { username: 'reg-xihu', role: 'regulator', scope: XIHU },
  { username: 'reg-g01', role: 'regulator', scope: G01 },
  { username: 'reg-yuhang', role: 'regulator', scope: YUHANG },
  { username: 'admin-h1', role: 'institution_admin', scope: H1 },
  { username: 'admin-h2', role: 'institution_admin', scope: H2 },
  { username: 'crew-t1', role: 'transport', scope: T1 },
  { username: 'crew-t2', role: 'transport', scope: T2 },
  { username: 'centre-d1', role: 'disposal', scope: D1 },
  { username: 'citizen', role: 'public', scope: null },
];

let passwordHashOnce: Promise<string> | undefined;

export async function openTestWorld(options: { users?: boolean; deps?: Partial<AppDeps> } = {}): Promise<TestWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-api-'));
  const store = openSqliteStore(join(dir, 'wastetrail.db'));
  await store.upsertJurisdiction({ id: CITY, parent: null, level: 'city', name: '杭州市 Hangzhou' });
  await store.upsertJurisdiction({ id: XIHU, parent: CITY, level: 'district', name: '西湖区 Xihu' });
  await store.upsertJurisdiction({ id: YUHANG, parent: CITY, level: 'district', name: '余杭区 Yuhang' });
  await store.upsertJurisdiction({ id: G01, parent: XIHU, level: 'grid', name: 'Xihu grid 1' });
  await store.upsertJurisdiction({ id: G02, parent: XIHU, level: 'grid', name: 'Xihu grid 2' });
  await store.upsertJurisdiction({ id: G05, parent: YUHANG, level: 'grid', name: 'Yuhang grid 5' });
  await store.upsertInstitution({ id: H1, name: '市第一人民医院 City Hospital No. 1', kind: 'hospital', jurisdiction: G01 });
  await store.upsertInstitution({ id: H2, name: '西湖区中医院 Xihu TCM Hospital', kind: 'hospital', jurisdiction: G02 });
  await store.upsertInstitution({ id: D1, name: '余杭医废处置中心 Yuhang Disposal Centre', kind: 'disposal', jurisdiction: G05 });
  await store.upsertInstitution({ id: T1, name: '杭州医废转运 Hangzhou Waste Transport', kind: 'transport', jurisdiction: CITY });
  await store.upsertInstitution({ id: T2, name: '西湖转运 Xihu Transport', kind: 'transport', jurisdiction: XIHU });
  await store.upsertDepartment({ institution: H1, code: 'ICU', name: '重症监护室 ICU' });
  await store.upsertTransportCompany({ id: T1, licence: 'ZJ-WT-0001' });
  await store.upsertTransportCompany({ id: T2, licence: 'ZJ-WT-0002' });
  await store.upsertVehicle({ id: VEHICLE_IDS[V1], company: T1, plate: V1 });
  await store.upsertVehicle({ id: VEHICLE_IDS[V2], company: T2, plate: V2 });

  const devices = {
    h1: new TestDevice('hz-h001-kiosk-01', H1, ['department', 'collection', 'storage'], 11),
    h2: new TestDevice('hz-h002-kiosk-01', H2, ['department', 'collection', 'storage'], 12),
    d1: new TestDevice('hz-d001-line-01', D1, ['disposal'], 13),
  };
  for (const d of Object.values(devices)) {
    await store.registerDevice({ id: d.id, institution: d.institution, stations: d.stations, keys: [{ publicKey: d.publicKey }] });
  }

  const clock = { now: NOW };
  const deps: AppDeps = { store, clock: () => clock.now, demo: false, ...options.deps };
  const world: TestWorld = {
    store,
    dir,
    devices,
    tokens: {},
    principals: {},
    clock,
    deps,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.users !== false) {
    // One scrypt hash for all (createUser's own checks are tested in test/auth): ten hashes per test would cost seconds.
    const passwordHash = await (passwordHashOnce ??= hashPassword(PASSWORD));
    for (const u of USERS) {
      const user = await store.createUser({ username: u.username, passwordHash, role: u.role, ...(u.scope !== null ? { scope: u.scope } : {}), createdAt: new Date(NOW).toISOString() });
      world.tokens[u.username] = (await startSession(store, user, NOW)).token;
      world.principals[u.username] = { userId: user.id, username: u.username, role: u.role, scope: u.scope };
    }
  }
  return world;
}

/** Stores signed records as ingest would (tags indexed), then projects the bags. */
export async function commit(store: CustodyStore, records: DecodedRecord[]): Promise<void> {
  await store.appendRecords({
    records: records.map((r) => ({
      device: r.record.device,
      seq: r.record.seq,
      hash: r.hash,
      prev: r.record.prev,
      kid: r.record.kid,
      deviceTime: r.record.time,
      receivedAt: r.record.time,
      type: r.record.type,
      bytes: r.bytes,
      signature: r.signature,
      body: r.record.body,
      tags: tagsOfEvent({ type: r.record.type, body: r.record.body } as CustodyEvent),
    })),
    quarantine: [],
    acks: [],
  });
  await new BagProjection({ store }).rebuildAll();
  await new ManifestProjection({ store }).rebuildAll();
}

/**
 * The four bags' custody, signed by the three devices:
 * A (two tags) sealed at H1, collected, stored, picked up on V1, received and incinerated at D1, with a
 * correction amending its collected weight; B sealed and stored at H1; C sealed at H2, picked up on V2;
 * D sealed at H2, picked up on V1, received at D1.
 */
export async function seedBags(w: TestWorld): Promise<void> {
  const { h1, h2, d1 } = w.devices;
  const rs: DecodedRecord[] = [];
  rs.push(h1.sign({ type: 'sealed', body: { tags: [BAG_A, BAG_A_QR], category: 'infectious', weight: g(1250), department: 'ICU', staff: 'badge-0101' } }, at('2026-03-02T01:00:00.000Z')));
  rs.push(h1.sign({ type: 'sealed', body: { tags: [BAG_B], category: 'sharps', weight: g(830), department: 'ICU', staff: 'badge-0101' } }, at('2026-03-02T01:05:00.000Z')));
  const collected = h1.sign({ type: 'collected', body: { bags: [{ tag: BAG_A, weight: g(1240) }], weight: g(1240), giver: 'badge-0101', receiver: 'badge-0207' } }, at('2026-03-02T03:00:00.000Z'));
  rs.push(collected);
  rs.push(h1.sign({ type: 'stored', body: { bags: [{ tag: BAG_A, weight: g(1248) }, { tag: BAG_B, weight: g(829) }], weight: g(2077), keeper: 'badge-0303', room: 'STORE-1' } }, at('2026-03-02T04:00:00.000Z')));
  rs.push(
    h1.sign(
      { type: 'correction', body: { target: { device: h1.id, seq: collected.record.seq, hash: collected.hash }, action: 'amend', reason: 'scale read before the cart settled', authorisedBy: 'badge-0001', amend: { weight: g(1249) } } },
      at('2026-03-02T04:30:00.000Z'),
    ),
  );
  rs.push(h1.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_A, weight: g(1247) }], weight: g(1247), giver: 'badge-0303', crew: 'crew-5501', vehicle: V1, manifest: 'HZ2026030300017' } }, at('2026-03-03T01:00:00.000Z')));
  rs.push(h2.sign({ type: 'sealed', body: { tags: [BAG_C], category: 'pathological', weight: g(2000), department: 'PATH', staff: 'badge-2101' } }, at('2026-03-02T02:00:00.000Z')));
  rs.push(h2.sign({ type: 'sealed', body: { tags: [BAG_D], category: 'infectious', weight: g(900), department: 'WARD3', staff: 'badge-2102' } }, at('2026-03-02T02:10:00.000Z')));
  rs.push(h2.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_C, weight: g(1998) }], weight: g(1998), giver: 'badge-2303', crew: 'crew-7702', vehicle: V2, manifest: 'HZ2026030300021' } }, at('2026-03-03T02:00:00.000Z')));
  rs.push(h2.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_D, weight: g(899) }], weight: g(899), giver: 'badge-2303', crew: 'crew-5501', vehicle: V1, manifest: 'HZ2026030300017' } }, at('2026-03-03T01:30:00.000Z')));
  rs.push(d1.sign({ type: 'received', body: { bags: [{ tag: BAG_A, weight: g(1246) }, { tag: BAG_D, weight: g(898) }], weight: g(2144), operator: 'op-7001', vehicle: V1, manifest: 'HZ2026030300017' } }, at('2026-03-03T03:00:00.000Z')));
  rs.push(d1.sign({ type: 'disposed', body: { bags: [BAG_A], method: 'incineration', batch: 'KILN2-20260303-01', operator: 'op-7001', weight: g(1246) } }, at('2026-03-03T05:00:00.000Z')));
  await commit(w.store, rs);
}

/** An alert row as the alert book stores it, with what the scope tests need. */
export function alertRow(over: Partial<NewAlert> & Pick<NewAlert, 'rule' | 'dedupeKey' | 'subject'>): NewAlert {
  const opened = '2026-03-04T00:00:00.000Z';
  return {
    severity: 'warning',
    currentSeverity: 'warning',
    title: 'an alert',
    messageKey: 'device-silent',
    params: {},
    institution: null,
    jurisdiction: null,
    bag: null,
    device: null,
    status: 'open',
    escalationLevel: 1,
    openedAt: opened,
    awaitingAckSince: opened,
    acknowledgedAt: null,
    acknowledgedBy: null,
    acknowledgeNote: null,
    resolvedAt: null,
    resolvedBy: null,
    note: null,
    since: opened,
    conditionClearedAt: null,
    evidence: [],
    occurrences: 1,
    lastSeenAt: opened,
    details: {},
    ...over,
  };
}

/**
 * Three alerts: storage overdue of bag B (routed to H1), missing in transit of bag C (routed to H2,
 * about a bag on T2's vehicle), a silent device at D1. Returns their ids.
 */
export async function seedAlerts(w: TestWorld): Promise<{ storage: number; transit: number; silent: number }> {
  const storage = await w.store.insertAlert(
    alertRow({
      rule: 'storage-overdue',
      dedupeKey: `storage-overdue:bag:${BAG_B}`,
      subject: `bag:${BAG_B}`,
      messageKey: 'storage-overdue',
      title: `Bag ${BAG_B} has been in storage room STORE-1 at ${H1} for 68 h (limit 48 h).`,
      params: { bag: BAG_B, room: 'STORE-1', institution: H1, hours: 68, limitHours: 48 },
      severity: 'critical',
      currentSeverity: 'critical',
      institution: H1,
      jurisdiction: G01,
      bag: BAG_B,
    }),
  );
  const transit = await w.store.insertAlert(
    alertRow({
      rule: 'missing-in-transit',
      dedupeKey: `missing-in-transit:bag:${BAG_C}`,
      subject: `bag:${BAG_C}`,
      messageKey: 'missing-in-transit',
      title: `Bag ${BAG_C} picked up ... not received`,
      params: { bag: BAG_C, institution: H2, vehicle: V2, manifest: 'HZ2026030300021', hours: 46, limitHours: 24 },
      severity: 'critical',
      currentSeverity: 'critical',
      institution: H2,
      jurisdiction: G02,
      bag: BAG_C,
    }),
  );
  const silent = await w.store.insertAlert(
    alertRow({
      rule: 'device-silent',
      dedupeKey: `device-silent:device:${w.devices.d1.id}`,
      subject: `device:${w.devices.d1.id}`,
      messageKey: 'device-silent',
      title: 'silent',
      params: { device: w.devices.d1.id, institution: D1, lastSeen: '2026-03-04T00:00:00.000Z', limitMinutes: 30 },
      institution: D1,
      jurisdiction: G05,
      device: w.devices.d1.id,
    }),
  );
  if (!storage || !transit || !silent) throw new Error('alerts not inserted');
  return { storage: storage.id, transit: transit.id, silent: silent.id };
}

export type SeededAlerts = Awaited<ReturnType<typeof seedAlerts>>;

/** A test world with the four bags and the three alerts seeded, and the app over it; closeApp closes both. */
export async function openSeededApp(): Promise<{ w: TestWorld; app: ApiInstance; ids: SeededAlerts }> {
  const w = await openTestWorld();
  await seedBags(w);
  const ids = await seedAlerts(w);
  return { w, app: await buildApp(w.deps), ids };
}

export async function closeApp(w: TestWorld, app: ApiInstance): Promise<void> {
  await app.close();
  await w.cleanup();
}

export async function appFor(w: TestWorld) {
  return buildApp(w.deps);
}

export const bearer = (w: TestWorld, user: string) => ({ authorization: `Bearer ${w.tokens[user]}` });
