/**
 * The city's daily rhythm as a pure model: which bag is sealed where and when, when the wards hand over
 * to the collector or the storage room, when each vehicle calls and unloads, when the disposal centre
 * burns a batch, and where the scripted incidents bend the flow. No clock, no ports, no agents: time is
 * passed in, and the stations' results are reported back.
 *
 * Planning and doing are split. A day is planned as tasks with local times (wards seal 08:00-17:00,
 * storage at 10:00, 13:30 and 17:15, the truck from 14:00, unloading 50 min after its last call, burning
 * 40 min later). A handover's bags are decided only when it starts, from where the bags really are.
 * So that the outcome does not depend on which station happens to be quicker, a task starts only when
 * no earlier task it depends on is still waiting or running (same station, or moving bags into or out
 * of a place it moves bags into or out of): running the city on real agents gives the same records as
 * running the tasks one by one in time order. With the same seed, the same city does the same things.
 */
import { encodeSgtin96, seededRandom, tagIdFromEpc, type CustodyEvent, type TagId, type WasteCategory } from '@wastetrail/firmware-protocol';
import type { IncidentName } from './incidents.ts';
import type { CityHospital, CityLayout, CityVehicle } from './layout.ts';
import { clockTime, DAY_MS, formatLocalTime, HOUR_MS, localDateCode, localMidnight, MINUTE_MS } from './time.ts';

/** The station modes a handover is done in (edge-agent's StationMode). */
export type HandoverMode = 'collect' | 'store-in' | 'pickup' | 'receive' | 'dispose';

export interface HandoverLoad {
  bags: TagId[];
  /** What the scale shows with these bags on it. */
  grams: number;
}

/** A transfer manifest step signed on a station's manifest form (docs/transport/manifest.md). */
export interface ManifestSigning {
  station: string;
  event: Extract<CustodyEvent, { type: 'manifest-issued' | 'manifest-received' | 'manifest-closed' }>;
}

/** One thing people do at a station, with everything they need to do it. */
export type CityAction =
  | { kind: 'seal'; id: number; at: number; station: string; tag: TagId; category: WasteCategory; grams: number; staff: string; note?: string }
  | {
      kind: 'handover';
      id: number;
      at: number;
      station: string;
      mode: HandoverMode;
      /** One transaction per load, in order (a bag that looks light is weighed on its own). */
      loads: HandoverLoad[];
      /** In the order they are tapped: giver then receiver, or the one keeper/operator. */
      badges: string[];
      details: { vehicle?: string; manifest?: string; method?: string; batch?: string };
      /**
       * The manifest's steps around the handover: the hospital issues it before the crew signs for the
       * bags; the disposal centre signs the receipt after weighing in, and closes it after burning.
       */
      manifests?: { before?: ManifestSigning[]; after?: ManifestSigning[] };
      note?: string;
    }
  | { kind: 'network'; id: number; at: number; station: string; up: boolean; note: string }
  | { kind: 'tamper'; id: number; at: number; station: string; note: string }
  /** The storage room's cold room fails (failed) or is repaired: its climate sensor reads warmer. */
  | { kind: 'cold-room'; id: number; at: number; station: string; failed: boolean; note: string }
  | { kind: 'rogue-device'; id: number; at: number; note: string };

/** What came of an action: the bags whose record was committed (all of them when ok). */
export interface ActionOutcome {
  ok: boolean;
  committed: TagId[];
  reason?: string;
}

export interface BagState {
  /** The model's own number for the bag (a cloned tag is a second bag with the same tag). */
  id: number;
  tag: TagId;
  serial: number;
  category: WasteCategory;
  /** Sealed weight. */
  grams: number;
  hospital: string;
  /** Ward device id. */
  ward: string;
  /** ward:<device> | cart:<hospital> | storage:<hospital> | vehicle:<vehicle> | disposal | set-aside | dumped | lost */
  place: string;
  sealedAt: number;
  manifest?: string;
  /** Grams taken out in transit (skimmed-weights). */
  skimmed?: number;
  /** Marked at pickup to be dumped on the way (dumped-bag). */
  dump?: boolean;
  /** Refused at the disposal centre, with the reason (partial-refusal). */
  refused?: string;
  failures?: number;
}

export interface CityCounts {
  sealed: number;
  collected: number;
  stored: number;
  pickedUp: number;
  received: number;
  disposed: number;
  /** Actions that did not end in a record (timeouts, refusals). */
  failed: number;
  /** Bags given up after repeated failed handovers. */
  lost: number;
}

