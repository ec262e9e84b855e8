/**
 * (d) Trail queries with millions of records stored: a SQLite store filled with `records` custody
 * records (default 10 M) through the store's own appendRecords and upsertBags, then one bag's trail
 * asked for again and again, at random, through the HTTP API (GET /api/v1/tags/:tag, keep-alive,
 * one request at a time, the server in its own process) and through the store calls alone.
 *
 * The city: 50 hospitals with a department, a collection and a storage device each, 2 disposal centres
 * with one device each, one transport company with 10 vehicles; every bag goes through all six steps
 * (sealed, collected, stored, picked-up, received, disposed), one record per step, over about a year
 * ending a week ago. Each device's records form a real hash chain (prev = the hash of its previous
 * record, hash = SHA-256 of the canonical bytes).
 *
 * Signing 10 M records would cost ~10 minutes of both cores, so: the bags queried (`sample`, spread
 * evenly through the fill) are signed for real with their devices' registered keys and projected by
 * the server's own BagProjection (which re-verifies them), because the trail endpoint re-verifies every
 * record of the bag it returns; the other ("filler") records are well-formed canonical records with
 * real hashes and chains but all carry the same 64 signature bytes, and their bags' projection rows are
 * written with upsertBags from the same generator without the trail JSON (the trail endpoint reads the
 * records, never that column; the self-check below compares a generated row with the projected one).
 * Filler records are never read by a query: they are there for the indexes and the file size.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import {
  canonicalJson,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  GENESIS_PREV,
  keyId,
  nodeEd25519Verify,
  RECORD_DOMAIN,
  RECORD_FORMAT_VERSION,
  signRecord,
  toBase64,
  verifyRecord,
  type CustodyEvent,
  type Ed25519Signer,
  type StationRole,
} from '@wastetrail/firmware-protocol';
import { createUser } from '../server/src/auth/index.ts';
import { tagsOfEvent } from '../server/src/custody/index.ts';
import { BagProjection } from '../server/src/bags/index.ts';
import type { AcceptedRecord } from '../server/src/ingest/index.ts';
import { ManifestProjection } from '../server/src/manifests/index.ts';
import { collectBagRecords, loadBag } from '../server/src/exports/index.ts';
import { openPgStore, openSqliteStore, type CustodyStore, type NewRecord, type ProjectedBag } from '../server/src/store/index.ts';
import { percentile, progress, type Row } from './harness.ts';
import { processCpuSeconds } from './ingest.bench.ts';

export interface TrailBenchOptions {
  /** Records to store (about records / 6 bags). */
  records: number;
  /** Queries timed per measurement. */
  queries: number;
  /**
   * A directory to keep the filled store in (`--trail-store`): a store filled there before with the same
   * number of records is used again instead of filling a new one (filling 10 M records takes many minutes).
   */
  keep?: string;
}

export const HOSPITALS = 50;
export const DISPOSAL = 2;
export const VEHICLES = 10;
const STEPS_PER_BAG = 6;
/** Bags per appendRecords call (x 6 records). */
const BAGS_PER_BATCH = 2000;
const SAMPLE_BAGS = 1000;
const DAY = 86_400_000;
const TIME_ZONE_OFFSET = 8 * 3_600_000; // Asia/Shanghai, the projection's default

export interface Device {
  id: string;
  institution: string;
  stations: StationRole[];
  signer: Ed25519Signer;
  kid: string;
  seq: number;
  prev: string;
}

export function device(id: string, institution: string, stations: StationRole[]): Device {
  const seed = new Uint8Array(32);
  seed.set(randomBytes(32));
  const signer = ed25519Signer(ed25519KeyPairFromSeed(seed).privateKeyPem);
  return { id, institution, stations, signer, kid: keyId(signer.publicKeySpki), seq: 0, prev: GENESIS_PREV };
}

export const hospitalId = (h: number) => `hz-h${String(h).padStart(3, '0')}`;
export const disposalId = (d: number) => `hz-d${String(d).padStart(2, '0')}`;
export const iso = (ms: number) => new Date(ms).toISOString();
const FILLER_SIGNATURE = new Uint8Array(64).fill(0x5a);
const DOMAIN = Buffer.from(RECORD_DOMAIN, 'utf8');

interface City {
  hospitals: Array<{ id: string; dept: Device; coll: Device; stor: Device }>;
  disposal: Array<{ id: string; dev: Device }>;
  all: Device[];
}

