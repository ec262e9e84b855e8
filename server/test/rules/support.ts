/**
 * Scenario building for rule tests: trail records as verification hands them over, trails rebuilt with
 * reconstructTrail exactly as the server does, and a clean day of several bags through every step.
 */
import type { CustodyEvent, StationRole } from '@wastetrail/firmware-protocol';
import { reconstructTrail, tagsOfEvent, type BagTrail, type TrailRecord } from '../../src/custody/index.ts';
import { ruleConfig, type DeviceStatus, type InstitutionInfo, type RuleConfig, type RuleInputs } from '../../src/rules/index.ts';

export const H = 3_600_000;
export const MIN = 60_000;

export const HOSPITAL = 'hz-h001';
export const HOSPITAL_2 = 'hz-h002';
export const DISPOSAL = 'hz-d001';
export const TRANSPORT = 'hz-t001';

/** Hangzhou: city 330100, districts 330106 (Xihu) and 330110 (Yuhang), grids below them. */
export const INSTITUTIONS: InstitutionInfo[] = [
  { id: HOSPITAL, jurisdiction: ['330100', '330106', '330106-g01'], location: { lat: 30.2741, lon: 120.1551 } },
  { id: HOSPITAL_2, jurisdiction: ['330100', '330106', '330106-g02'], location: { lat: 30.2592, lon: 120.1302 } },
  { id: DISPOSAL, jurisdiction: ['330100', '330110', '330110-g05'], location: { lat: 30.4187, lon: 120.2994 } },
  { id: TRANSPORT, jurisdiction: ['330100'], mobile: true },
];

export const g = (value: number) => ({ value, unit: 'g' as const });
export const at = (iso: string) => Date.parse(iso);
export const iso = (ms: number) => new Date(ms).toISOString();

const STATION_OF: Record<CustodyEvent['type'], StationRole> = {
  sealed: 'department',
  aggregated: 'department',
  collected: 'collection',
  stored: 'storage',
  'picked-up': 'storage',
  received: 'disposal',
  disposed: 'disposal',
  correction: 'department',
  heartbeat: 'department',
  climate: 'storage',
  'manifest-issued': 'storage',
  'manifest-received': 'disposal',
  'manifest-closed': 'disposal',
  track: 'vehicle',
  door: 'vehicle',
};

/** Builds records with per-device sequence numbers and distinct fake hashes. */
export class RecordBook {
  readonly records: TrailRecord[] = [];
  private readonly seqs = new Map<string, number>();
  private n = 0;

  add(event: CustodyEvent, time: number | string, institution: string, over: Partial<TrailRecord> = {}): TrailRecord {
    const device = over.device ?? `${institution}-${STATION_OF[event.type]}`;
    const seq = (this.seqs.get(device) ?? 0) + 1;
    this.seqs.set(device, seq);
    this.n++;
    const r: TrailRecord = {
      device,
      seq,
      hash: this.n.toString(16).padStart(64, '0'),
      time: typeof time === 'number' ? iso(time) : time,
      institution,
      stations: [STATION_OF[event.type]],
      event,
      ...over,
    };
    this.records.push(r);
    return r;
  }

  seal(tag: string, time: number | string, grams = 1000, institution = HOSPITAL, department = 'ICU'): TrailRecord {
    return this.add({ type: 'sealed', body: { tags: [tag], category: 'infectious', weight: g(grams), department, staff: 'badge-0101' } }, time, institution);
  }

  collect(bags: { tag: string; grams?: number }[], total: number, time: number | string, institution = HOSPITAL): TrailRecord {
    return this.add({ type: 'collected', body: { bags: items(bags), weight: g(total), giver: 'badge-0101', receiver: 'badge-0202' } }, time, institution);
  }

  store(bags: { tag: string; grams?: number }[], total: number, time: number | string, institution = HOSPITAL, room = 'R1'): TrailRecord {
    return this.add({ type: 'stored', body: { bags: items(bags), weight: g(total), keeper: 'badge-0303', room } }, time, institution);
  }