type TaskKind = 'seal' | 'clone' | 'collect' | 'store' | 'pickup' | 'receive' | 'dispose' | 'network' | 'tamper' | 'rogue-device' | 'cold-room';

/** A planned step; a handover's bags are chosen when it starts. Plain JSON (kept in the state file). */
export interface CityTask {
  id: number;
  at: number;
  kind: TaskKind;
  /** The station whose devices the task uses (one task at a time per station). */
  station?: string;
  /** Incidents: the station affected (no devices used). */
  target?: string;
  hospital?: string;
  vehicle?: string;
  manifest?: string;
  batch?: string;
  /** seal, clone: the bag. */
  bag?: { serial: number; tag: TagId; category: WasteCategory; grams: number; ward: string };
  /** clone: the ward where the tag was sealed first. */
  origin?: string;
  up?: boolean;
  consumes: string[];
  produces: string[];
  /** Tasks of the scripted incidents are per run: not carried over a restart. */
  incident?: IncidentName;
}

export interface CityState {
  version: 1;
  institutions: number;
  seed: number;
  /** The last simulated time in use. */
  simTime: number;
  /** Next bag serial: tags are never reused, across layouts and restarts. */
  nextSerial: number;
  nextBagId: number;
  nextTaskId: number;
  /** Local midnight of the first day not planned yet. */
  plannedThrough: number;
  queue: CityTask[];
  bags: BagState[];
  counts: CityCounts;
}

export interface CityModelOptions {
  layout: CityLayout;
  /** Where this run starts (simulated ms): incidents are placed relative to it. */
  runStartMs: number;
  incidents?: readonly IncidentName[];
  /** Bags each ward seals a day, drawn from [min, max]. Default 8-14. */
  bagsPerWard?: { min: number; max: number };
  /** Continue from a saved state (same layout): its bags, counters and planned tasks. */
  saved?: CityState;
  /** Bag serials start here for a new city (a layout change keeps the old counter). */
  firstSerial?: number;
}

/** GS1 company prefix on the bags' SGTIN-96 tags (the bag supplier's). */
export const BAG_COMPANY_PREFIX = '6901234';

/** The tag of the bag with this serial: an SGTIN-96 EPC, as the reader reports it. */
export function bagTag(serial: number): TagId {
  const epc = encodeSgtin96({ filter: 1, companyPrefix: BAG_COMPANY_PREFIX, itemReference: '000001', serial: String(serial) });
  if (!epc.ok) throw new RangeError(`bag serial ${serial}: ${epc.error.message}`);
  return tagIdFromEpc(epc.value)!;
}

/** Categories by share of a ward's bags, and their weights (grams, 10 g steps: what a kg scale shows). */
const CATEGORY_MIX: ReadonlyArray<readonly [WasteCategory, share: number, min: number, max: number]> = [
  ['infectious', 0.6, 1200, 4500],
  ['sharps', 0.15, 400, 2000],
  ['pathological', 0.08, 800, 3000],
  ['pharmaceutical', 0.1, 300, 1500],
  ['chemical', 0.07, 300, 1500],
];

const SEAL_FROM = clockTime('08:00');
const SEAL_HOURS = 9;
const COLLECTION_ROUNDS = ['09:45', '13:15', '16:45'].map(clockTime);
const STORE_ROUNDS = ['10:00', '13:30', '17:15'].map(clockTime);
const FIRST_PICKUP = clockTime('14:00');
const BETWEEN_PICKUPS = 35 * MINUTE_MS;
const DRIVE_TO_DISPOSAL = 50 * MINUTE_MS;
const BURN_AFTER_RECEIPT = 40 * MINUTE_MS;
/** Incident times after the start of a run. */
const OUTAGE_AT = 1.5 * HOUR_MS;
const OUTAGE_FOR = 3 * HOUR_MS;
const ROGUE_AT = 2.5 * HOUR_MS;
const TAMPER_AT = 3.5 * HOUR_MS;
/** cold-room-failure: from 19:00 local, for 12 h. */
const COLD_ROOM_FAILS_AT = 19 * HOUR_MS;
const COLD_ROOM_FAILS_FOR = 12 * HOUR_MS;
const CLONE_AFTER = 1 * HOUR_MS;
const CLONE_DELAY = 5 * MINUTE_MS;
const OVERDUE_FOR = 60 * HOUR_MS;
const SKIM_SHARE = 0.15;
const MAX_FAILURES = 3;