function makeCity(): City {
  const hospitals = Array.from({ length: HOSPITALS }, (_, h) => {
    const id = hospitalId(h);
    return { id, dept: device(`trail-${id}-dept`, id, ['department']), coll: device(`trail-${id}-coll`, id, ['collection']), stor: device(`trail-${id}-stor`, id, ['storage']) };
  });
  const disposal = Array.from({ length: DISPOSAL }, (_, d) => ({ id: disposalId(d), dev: device(`trail-${disposalId(d)}-line`, disposalId(d), ['disposal']) }));
  return { hospitals, disposal, all: [...hospitals.flatMap((h) => [h.dept, h.coll, h.stor]), ...disposal.map((d) => d.dev)] };
}

/** The bag number i's plan: who does each step, when, with what. */
function bagPlan(city: City, i: number, bags: number, end: number) {
  const h = city.hospitals[i % HOSPITALS]!;
  const d = city.disposal[i % DISPOSAL]!;
  const sealedAt = end - 365 * DAY + Math.floor((i * 365 * DAY) / bags);
  const tag = `epc:30${i.toString(16).padStart(22, '0')}`;
  const grams = 500 + (i % 9500);
  const vehicle = `HZ-V${String(i % VEHICLES).padStart(2, '0')}`;
  const manifest = `M${Math.floor(sealedAt / DAY)}-${i % VEHICLES}`;
  const times = [0, 20, 40, 24 * 60, 26 * 60, 28 * 60].map((min) => sealedAt + min * 60_000);
  const item = [{ tag, weight: { value: grams, unit: 'g' as const } }];
  const steps: Array<{ dev: Device; time: number; event: CustodyEvent }> = [
    { dev: h.dept, time: times[0]!, event: { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: grams, unit: 'g' }, department: `D${i % 12}`, staff: `badge-${h.id}-${i % 40}` } } },
    { dev: h.coll, time: times[1]!, event: { type: 'collected', body: { bags: item, weight: { value: grams, unit: 'g' }, giver: `badge-${h.id}-${i % 40}`, receiver: `badge-${h.id}-c${i % 5}` } } },
    { dev: h.stor, time: times[2]!, event: { type: 'stored', body: { bags: item, weight: { value: grams, unit: 'g' }, keeper: `badge-${h.id}-k${i % 3}`, room: `R${h.id}` } } },
    { dev: h.stor, time: times[3]!, event: { type: 'picked-up', body: { bags: item, weight: { value: grams, unit: 'g' }, giver: `badge-${h.id}-k${i % 3}`, crew: `badge-crew-${i % 20}`, vehicle, manifest } } },
    { dev: d.dev, time: times[4]!, event: { type: 'received', body: { bags: item, weight: { value: grams, unit: 'g' }, operator: `badge-${d.id}-o${i % 4}`, vehicle, manifest } } },
    { dev: d.dev, time: times[5]!, event: { type: 'disposed', body: { bags: [tag], method: 'incineration', batch: `B${Math.floor(times[5]! / DAY)}`, operator: `badge-${d.id}-o${i % 4}` } } },
  ];
  return { tag, hospital: h.id, disposal: d.id, department: `D${i % 12}`, grams, vehicle, manifest, times, steps };
}

/** A filler record: canonical bytes, real hash and chain, the shared signature. */
export function fillerRecord(dev: Device, time: number, event: CustodyEvent, receivedAt: string): NewRecord {
  const seq = ++dev.seq;
  const text = canonicalJson({ v: RECORD_FORMAT_VERSION, device: dev.id, seq, prev: dev.prev, time: iso(time), kid: dev.kid, type: event.type, body: event.body });
  const bytes = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(DOMAIN).update(bytes).digest('hex');
  const r: NewRecord = { device: dev.id, seq, hash, prev: dev.prev, kid: dev.kid, deviceTime: iso(time), receivedAt, type: event.type, bytes, signature: FILLER_SIGNATURE, body: event.body, tags: tagsOfEvent(event) };
  dev.prev = hash;
  return r;
}

function signedRecord(dev: Device, time: number, event: CustodyEvent, receivedAt: string): NewRecord {
  const seq = ++dev.seq;
  const s = signRecord({ device: dev.id, seq, prev: dev.prev, time: iso(time), event }, dev.signer);
  dev.prev = s.hash;
  return { device: dev.id, seq, hash: s.hash, prev: s.record.prev, kid: s.record.kid, deviceTime: s.record.time, receivedAt, type: event.type, bytes: s.bytes, signature: s.signature, body: event.body, tags: tagsOfEvent(event) };
}