  pickUp(bags: { tag: string; grams?: number }[], total: number, time: number | string, institution = HOSPITAL, vehicle = 'ZA-A1234', manifest = 'HZ2026030200017'): TrailRecord {
    return this.add({ type: 'picked-up', body: { bags: items(bags), weight: g(total), giver: 'badge-0303', crew: 'crew-5501', vehicle, manifest } }, time, institution);
  }

  receive(bags: { tag: string; grams?: number }[], total: number, time: number | string, institution = DISPOSAL, vehicle = 'ZA-A1234', manifest = 'HZ2026030200017'): TrailRecord {
    return this.add({ type: 'received', body: { bags: items(bags), weight: g(total), operator: 'op-9001', vehicle, manifest } }, time, institution);
  }

  dispose(tags: string[], time: number | string, institution = DISPOSAL): TrailRecord {
    return this.add({ type: 'disposed', body: { bags: tags, method: 'incineration', batch: 'B-0001', operator: 'op-9001' } }, time, institution);
  }

  /** Every bag named by a record, rebuilt from all the records, as the server would. */
  trails(): BagTrail[] {
    const sealedTags = new Set(this.records.flatMap((r) => (r.event.type === 'sealed' ? [r.event.body.tags[0]!] : [])));
    const named = new Set(this.records.flatMap((r) => (r.event.type === 'aggregated' ? [] : tagsOfEvent(r.event))));
    const bags = [...new Set([...sealedTags, ...named])].sort();
    return bags.map((tag) => reconstructTrail(this.records, tag));
  }
}

function items(bags: { tag: string; grams?: number }[]) {
  return bags.map((b) => (b.grams === undefined ? { tag: b.tag } : { tag: b.tag, weight: g(b.grams) }));
}

export const tag = (i: number) => `epc:3074257bf7194e40000${(0x1a00 + i).toString(16).padStart(5, '0')}`;

/**
 * A clean day at the hospital (Asia/Shanghai, 2026-03-02): bags sealed in the morning, collected on a
 * cart, stored one by one, picked up the next morning, weighed in at the disposal centre 25 km away an
 * hour and a half later, incinerated. `now` is late enough for the mass balance to judge the day.
 */
export function cleanDay(bags = 5) {
  const book = new RecordBook();
  const day = at('2026-03-02T00:00:00.000Z'); // 08:00 in Hangzhou
  const list = Array.from({ length: bags }, (_, i) => ({ tag: tag(i), grams: 1000 + 37 * i }));
  list.forEach((b, i) => book.seal(b.tag, day + 1 * H + i * MIN, b.grams));
  const total = list.reduce((s, b) => s + b.grams, 0);
  book.collect(list.map((b) => ({ tag: b.tag })), total - 10, day + 3 * H);
  list.forEach((b, i) => book.store([{ tag: b.tag, grams: b.grams - 2 }], b.grams - 2, day + 4 * H + i * MIN));
  book.pickUp(list.map((b) => ({ tag: b.tag })), total - 12, day + 26 * H);
  book.receive(list.map((b) => ({ tag: b.tag })), total - 15, day + 27.5 * H);
  book.dispose(list.map((b) => b.tag), day + 30 * H);
  const nowMs = at('2026-03-06T04:00:00.000Z');
  const devices: DeviceStatus[] = [
    { device: `${HOSPITAL}-department`, institution: HOSPITAL, lastSeenMs: nowMs - MIN, stations: ['department'] },
    { device: `${HOSPITAL}-storage`, institution: HOSPITAL, lastSeenMs: nowMs - 2 * MIN, stations: ['storage'] },
    { device: `${DISPOSAL}-disposal`, institution: DISPOSAL, lastSeenMs: nowMs - 3 * MIN, stations: ['disposal'] },
  ];
  return { book, list, day, nowMs, devices };
}

export function inputs(over: Partial<RuleInputs> & { nowMs: number }, config: RuleConfig = ruleConfig()): RuleInputs {
  return { config, institutions: INSTITUTIONS, trails: [], devices: [], ...over };
}
