/**
 * The rule tick at city scale (issue #17, target 6): the trail bench's store of `records` records (the
 * same builder, kept with --trail-store and shared with the trail run), plus bags in play (sealed,
 * collected, stored, picked up or received in the last hours, none disposed) added to it, 10,000 at a
 * time; then the alerting service's tick (startAlerting, the server's own) over all of it, timed, at two
 * city sizes, so the heap it takes can be compared as the city grows.
 *
 * In-play bags are written as the projection would write them (records through appendRecords, filler
 * signatures as in the trail bench; bag rows and trails from reconstructTrail and summarizeBag, the
 * projection's own functions, without re-verifying the filler signatures). Each bag's steps are on
 * time, so a steady tick files few alerts: it is the judging that is timed, not the alert book.
 *
 * Heap: the tick's store calls are wrapped (as bench/ingest-server.mjs wraps sequence) to read
 * process.memoryUsage().heapUsed after each returns (and every 1,000 rows a store call hands to a
 * callback); the row gives the highest reading above the heap
 * after a full GC just before the tick (garbage not yet collected included, so it is an upper bound).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { toBase64, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { startAlerting } from '../server/src/alerting/index.ts';
import { summarizeBag } from '../server/src/bags/index.ts';
import { reconstructTrail, type TrailRecord } from '../server/src/custody/index.ts';
import { ruleConfig } from '../server/src/rules/index.ts';
import { openSqliteStore, type CustodyStore, type NewRecord, type SqliteStore } from '../server/src/store/index.ts';
import { progress, type Row } from './harness.ts';
import { device, DISPOSAL, disposalId, filledTrailStore, fillerRecord, HOSPITALS, hospitalId, iso, VEHICLES, type Device } from './trail-query.bench.ts';

export interface RuleTickBenchOptions {
  /** Records in the trail store under the bags in play. */
  records: number;
  /** The trail store's directory, kept between runs (--trail-store). */
  keep?: string;
  /** City sizes: bags in play at each measurement, ascending, multiples of CHUNK. */
  sizes: number[];
}

const CHUNK = 10_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIME_ZONE = 'Asia/Shanghai';

interface TickCity {
  /** Bags below this are in the store and the devices' chains continue after them. */
  through: number;
  hospitals: Array<{ id: string; dept: Device; coll: Device; stor: Device }>;
  disposal: Array<{ id: string; dev: Device }>;
}

function tickCity(): TickCity {
  return {
    through: 0,
    hospitals: Array.from({ length: HOSPITALS }, (_, h) => {
      const id = hospitalId(h);
      return { id, dept: device(`tick-${id}-dept`, id, ['department']), coll: device(`tick-${id}-coll`, id, ['collection']), stor: device(`tick-${id}-stor`, id, ['storage']) };
    }),
    disposal: Array.from({ length: DISPOSAL }, (_, d) => ({ id: disposalId(d), dev: device(`tick-${disposalId(d)}-line`, disposalId(d), ['disposal']) })),
  };
}

const tagOf = (i: number) => `epc:31${i.toString(16).padStart(22, '0')}`;

/** Bag i in play at `now`: 1 to 5 of its steps done, the last one within the last 6 hours. */
function inPlaySteps(city: TickCity, i: number, now: number): Array<{ dev: Device; time: number; event: CustodyEvent }> {
  const h = city.hospitals[i % HOSPITALS]!;
  const d = city.disposal[i % DISPOSAL]!;
  const tag = tagOf(i);
  const grams = 500 + (i % 9500);
  const vehicle = `HZ-V${String(i % VEHICLES).padStart(2, '0')}`;
  const sealedAt = now - 3 * HOUR - (i % 180) * MINUTE;
  const manifest = `T${Math.floor(sealedAt / HOUR)}-${i % VEHICLES}`;
  const item = [{ tag, weight: { value: grams, unit: 'g' as const } }];
  const all: Array<{ dev: Device; time: number; event: CustodyEvent }> = [
    { dev: h.dept, time: sealedAt, event: { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: grams, unit: 'g' }, department: `D${i % 12}`, staff: `badge-${h.id}-${i % 40}` } } },
    { dev: h.coll, time: sealedAt + 20 * MINUTE, event: { type: 'collected', body: { bags: item, weight: { value: grams, unit: 'g' }, giver: `badge-${h.id}-${i % 40}`, receiver: `badge-${h.id}-c${i % 5}` } } },
    { dev: h.stor, time: sealedAt + 40 * MINUTE, event: { type: 'stored', body: { bags: item, weight: { value: grams, unit: 'g' }, keeper: `badge-${h.id}-k${i % 3}`, room: `R${h.id}` } } },
    { dev: h.stor, time: sealedAt + 2 * HOUR, event: { type: 'picked-up', body: { bags: item, weight: { value: grams, unit: 'g' }, giver: `badge-${h.id}-k${i % 3}`, crew: `badge-crew-${i % 20}`, vehicle, manifest } } },
    { dev: d.dev, time: sealedAt + 3 * HOUR, event: { type: 'received', body: { bags: item, weight: { value: grams, unit: 'g' }, operator: `badge-${d.id}-o${i % 4}`, vehicle, manifest } } },
  ];
  return all.slice(0, 1 + (i % 5));
}