/** The projection row of a planned bag, as BagProjection would write it (checked against it below). */
function plannedSummary(p: ReturnType<typeof bagPlan>): ProjectedBag {
  return {
    bag: p.tag,
    tags: [p.tag],
    institution: p.hospital,
    department: p.department,
    category: 'infectious',
    state: 'disposed',
    sealedAt: iso(p.times[0]!),
    sealedGrams: p.grams,
    sealedDay: iso(p.times[0]! + TIME_ZONE_OFFSET).slice(0, 10),
    lastStep: 'disposed',
    lastStepAt: iso(p.times[5]!),
    pickedUpAt: iso(p.times[3]!),
    receivedAt: iso(p.times[4]!),
    receivedGrams: p.grams,
    disposedAt: iso(p.times[5]!),
    vehicle: p.vehicle,
    manifest: p.manifest,
    disposalInstitution: p.disposal,
    anomalies: 0,
  };
}

async function provision(store: CustodyStore, city: City): Promise<void> {
  await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  for (const h of city.hospitals) await store.upsertInstitution({ id: h.id, name: `Hospital ${h.id}`, kind: 'hospital', jurisdiction: 'hz' });
  for (const d of city.disposal) await store.upsertInstitution({ id: d.id, name: `Disposal centre ${d.id}`, kind: 'disposal', jurisdiction: 'hz' });
  await store.upsertInstitution({ id: 'hz-t01', name: 'Transport company', kind: 'transport', jurisdiction: 'hz' });
  await store.upsertTransportCompany({ id: 'hz-t01', licence: 'HZ-T-0001' });
  for (let v = 0; v < VEHICLES; v++) await store.upsertVehicle({ id: `HZ-V${String(v).padStart(2, '0')}`, company: 'hz-t01', plate: `浙A0000${v}` });
  for (const d of city.all) await store.registerDevice({ id: d.id, institution: d.institution, stations: d.stations, keys: [{ publicKey: toBase64(d.signer.publicKeySpki) }] });
  const made = await createUser(store, { username: 'bench-regulator', password: 'trail-query-secret-1', role: 'regulator', scope: 'hz' });
  if (!made.ok) throw new Error(`trail bench: user not created: ${made.error.message}`);
}

/** Fills the store; returns the tags of the sample bags. */
async function fill(store: CustodyStore, city: City, records: number): Promise<string[]> {
  const bags = Math.max(SAMPLE_BAGS, Math.ceil(records / STEPS_PER_BAG));
  const every = Math.max(1, Math.floor(bags / SAMPLE_BAGS));
  const end = Date.now() - 7 * DAY;
  const projection = new BagProjection({ store });
  const samples: string[] = [];
  const started = performance.now();
  let lastReport = started;
  let checked = false;
  for (let b0 = 0; b0 < bags; b0 += BAGS_PER_BATCH) {
    const batch: NewRecord[] = [];
    const filler: ProjectedBag[] = [];
    const sampled: Array<ReturnType<typeof bagPlan>> = [];
    for (let i = b0; i < Math.min(bags, b0 + BAGS_PER_BATCH); i++) {
      const p = bagPlan(city, i, bags, end);
      const sample = i % every === Math.floor(every / 2) && samples.length < SAMPLE_BAGS;
      for (const s of p.steps) batch.push((sample ? signedRecord : fillerRecord)(s.dev, s.time, s.event, iso(s.time + 2000)));
      if (sample) {
        samples.push(p.tag);
        sampled.push(p);
      } else filler.push(plannedSummary(p));
    }
    // Records in acceptance order: by time within the batch, as the server would take them in.
    batch.sort((a, b) => (a.deviceTime < b.deviceTime ? -1 : a.deviceTime > b.deviceTime ? 1 : 0));
    const outcome = await store.appendRecords({ records: batch, quarantine: [], acks: [] });
    if (outcome.stored !== batch.length) throw new Error(`trail bench: stored ${outcome.stored} of ${batch.length} records`);
    await store.upsertBags(filler);
    if (sampled.length > 0) {
      const projected = await projection.projectTags(sampled.map((p) => p.tag));
      if (!checked) {
        // The generator's rows must be what the projection writes, or the filler would be unrealistic.
        const real = await store.bag(sampled[0]!.tag);
        const { trail: _t, ...planned } = plannedSummary(sampled[0]!);
        if (!isDeepStrictEqual(real, planned)) throw new Error(`trail bench: generated bag row differs from the projection's:\n${JSON.stringify(planned)}\n${JSON.stringify(real)}`);
        if (projected.trails[0]?.anomalies.length) throw new Error(`trail bench: the sample bag has anomalies: ${JSON.stringify(projected.trails[0].anomalies)}`);
        checked = true;
      }
    }
    const now = performance.now();
    if (now - lastReport > 10_000 || b0 + BAGS_PER_BATCH >= bags) {
      lastReport = now;
      const done = Math.min(bags, b0 + BAGS_PER_BATCH) * STEPS_PER_BAG;
      const s = (now - started) / 1000;
      progress(`  trail: ${done.toLocaleString('en')} / ${(bags * STEPS_PER_BAG).toLocaleString('en')} records stored, ${s.toFixed(0)} s, ${Math.round(done / s).toLocaleString('en')} records/s, eta ${(((bags * STEPS_PER_BAG - done) * s) / done).toFixed(0)} s`);
    }
  }
  return samples;
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Times fn over `n` random samples after `warm` untimed ones; sorted milliseconds. */
/** Times `n` calls on random samples after `warm` untimed ones: all of them, and those asking for a bag not asked for before. */
async function timeEach(samples: string[], n: number, warm: number, fn: (tag: string) => Promise<void>, afterWarm?: () => void): Promise<{ all: number[]; first: number[] }> {
  const order = () => samples[Math.floor(Math.random() * samples.length)]!;
  const asked = new Set<string>();
  for (let i = 0; i < warm; i++) {
    const tag = order();
    asked.add(tag);
    await fn(tag);
  }
  afterWarm?.();
  const all: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    const tag = order();
    const t0 = performance.now();
    await fn(tag);
    const ms = performance.now() - t0;
    all.push(ms);
    if (!asked.has(tag)) first.push(ms);
    asked.add(tag);
  }
  const ascending = (a: number, b: number) => a - b;
  return { all: all.sort(ascending), first: first.sort(ascending) };
}