const round10 = (g: number) => Math.max(10, Math.round(g / 10) * 10);
const grams = (value: number) => ({ value, unit: 'g' as const });
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** When a vehicle calls on each hospital of its route on the day starting at `midnight`, and when it unloads at the disposal centre. */
export interface VehicleRound {
  calls: { hospital: string; atMs: number }[];
  unloadAtMs: number;
}

/** The vehicle's round of the day (pure): the pickups and the receipt are planned on it, and the vehicle station drives it. */
export function vehicleRound(v: CityVehicle, midnight: number): VehicleRound {
  const calls = v.route.map((hospital, i) => ({ hospital, atMs: midnight + FIRST_PICKUP + i * BETWEEN_PICKUPS }));
  const last = calls.at(-1)?.atMs ?? midnight + FIRST_PICKUP;
  return { calls, unloadAtMs: last + DRIVE_TO_DISPOSAL };
}

/** A number in [0, 1) from the seed and some integers: choices that do not depend on call order. */
function hashUnit(seed: number, ...keys: number[]): number {
  let h = seed >>> 0;
  for (const k of keys) {
    h = Math.imul(h ^ (k >>> 0), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
  }
  return (h >>> 0) / 4294967296;
}

const ward = (device: string) => `ward:${device}`;
const cart = (hospital: string) => `cart:${hospital}`;
const storage = (hospital: string) => `storage:${hospital}`;
const inVehicle = (vehicle: string) => `vehicle:${vehicle}`;
const DISPOSAL = 'disposal';
const DONE = 'done';
const SET_ASIDE = 'set-aside';

export class CityModel {
  readonly layout: CityLayout;
  readonly runStartMs: number;
  readonly incidents: ReadonlySet<IncidentName>;
  private readonly seed: number;
  private readonly bagsPerWard: { min: number; max: number };
  private queue: CityTask[];
  /** Tasks started and not finished, with the bags their action carries. */
  private readonly running = new Map<number, { task: CityTask; bags: number[] }>();
  private readonly bagsById = new Map<number, BagState>();
  private readonly counts: CityCounts;
  private nextSerial: number;
  private nextBagId: number;
  private nextTaskId: number;
  private plannedThrough: number;
  private simTime: number;
  private notes: string[] = [];
  /** Incidents still to happen at a pickup in this run. */
  private pendingSkim: boolean;
  private pendingDump: boolean;
  private pendingRefusal: boolean;
  private skimVehicle: string | undefined;
  private readonly overdueHospital: CityHospital | undefined;
  private overdueNoted = false;

  constructor(o: CityModelOptions) {
    this.layout = o.layout;
    this.seed = o.layout.seed >>> 0;
    this.runStartMs = o.runStartMs;
    this.incidents = new Set(o.incidents ?? []);
    this.bagsPerWard = o.bagsPerWard ?? { min: 8, max: 14 };
    if (!(this.bagsPerWard.min >= 0 && this.bagsPerWard.max >= this.bagsPerWard.min)) throw new RangeError('bagsPerWard needs 0 <= min <= max');
    const saved = o.saved && o.saved.institutions === o.layout.institutions && o.saved.seed === o.layout.seed ? o.saved : undefined;
    this.nextSerial = Math.max(o.saved?.nextSerial ?? 1, o.firstSerial ?? 1);
    this.simTime = Math.max(o.runStartMs, o.saved?.simTime ?? 0);
    if (saved) {
      this.queue = saved.queue.filter((t) => !t.incident).map((t) => ({ ...t }));
      for (const b of saved.bags) this.bagsById.set(b.id, { ...b });
      this.counts = { ...saved.counts };
      this.nextBagId = saved.nextBagId;
      this.nextTaskId = saved.nextTaskId;
      this.plannedThrough = saved.plannedThrough;
    } else {
      this.queue = [];
      this.counts = { sealed: 0, collected: 0, stored: 0, pickedUp: 0, received: 0, disposed: 0, failed: 0, lost: 0 };
      this.nextBagId = 1;
      this.nextTaskId = 1;
      // A new city starts on the day of the run; nothing before the run's start is planned.
      this.plannedThrough = localMidnight(o.runStartMs);
    }
    this.pendingSkim = this.incidents.has('skimmed-weights');
    this.pendingDump = this.incidents.has('dumped-bag');
    this.pendingRefusal = this.incidents.has('partial-refusal');
    this.overdueHospital = this.incidents.has('overdue-storage') ? this.pickHospital(3, []) : undefined;
    this.planThrough(o.runStartMs + DAY_MS);
    this.placeIncidents();
  }

  // ---- what the driver asks ----

  /** When the next task is due, or undefined when nothing is planned (the driver then asks again later). */
  nextDue(): number | undefined {
    return this.queue[0]?.at;
  }

  /** Tasks running now. */
  get busy(): number {
    return this.running.size;
  }

  /**
   * The actions that may start at `now`: due, and not waiting for an earlier task they depend on.
   * They count as running until finish(); handovers that find no bags are finished at once.
   */
  start(now: number): CityAction[] {
    this.simTime = Math.max(this.simTime, now);
    this.planThrough(now + DAY_MS);
    const out: CityAction[] = [];
    const waiting: CityTask[] = [];
    const blocked = (t: CityTask) => [...this.running.values()].some((r) => dependsOn(t, r.task)) || waiting.some((w) => dependsOn(t, w));
    for (const task of [...this.queue]) {
      if (task.at > now) break;
      if (blocked(task)) {
        waiting.push(task);
        continue;
      }
      this.queue.splice(this.queue.indexOf(task), 1);
      const resolved = this.resolve(task);
      if (resolved) {
        this.running.set(task.id, { task, bags: resolved.bags.map((b) => b.id) });
        out.push(resolved.action);
      }
    }
    return out;
  }

  /** A station reports back. Bags whose record was committed move on; the others stay where they were. */
  finish(id: number, outcome: ActionOutcome): void {
    const run = this.running.get(id);
    if (!run) return;
    this.running.delete(id);
    const { task } = run;
    if (!outcome.ok) this.counts.failed++;
    const committed = new Set(outcome.committed);
    if (task.kind === 'seal' || task.kind === 'clone') {
      const b = task.bag!;
      if (!committed.has(b.tag)) return;
      const bag: BagState = { id: this.nextBagId++, tag: b.tag, serial: b.serial, category: b.category, grams: b.grams, hospital: task.hospital!, ward: b.ward, place: task.produces[0]!, sealedAt: task.at };
      this.bagsById.set(bag.id, bag);
      this.counts.sealed++;
      return;
    }
    if (task.kind === 'receive' && outcome.ok) {
      // Refused bags go back on the vehicle to their hospital: out of this city's flow.
      for (const bag of this.bagsAt(task.consumes).filter((b) => b.refused !== undefined && b.manifest === task.manifest)) {
        bag.place = 'refused';
        this.bagsById.delete(bag.id);
      }
    }
    const moved = run.bags.map((b) => this.bagsById.get(b)).filter((b): b is BagState => b !== undefined);
    const to = task.produces[0]!;
    for (const bag of moved) {
      if (!committed.has(bag.tag)) {
        bag.failures = (bag.failures ?? 0) + 1;
        if (bag.failures >= MAX_FAILURES) {
          bag.place = 'lost';
          this.counts.lost++;
          this.bagsById.delete(bag.id);
          this.notes.push(`bag ${bag.tag} given up after ${MAX_FAILURES} failed handovers`);
        }
        continue;
      }
      bag.failures = 0;
      switch (task.kind) {
        case 'collect':
          this.counts.collected++;
          break;
        case 'store':
          this.counts.stored++;
          break;
        case 'pickup':
          this.counts.pickedUp++;
          bag.manifest = task.manifest!;
          break;
        case 'receive':
          this.counts.received++;
          break;
        case 'dispose':
          this.counts.disposed++;
          break;
      }
      bag.place = task.kind === 'pickup' && bag.dump ? 'dumped' : to;
      if (to === DONE || bag.place === 'dumped') this.bagsById.delete(bag.id);
    }
  }

  /** Lines about incidents and given-up bags since the last call. */
  takeNotes(): string[] {
    const n = this.notes;
    this.notes = [];
    return n;
  }

  bags(): BagState[] {
    return [...this.bagsById.values()].map((b) => ({ ...b }));
  }

  get totals(): Readonly<CityCounts> {
    return { ...this.counts };
  }

  /** Everything needed to continue after a restart (tasks still running stay where their bags are). */
  snapshot(): CityState {
    const unfinished = [...this.running.values()].map((r) => r.task).filter((t) => t.kind !== 'seal' && t.kind !== 'clone' && !t.incident);
    return {
      version: 1,
      institutions: this.layout.institutions,
      seed: this.layout.seed,
      simTime: this.simTime,
      nextSerial: this.nextSerial,
      nextBagId: this.nextBagId,
      nextTaskId: this.nextTaskId,
      plannedThrough: this.plannedThrough,
      queue: [...unfinished, ...this.queue].sort(byTime).map((t) => ({ ...t })),
      bags: this.bags(),
      counts: { ...this.counts },
    };
  }

  // ---- planning ----

  private planThrough(until: number): void {
    while (this.plannedThrough <= until) {
      this.planDay(this.plannedThrough);
      this.plannedThrough += DAY_MS;
    }
  }

  private add(task: Omit<CityTask, 'id'>): CityTask {
    const t = { id: this.nextTaskId++, ...task } as CityTask;
    // Inserted in (time, id) order: the queue is the plan in the order it is to be done.
    let i = this.queue.length;
    while (i > 0 && byTime(this.queue[i - 1]!, t) > 0) i--;
    this.queue.splice(i, 0, t);
    return t;
  }

  private planDay(midnight: number): void {
    const dayNumber = Math.round(midnight / DAY_MS);
    const random = seededRandom((this.seed ^ Math.imul(dayNumber, 0x2c1b3c6d)) >>> 0);
    const from = this.runStartMs;
    const date = localDateCode(midnight + 12 * HOUR_MS);
    const when = (t: number) => midnight + t;
    const plan = (task: Omit<CityTask, 'id'>) => {
      if (task.at >= from) this.add(task);
    };

    for (const h of this.layout.hospitals) {
      for (const d of h.departments) {
        const { min, max } = this.bagsPerWard;
        const count = min + Math.floor(random() * (max - min + 1));
        const times = Array.from({ length: count }, () => Math.floor(random() * SEAL_HOURS * 60) * MINUTE_MS).sort((a, b) => a - b);
        for (const t of times) {
          const [category, , lo, hi] = drawCategory(random());
          const grams = round10(lo + random() * (hi - lo));
          const at = when(SEAL_FROM + t);
          if (at < from) continue;
          const serial = this.nextSerial++;
          plan({ at, kind: 'seal', station: d.station.deviceId, hospital: h.id, bag: { serial, tag: bagTag(serial), category, grams, ward: d.station.deviceId }, consumes: [], produces: [ward(d.station.deviceId)] });
        }
      }
      const stagger = h.index * 3 * MINUTE_MS;
      const wards = h.departments.map((d) => ward(d.station.deviceId));
      if (h.collection) {
        for (const r of COLLECTION_ROUNDS) {
          for (const d of h.departments) {
            plan({ at: when(r) + stagger, kind: 'collect', station: h.collection.station.deviceId, hospital: h.id, consumes: [ward(d.station.deviceId)], produces: [cart(h.id)] });
          }
        }
      }
      for (const r of STORE_ROUNDS) {
        plan({ at: when(r) + stagger, kind: 'store', station: h.storage.deviceId, hospital: h.id, consumes: h.collection ? [cart(h.id)] : wards, produces: [storage(h.id)] });
      }
    }

    for (const v of this.layout.transport.vehicles) {
      const round = vehicleRound(v, midnight);
      const manifests: string[] = [];
      for (const call of round.calls) {
        const h = this.hospital(call.hospital);
        const manifest = `ZY${date}-H${String(h.index + 1).padStart(2, '0')}`;
        manifests.push(manifest);
        plan({ at: call.atMs, kind: 'pickup', station: v.station.deviceId, hospital: h.id, vehicle: v.id, manifest, consumes: [storage(h.id)], produces: [inVehicle(v.id)] });
      }
      manifests.forEach((manifest, i) => {
        plan({ at: round.unloadAtMs + i * MINUTE_MS, kind: 'receive', station: this.layout.disposal.station.deviceId, vehicle: v.id, manifest, consumes: [inVehicle(v.id)], produces: [DISPOSAL] });
      });
      plan({ at: round.unloadAtMs + BURN_AFTER_RECEIPT, kind: 'dispose', station: this.layout.disposal.station.deviceId, vehicle: v.id, batch: `B${date}-${v.index + 1}`, consumes: [DISPOSAL], produces: [DONE] });
    }
  }

  /** Places this run's incidents relative to its start; the skim, the dump and the withheld pickups happen at pickups. */
  private placeIncidents(): void {
    const start = this.runStartMs;
    const wards = this.layout.hospitals.flatMap((h) => h.departments.map((d) => d.station));
    const pickWard = (salt: number, not?: string) => {
      const choices = wards.filter((w) => w.deviceId !== not);
      return (choices.length > 0 ? choices : wards)[Math.floor(hashUnit(this.seed, salt) * (choices.length || wards.length))]!;
    };
    let outageStation: string | undefined;
    if (this.incidents.has('network-outage')) {
      const w = pickWard(11);
      outageStation = w.deviceId;
      this.add({ at: start + OUTAGE_AT, kind: 'network', target: w.deviceId, up: false, consumes: [], produces: [], incident: 'network-outage' });
      this.add({ at: start + OUTAGE_AT + OUTAGE_FOR, kind: 'network', target: w.deviceId, up: true, consumes: [], produces: [], incident: 'network-outage' });
    }
    if (this.incidents.has('rogue-device')) this.add({ at: start + ROGUE_AT, kind: 'rogue-device', consumes: [], produces: [], incident: 'rogue-device' });
    if (this.incidents.has('cold-room-failure')) {
      // The first evening at least an hour into the run: the bags stored at 17:15 stay overnight.
      const h = this.pickHospital(29, []);
      let from = localMidnight(start + HOUR_MS) + COLD_ROOM_FAILS_AT;
      if (from < start + HOUR_MS) from += DAY_MS;
      this.add({ at: from, kind: 'cold-room', target: h.storage.deviceId, hospital: h.id, up: false, consumes: [], produces: [], incident: 'cold-room-failure' });
      this.add({ at: from + COLD_ROOM_FAILS_FOR, kind: 'cold-room', target: h.storage.deviceId, hospital: h.id, up: true, consumes: [], produces: [], incident: 'cold-room-failure' });
    }
    if (this.incidents.has('tampered-record')) {
      this.add({ at: start + TAMPER_AT, kind: 'tamper', target: pickWard(13, outageStation).deviceId, consumes: [], produces: [], incident: 'tampered-record' });
    }
    if (this.incidents.has('cloned-tag')) {
      const a = this.pickHospital(17, []);
      const b = this.layout.hospitals.length > 1 ? this.pickHospital(19, [a.index]) : a;
      const aWards = new Set(a.departments.map((d) => d.station.deviceId));
      const original = this.queue.find((t) => t.kind === 'seal' && t.at >= start + CLONE_AFTER && aWards.has(t.station!));
      if (original) {
        // Sealed again at the other hospital (or, in a one-hospital city, in another ward of the same one).
        const target = b !== a ? b.departments[0]! : (a.departments.find((d) => d.station.deviceId !== original.station) ?? a.departments[0]!);
        const grams = round10(original.bag!.grams * (0.7 + 0.6 * hashUnit(this.seed, 23)));
        this.add({
          at: original.at + CLONE_DELAY,
          kind: 'clone',
          station: target.station.deviceId,
          hospital: b.id,
          bag: { ...original.bag!, grams, ward: target.station.deviceId },
          origin: original.station!,
          consumes: [ward(original.station!)],
          produces: [SET_ASIDE],
          incident: 'cloned-tag',
        });
      }
    }
  }

  // ---- doing ----

  /** Turns a due task into what people do and the bags it carries; undefined when there is nothing to do. */
  private resolve(task: CityTask): Resolved | undefined {
    const base = { id: task.id, at: task.at };
    switch (task.kind) {
      case 'seal':
      case 'clone': {
        const b = task.bag!;
        const wardPlan = this.layout.hospitals.flatMap((h) => h.departments).find((d) => d.station.deviceId === task.station)!;
        const note =
          task.kind === 'clone'
            ? `cloned-tag: tag ${b.tag}, sealed at ${this.stationLabel(task.origin ?? '')}, is sealed again at ${wardPlan.station.label} (${formatLocalTime(task.at)})`
            : undefined;
        return { action: { kind: 'seal', ...base, station: task.station!, tag: b.tag, category: b.category, grams: b.grams, staff: wardPlan.nurse.badge, ...(note ? { note } : {}) }, bags: [] };
      }
      case 'network': {
        const label = this.stationLabel(task.target!);
        const note = task.up
          ? `network-outage: ${task.target} (${label}) is back online at ${formatLocalTime(task.at)}; its backlog drains`
          : `network-outage: ${task.target} (${label}) loses its network at ${formatLocalTime(task.at)} for ${OUTAGE_FOR / HOUR_MS} h; it keeps working into its outbox`;
        return { action: { kind: 'network', ...base, station: task.target!, up: task.up === true, note }, bags: [] };
      }
      case 'tamper':
        return { action: { kind: 'tamper', ...base, station: task.target!, note: `tampered-record: a record of ${task.target} with its weight changed after signing is published on its topic (${formatLocalTime(task.at)})` }, bags: [] };
      case 'cold-room': {
        const label = this.stationLabel(task.target!);
        const note = task.up
          ? `cold-room-failure: the cold room of ${label} is repaired at ${formatLocalTime(task.at)}`
          : `cold-room-failure: the cold room of ${label} fails at ${formatLocalTime(task.at)} after a hot day, for ${COLD_ROOM_FAILS_FOR / HOUR_MS} h, with bags stored overnight`;
        return { action: { kind: 'cold-room', ...base, station: task.target!, failed: task.up !== true, note }, bags: [] };
      }
      case 'rogue-device':
        return { action: { kind: 'rogue-device', ...base, note: `rogue-device: a device not in the keyring tries to connect and publish (${formatLocalTime(task.at)})` }, bags: [] };
      default:
        return this.resolveHandover(task);
    }
  }

  private resolveHandover(task: CityTask): Resolved | undefined {
    const bags = this.bagsAt(task.consumes);
    const total = (bs: BagState[]) => sum(bs.map((b) => b.grams - (b.skimmed ?? 0)));
    const tags = (bs: BagState[]) => bs.map((b) => b.tag);
    const base = { kind: 'handover' as const, id: task.id, at: task.at, station: task.station! };
    const h = task.hospital ? this.hospital(task.hospital) : undefined;
    const v = task.vehicle ? this.vehicle(task.vehicle) : undefined;
    const operator = this.layout.disposal.operator.badge;

    if (task.kind === 'pickup' && h && this.overdueHospital === h && task.at < this.runStartMs + OVERDUE_FOR) {
      if (!this.overdueNoted) {
        this.overdueNoted = true;
        this.notes.push(`overdue-storage: ${h.name} stops handing waste over until ${formatLocalTime(this.runStartMs + OVERDUE_FOR)} (${bags.length} bags in its storage room now)`);
      }
      return undefined;
    }
    if (bags.length === 0) return undefined;

    switch (task.kind) {
      case 'collect': {
        const d = h!.departments.find((x) => ward(x.station.deviceId) === task.consumes[0])!;
        return { action: { ...base, mode: 'collect', loads: [{ bags: tags(bags), grams: total(bags) }], badges: [d.nurse.badge, h!.collection!.collector.badge], details: {} }, bags };
      }
      case 'store':
        return { action: { ...base, mode: 'store-in', loads: [{ bags: tags(bags), grams: total(bags) }], badges: [h!.keeper.badge], details: {} }, bags };
      case 'pickup': {
        let note: string | undefined;
        if (this.pendingSkim && bags.length >= 2) {
          this.pendingSkim = false;
          this.skimVehicle = v!.id;
          const bag = bags[Math.floor(hashUnit(this.seed, task.id, 29) * bags.length)]!;
          bag.skimmed = round10(bag.grams * SKIM_SHARE);
          note = `skimmed-weights: ${bag.skimmed} g of bag ${bag.tag} (${bag.grams} g sealed) will go missing on ${v!.plate} between pickup and disposal (manifest ${task.manifest})`;
        } else if (this.pendingDump && bags.length >= 2 && (this.skimVehicle !== v!.id || this.layout.transport.vehicles.length === 1)) {
          // On another vehicle than the skimmed bag when there is one: two incidents, two crews.
          this.pendingDump = false;
          const bag = bags[Math.floor(hashUnit(this.seed, task.id, 31) * bags.length)]!;
          bag.dump = true;
          note = `dumped-bag: bag ${bag.tag} is picked up by ${v!.plate} (manifest ${task.manifest}) and will never reach the disposal centre`;
        }
        const issue: ManifestSigning = {
          station: h!.storage.deviceId,
          event: {
            type: 'manifest-issued',
            body: {
              manifest: task.manifest!,
              version: 1,
              producer: h!.id,
              transporter: this.layout.transport.id,
              receiver: this.layout.disposal.id,
              vehicle: v!.plate,
              // As sealed: what the hospital's register says it hands over.
              bags: bags.map((b) => ({ tag: b.tag, category: b.category, weight: grams(b.grams) })),
              weight: grams(sum(bags.map((b) => b.grams))),
              issuer: h!.keeper.badge,
            },
          },
        };
        return {
          action: {
            ...base,
            mode: 'pickup',
            loads: [{ bags: tags(bags), grams: total(bags) }],
            badges: [h!.keeper.badge, v!.crew.badge],
            details: { vehicle: v!.plate, manifest: task.manifest! },
            manifests: { before: [issue] },
            ...(note ? { note } : {}),
          },
          bags,
        };
      }
      case 'receive': {
        const delivered = bags.filter((b) => b.manifest === task.manifest);
        if (delivered.length === 0) return undefined;
        let note: string | undefined;
        if (this.pendingRefusal && delivered.length >= 2 && !delivered.some((b) => b.refused !== undefined)) {
          this.pendingRefusal = false;
          const bag = delivered[Math.floor(hashUnit(this.seed, task.id, 37) * delivered.length)]!;
          bag.refused = '包装破损渗漏 container leaking';
          note = `partial-refusal: bag ${bag.tag} (${bag.grams} g) of manifest ${task.manifest} is refused at the disposal centre as leaking; the rest is received and the manifest closed with the refusal`;
        }
        const mine = delivered.filter((b) => b.refused === undefined);
        const refused = delivered.filter((b) => b.refused !== undefined);
        // A bag that looks light is weighed on its own; the rest of the manifest goes on the scale together.
        const light = mine.filter((b) => b.skimmed);
        const rest = mine.filter((b) => !b.skimmed);
        const loads = [...light.map((b) => ({ bags: [b.tag], grams: b.grams - b.skimmed! })), ...(rest.length > 0 ? [{ bags: tags(rest), grams: total(rest) }] : [])];
        // Every bag is weighed on the intake line for the manifest, the refused one too.
        const receipt: ManifestSigning = {
          station: task.station!,
          event: {
            type: 'manifest-received',
            body: {
              manifest: task.manifest!,
              vehicle: v!.plate,
              accepted: mine.map((b) => ({ tag: b.tag, weight: grams(b.grams - (b.skimmed ?? 0)) })),
              refused: refused.map((b) => ({ tag: b.tag, weight: grams(b.grams), reason: b.refused! })),
              operator,
            },
          },
        };
        if (loads.length === 0) return undefined;
        return {
          action: { ...base, mode: 'receive', loads, badges: [operator], details: { vehicle: v!.plate, manifest: task.manifest! }, manifests: { after: [receipt] }, ...(note ? { note } : {}) },
          bags: mine,
        };
      }
      case 'dispose': {
        // Burnt: each manifest whose bags these are is closed.
        const closings = [...new Set(bags.flatMap((b) => (b.manifest ? [b.manifest] : [])))].sort().map(
          (manifest): ManifestSigning => ({ station: task.station!, event: { type: 'manifest-closed', body: { manifest, outcome: 'processed', operator } } }),
        );
        return {
          action: {
            ...base,
            mode: 'dispose',
            loads: [{ bags: tags(bags), grams: total(bags) }],
            badges: [operator],
            details: { method: 'incineration', batch: task.batch! },
            ...(closings.length > 0 ? { manifests: { after: closings } } : {}),
          },
          bags,
        };
      }
      default:
        return undefined;
    }
  }

  /** Bags in any of these places, in serial order (the order they are read does not matter to anyone). */
  private bagsAt(places: readonly string[]): BagState[] {
    const set = new Set(places);
    return [...this.bagsById.values()].filter((b) => set.has(b.place)).sort((a, b) => a.serial - b.serial || a.id - b.id);
  }

  private hospital(id: string): CityHospital {
    return this.layout.hospitals.find((h) => h.id === id)!;
  }

  private vehicle(id: string): CityVehicle {
    return this.layout.transport.vehicles.find((v) => v.id === id)!;
  }

  private pickHospital(salt: number, avoid: number[]): CityHospital {
    const hs = this.layout.hospitals;
    const choices = hs.filter((h) => !avoid.includes(h.index));
    const from = choices.length > 0 ? choices : hs;
    return from[Math.floor(hashUnit(this.seed, salt) * from.length)]!;
  }

  private stationLabel(deviceId: string): string {
    return this.layout.stations.find((s) => s.deviceId === deviceId)?.label ?? deviceId;
  }

}

interface Resolved {
  action: CityAction;
  /** The bags a handover carries (they move when it is reported back). */
  bags: BagState[];
}

function drawCategory(u: number): (typeof CATEGORY_MIX)[number] {
  let acc = 0;
  for (const c of CATEGORY_MIX) {
    acc += c[1];
    if (u < acc) return c;
  }
  return CATEGORY_MIX[0]!;
}

function byTime(a: CityTask, b: CityTask): number {
  return a.at - b.at || a.id - b.id;
}

const meets = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

/** Must `later` wait for `earlier`? Same station, or they move bags through a common place. */
function dependsOn(later: CityTask, earlier: CityTask): boolean {
  if (later.station !== undefined && later.station === earlier.station) return true;
  return meets(later.consumes, earlier.produces) || meets(later.produces, earlier.consumes) || meets(later.consumes, earlier.consumes);
}