/** Adds bags [from, to) in play at `now`: their records, and their rows as the projection writes them. */
async function addInPlay(store: SqliteStore, city: TickCity, from: number, to: number, now: number): Promise<void> {
  const institutionOf = new Map([...city.hospitals.flatMap((h) => [h.dept, h.coll, h.stor]), ...city.disposal.map((d) => d.dev)].map((d) => [d.id, d]));
  const batch: NewRecord[] = [];
  const byBag: TrailRecord[][] = [];
  for (let i = from; i < to; i++) {
    const trail: TrailRecord[] = [];
    for (const s of inPlaySteps(city, i, now)) {
      const r = fillerRecord(s.dev, s.time, s.event, iso(s.time + 2000));
      batch.push(r);
      const dev = institutionOf.get(s.dev.id)!;
      trail.push({ device: r.device, seq: r.seq, hash: r.hash, time: r.deviceTime, institution: dev.institution, stations: dev.stations, event: s.event });
    }
    byBag.push(trail);
  }
  batch.sort((a, b) => (a.deviceTime < b.deviceTime ? -1 : a.deviceTime > b.deviceTime ? 1 : 0));
  const outcome = await store.appendRecords({ records: batch, quarantine: [], acks: [] });
  if (outcome.stored !== batch.length) throw new Error(`rule tick bench: stored ${outcome.stored} of ${batch.length} records`);
  await store.upsertBags(
    byBag.map((records, k) => {
      const trail = reconstructTrail(records, tagOf(from + k));
      return { ...summarizeBag(trail, { timeZone: TIME_ZONE }), trail };
    }),
  );
}

/** Brings the store to `size` bags in play (whole chunks already there are kept: the store may be a kept one). */
async function ensureInPlay(store: SqliteStore, city: TickCity, size: number, now: number): Promise<void> {
  for (let from = city.through; from < size; from += CHUNK) {
    const to = Math.min(size, from + CHUNK);
    if (await store.bag(tagOf(to - 1))) {
      // Already there: the devices' chains must continue after it, as ingest would take them.
      const devs = new Set<Device>();
      for (let i = from; i < to; i++) {
        for (const s of inPlaySteps(city, i, now)) {
          s.dev.seq++;
          devs.add(s.dev);
        }
      }
      for (const d of devs) d.prev = (await store.recordAt(d.id, d.seq))!.hash;
    } else await addInPlay(store, city, from, to, now);
    city.through = to;
  }
}

/** The store's calls, each reading the heap when it returns. */
function heapWatched(store: CustodyStore, seen: { peak: number }): CustodyStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const note = <T>(v: T): T => {
        seen.peak = Math.max(seen.peak, process.memoryUsage().heapUsed);
        return v;
      };
      return (...args: unknown[]) => {
        // A callback the store calls per row (eachBagTrailInPlay's visit) reads the heap every 1,000 rows too.
        const watched = args.map((a) => {
          if (typeof a !== 'function') return a;
          let calls = 0;
          return (...inner: unknown[]) => {
            if (++calls % 1000 === 0) note(undefined);
            return (a as (...x: unknown[]) => unknown)(...inner);
          };
        });
        const out = (value as (...a: unknown[]) => unknown).apply(target, watched);
        return out instanceof Promise ? out.then(note) : note(out);
      };
    },
  });
}

export async function benchRuleTick(o: RuleTickBenchOptions): Promise<Row[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const filled = await filledTrailStore({ records: o.records, keep: o.keep });
  const metaFile = join(filled.dir, 'rule-tick-bench.json');
  // The bags in play were placed relative to this instant; a kept store keeps it.
  const now = filled.kept && existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { now: number }).now : Date.now();
  writeFileSync(metaFile, JSON.stringify({ now }) + '\n');
  const store = openSqliteStore(filled.file);
  try {
    const city = tickCity();
    const registered = new Set((await store.devices()).map((d) => d.id));
    for (const d of [...city.hospitals.flatMap((h) => [h.dept, h.coll, h.stor]), ...city.disposal.map((x) => x.dev)]) {
      if (!registered.has(d.id)) await store.registerDevice({ id: d.id, institution: d.institution, stations: d.stations, keys: [{ publicKey: toBase64(d.signer.publicKeySpki) }] });
    }
    const rows: Row[] = [];
    for (const size of o.sizes) {
      progress(`rule tick: ${size.toLocaleString('en')} bags in play (adding what the store lacks)`);
      await ensureInPlay(store, city, size, now);
      const seen = { peak: 0 };
      const alerting = await startAlerting({ store: heapWatched(store, seen), ruleConfig: ruleConfig(), clock: () => now, tickMs: 0, rebuildEmptyProjection: false });
      try {
        // The first tick at this size files what the city's state raises; the one timed judges a steady city.
        const first = await alerting.tick(now);
        gc();
        const base = process.memoryUsage().heapUsed;
        seen.peak = base;
        const t0 = performance.now();
        const report = await alerting.tick(now + MINUTE);
        const ms = performance.now() - t0;
        seen.peak = Math.max(seen.peak, process.memoryUsage().heapUsed);
        progress(`rule tick: ${report.bags.toLocaleString('en')} bags judged in ${ms.toFixed(0)} ms, heap +${((seen.peak - base) / 2 ** 20).toFixed(1)} MB (first tick: ${first.notices.length} notices)`);
        // Bags judged, not `size`: a kept store may hold a bigger city from an earlier run.
        const what = `${report.bags.toLocaleString('en')} bags in play, ${(o.records / 1e6).toFixed(o.records >= 1e6 ? 0 : 2)} M records stored`;
        rows.push(
          { name: `rule tick, one tick (every rule, alert book), ${what}`, value: ms, unit: 'ms', note: `${report.notices.length} notices; the first tick at this size ${first.notices.length}`, ...(report.bags >= 100_000 ? { limit: { name: 'target', value: 1000 }, target: '<= 1 (<= 1 s)' } : {}) },
          { name: `rule tick, heap used during the tick above the heap before it, ${what}`, value: (seen.peak - base) / 2 ** 20, unit: 'MB' },
        );
      } finally {
        await alerting.close();
      }
    }
    return rows;
  } finally {
    await store.close();
    if (!o.keep) rmSync(filled.dir, { recursive: true, force: true });
  }
}