/**
 * The sample bags' manifests, as the server's manifest projection writes them after each commit. Without
 * any, the server would take the store for one from before manifests existed and rebuild them from every
 * record at start, during the timing (the filler's manifests are left out, as its trails are).
 */
async function projectSampleManifests(store: CustodyStore, samples: readonly string[]): Promise<void> {
  if ((await store.searchManifests({ limit: 1 })).total > 0) return;
  const keyring = await store.keyring();
  const accepted: AcceptedRecord[] = [];
  for (const tag of samples) {
    for (const r of await collectBagRecords(store, tag)) {
      const v = verifyRecord({ bytes: r.bytes, signature: r.signature }, { keyring, ed25519Verify: nodeEd25519Verify });
      if (!v.ok) throw new Error(`trail bench: sample record ${r.device}/${r.seq} does not verify: ${v.error.message}`);
      accepted.push({ ...v.value, receivedAt: r.receivedAt, tags: [tag] });
    }
  }
  await new ManifestProjection({ store }).projectAccepted(accepted);
}

/** A filled store and the tags of its signed sample bags: the one kept under `keep`, or a new one. */
export async function filledTrailStore(o: Pick<TrailBenchOptions, 'records' | 'keep'>): Promise<{ dir: string; file: string; samples: string[]; kept: boolean }> {
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'wt-bench-trail-'));
  const file = join(dir, 'wastetrail.db');
  const meta = join(dir, 'trail-bench.json');
  if (o.keep && existsSync(meta)) {
    const filled = JSON.parse(readFileSync(meta, 'utf8')) as { records: number; samples: string[] };
    if (filled.records === o.records && existsSync(file)) {
      progress(`trail: using the store kept in ${dir} (${o.records.toLocaleString('en')} records, filled by an earlier run)`);
      const store = openSqliteStore(file);
      await projectSampleManifests(store, filled.samples);
      await store.close();
      return { dir, file, samples: filled.samples, kept: true };
    }
  }
  if (o.keep) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  progress(`trail: filling a SQLite store with ${o.records.toLocaleString('en')} records in ${dir} (${SAMPLE_BAGS} sample bags signed for real, the rest filler: see bench/trail-query.bench.ts)`);
  const city = makeCity();
  const store = openSqliteStore(file);
  // A bigger page cache for the fill only (the server process opens the file with its own defaults).
  store.db.$client.pragma('cache_size = -1000000');
  await provision(store, city);
  const fillStart = performance.now();
  const samples = await fill(store, city, o.records);
  await projectSampleManifests(store, samples);
  const fillSeconds = (performance.now() - fillStart) / 1000;
  progress(`trail: ${(await store.countRecords()).toLocaleString('en')} records stored in ${fillSeconds.toFixed(0)} s; file ${(statSync(file).size / 2 ** 30).toFixed(2)} GiB`);
  await store.close();
  if (o.keep) writeFileSync(meta, JSON.stringify({ records: o.records, samples }) + '\n');
  return { dir, file, samples, kept: false };
}

export async function benchTrailQuery(o: TrailBenchOptions): Promise<Row[]> {
  const filled = await filledTrailStore(o);
  try {
    return await measureTrails(o, filled.samples, () => Promise.resolve(openSqliteStore(filled.file)), { driver: 'sqlite', file: 'wastetrail.db' }, filled.dir, 'SQLite');
  } finally {
    if (!o.keep) rmSync(filled.dir, { recursive: true, force: true });
  }
}

const PG_URL = process.env.WASTETRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What a kept PostgreSQL trail schema holds (its comment): how many records it was filled with, and the sample bags. */
interface PgTrailMeta {
  records: number;
  samples: string[];
}

/**
 * The same on PostgreSQL (127.0.0.1:5432), filled the same way: in a schema of the run's own, dropped
 * afterwards; or, with `keep` (--pg-trail-schema), in that schema, kept and used again by a run asking for
 * as many records (filling 10 M records takes most of an hour). The fill's two connections commit without
 * waiting for the WAL flush (synchronous_commit off, those sessions only: the fill is not what is timed).
 */
export async function benchTrailQueryPg(o: Pick<TrailBenchOptions, 'records' | 'queries'> & { keep?: string }): Promise<Row[]> {
  const schema = o.keep ?? `wt_bench_trail_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`trail bench: --pg-trail-schema ${schema}: a lower-case SQL identifier`);
  // The server's data directory holds the log key that signed the schema's checkpoints: kept with it.
  const dir = o.keep ? join(tmpdir(), `wastetrail-bench-pg-${schema}`) : mkdtempSync(join(tmpdir(), 'wt-bench-trail-pg-'));
  const open = () => openPgStore({ url: PG_URL, schema, poolSize: 2 });
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const kept = o.keep && existsSync(dir) ? await keptPgTrail(admin, schema) : undefined;
    let samples: string[];
    if (kept?.records === o.records) {
      progress(`trail (PostgreSQL): using schema ${schema}, kept by an earlier run (${o.records.toLocaleString('en')} records)`);
      samples = kept.samples;
    } else {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      progress(`trail (PostgreSQL): filling schema ${schema} with ${o.records.toLocaleString('en')} records`);
      const store = await open();
      const pool = store.db.$client;
      const connections = await Promise.all([pool.connect(), pool.connect()]);
      for (const c of connections) {
        await c.query('set synchronous_commit = off');
        c.release();
      }
      const city = makeCity();
      await provision(store, city);
      const started = performance.now();
      samples = await fill(store, city, o.records);
      await projectSampleManifests(store, samples);
      progress(`trail (PostgreSQL): ${(await store.countRecords()).toLocaleString('en')} records stored in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      await store.close();
      await admin.query(`vacuum analyze "${schema}".records, "${schema}".record_tags, "${schema}".bags, "${schema}".bag_tags`);
      if (o.keep) await admin.query(`comment on schema "${schema}" is ${pg.escapeLiteral(JSON.stringify({ records: o.records, samples } satisfies PgTrailMeta))}`);
    }
    return await measureTrails(o, samples, open, { driver: 'postgres', url: PG_URL, schema }, dir, 'PostgreSQL');
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    try {
      if (!o.keep) await admin.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  }
}

async function keptPgTrail(admin: pg.Client, schema: string): Promise<PgTrailMeta | undefined> {
  const { rows } = await admin.query<{ comment: string | null }>(`select obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname = $1`, [schema]);
  const comment = rows[0]?.comment;
  return comment ? (JSON.parse(comment) as PgTrailMeta) : undefined;
}

/** The store calls alone and loadBag in this process, then GET /api/v1/tags/:tag on a server (its own process) over the same store. */
async function measureTrails(o: Pick<TrailBenchOptions, 'queries'>, filledSamples: readonly string[], open: () => Promise<CustodyStore>, storage: Record<string, string>, dir: string, dialect: string): Promise<Row[]> {
  const samples = shuffle([...filledSamples]);
  const s = await open();
  let stored: number;
  let storeTimes: number[];
  let loadTimes: number[];
  try {
    stored = await s.countRecords();
    const keyring = await s.keyring();
    ({ all: storeTimes } = await timeEach(samples, o.queries, 200, async (tag) => {
      const summary = await s.bagByTag(tag);
      const records = await collectBagRecords(s, summary!.bag, summary!.tags);
      if (records.length !== STEPS_PER_BAG) throw new Error(`trail bench: ${records.length} records for ${tag}`);
    }));
    ({ all: loadTimes } = await timeEach(samples, o.queries, 200, async (tag) => {
      const loaded = await loadBag(s, tag, keyring);
      if (!loaded || loaded.records.some((r) => !r.verified)) throw new Error(`trail bench: ${tag} did not load verified`);
    }));
  } finally {
    await s.close();
  }

  progress(`trail (${dialect}): starting the server on the filled store; timing GET /api/v1/tags/:tag`);
  const { times: { all: http, first: httpFirst }, serverCpuMs } = await httpTimes(dir, storage, samples, o.queries);
  const what = `${(stored / 1e6).toFixed(stored >= 1e6 ? 0 : 2)} M records stored (${samples.length} random bags, ${o.queries} queries)`;
  const on = dialect === 'SQLite' ? '' : ` on ${dialect}`;
  const target = { name: 'target p99', value: 5 };
  return [
    { name: `trail query p50${on}, HTTP GET /api/v1/tags/:tag, keep-alive, ${what}`, value: percentile(http, 50), unit: 'ms' },
    { name: `trail query p99${on}, HTTP GET /api/v1/tags/:tag, keep-alive, ${what}`, value: percentile(http, 99), unit: 'ms', limit: target, target: '<= 1 (p99 <= 5 ms)' },
    {
      name: `trail query p50 / p99${on}, HTTP, the first read of each bag (its signatures not yet remembered: checked in full), ${what}`,
      value: percentile(httpFirst, 50),
      unit: 'ms',
      note: `p99 ${percentile(httpFirst, 99).toFixed(2)} ms, over the ${httpFirst.length} timed requests that asked for a bag not asked for before`,
    },
    { name: `trail query${on}, the server's CPU time per request (user + system, all its threads, over the timed requests)`, value: serverCpuMs, unit: 'ms', note: dialect === 'SQLite' ? 'other load on the machine changes it less than the latencies' : "PostgreSQL's own processes not counted" },
    { name: `trail query${on} in process, loadBag (store reads + re-verify 6 records, signatures seen before remembered, + reconstruct), p50 / p99, ${what}`, value: percentile(loadTimes, 50), unit: 'ms', note: `p99 ${percentile(loadTimes, 99).toFixed(2)} ms` },
    { name: `trail query${on} store calls alone (bagByTag + records of its tags), p50 / p99, ${what}`, value: percentile(storeTimes, 50), unit: 'ms', note: `p99 ${percentile(storeTimes, 99).toFixed(2)} ms` },
  ];
}

async function httpTimes(dir: string, storage: Record<string, string>, samples: string[], queries: number): Promise<{ times: { all: number[]; first: number[] }; serverCpuMs: number }> {
  // No load shedding: on a machine other work keeps busy, a 503 OVERLOADED would end a run that took many minutes to fill.
  const config = { dataDir: dir, storage, mqtt: { mode: 'embedded', gateway: { tcp: { host: '127.0.0.1', port: 0 } } }, http: { host: '127.0.0.1', port: 0, maxEventLoopDelayMs: 0 } };
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, new URL('./ingest-server.mjs', import.meta.url).pathname, JSON.stringify(config), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`trail bench: the server exited (code ${code})`)));
    });
    const base = (JSON.parse(first) as { httpUrl: string }).httpUrl.replace(/\/$/, '');
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-regulator', password: 'trail-query-secret-1' }) });
    if (!login.ok) throw new Error(`trail bench: login failed: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    let cpuAtStart = 0;
    const times = await timeEach(samples, queries, 200, async (tag) => {
      const res = await fetch(`${base}/api/v1/tags/${encodeURIComponent(tag)}`, { headers });
      const body = (await res.json()) as { steps?: unknown[] };
      if (!res.ok || body.steps?.length !== STEPS_PER_BAG) throw new Error(`trail bench: GET ${tag}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    }, () => (cpuAtStart = processCpuSeconds(child.pid!)));
    return { times, serverCpuMs: ((processCpuSeconds(child.pid!) - cpuAtStart) * 1000) / queries };
  } finally {
    child.stdin.end();
    await exited;
  }
}
