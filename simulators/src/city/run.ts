/**
 * A running city: one station (started by the injected factory, a real edge agent in the demo) with a
 * simulated scale and reader for every station of the layout, and the model's tasks carried out as
 * they fall due on the accelerated clock. Stopping waits for the transactions in hand, then returns the
 * model's state so the next run continues where this one stopped.
 */
import { setMaxListeners } from 'node:events';
import type { CityLayout, StationPlan } from './layout.ts';
import type { ActionOutcome, CityAction, CityModel, CityState, ManifestSigning } from './model.ts';
import { handOver, sealBag, signManifest } from './people.ts';
import type { CityProgress } from './progress.ts';
import { StationDevices, type SerialTransport } from './devices.ts';
import { storageRoomReading } from './climate.ts';
import { CITY_STATION_TIMING, type CityHooks, type CityStation, type StationFactory, type StationTiming } from './station.ts';
import { planGeography, type CityGeography } from './geography.ts';
import { VehicleDevices, VehicleDriver } from './vehicles.ts';

/** The clock the city runs on (AcceleratedTime). */
export interface CityClock {
  now(): number;
  realMsUntil(simMs: number): number;
}

export interface CityRunOptions {
  model: CityModel;
  clock: CityClock;
  startStation: StationFactory;
  hooks: CityHooks;
  serial: SerialTransport;
  timing?: StationTiming;
  /** Incidents and failed steps, one line each. */
  log?: (line: string) => void;
  /** Stations started at once (each opens a SQLite outbox and an MQTT connection). */
  startConcurrency?: number;
}

interface RunningStation {
  plan: StationPlan;
  station: CityStation;
  /** A kiosk station's scale, reader (and climate sensors). */
  devices?: StationDevices;
  /** A vehicle station's receiver and cargo module, and the round they report. */
  vehicle?: { devices: VehicleDevices; driver: VehicleDriver };
}

/** The longest the loop sleeps: it also looks at the clock this often. */
const MAX_SLEEP_MS = 100;
const STOP_WAIT_MS = 15_000;

export class CityRun {
  readonly layout: CityLayout;
  private readonly o: CityRunOptions;
  private readonly model: CityModel;
  private readonly stations = new Map<string, RunningStation>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private geography: CityGeography | undefined;
  private stopping: Promise<CityState> | undefined;
  /** Storage stations whose cold room failed (cold-room-failure): since when, and until when once repaired. */
  private readonly coldRoomFailures = new Map<string, { fromMs: number; toMs: number }>();

  /** The stations' counts when they were stopped (progress after stop). */
  private final: CityProgress | undefined;

  private constructor(o: CityRunOptions) {
    // Every transaction in hand listens for the stop.
    setMaxListeners(0, this.abort.signal);
    this.o = o;
    this.model = o.model;
    this.layout = o.model.layout;
    this.log = o.log ?? (() => {});
  }

  /** Opens every station's devices, starts every station, and starts carrying out the plan. */
  static async start(o: CityRunOptions): Promise<CityRun> {
    const run = new CityRun(o);
    try {
      await run.startStations();
    } catch (err) {
      await run.closeStations();
      throw err;
    }
    run.tick();
    return run;
  }

  station(deviceId: string): CityStation | undefined {
    return this.stations.get(deviceId)?.station;
  }

  progress(): CityProgress {
    if (this.final) return { ...this.final, counts: this.model.totals };
    let records = 0;
    let backlog = 0;
    let offline = 0;
    for (const s of this.stations.values()) {
      const c = s.station.counts();
      records += c.records;
      backlog += c.backlog;
      if (!c.online) offline++;
    }
    return { simTime: this.o.clock.now(), counts: this.model.totals, records, backlog, stations: this.stations.size, offline };
  }

  /**
   * Stops taking new tasks, lets the ones in hand finish, gives the stations up to `drainMs` to deliver
   * their backlog, stops them; the state to continue from.
   */
  stop(drainMs = 3000): Promise<CityState> {
    return (this.stopping ??= (async () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      const settled = Promise.allSettled([...this.inFlight]);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([settled, late]);
      clearTimeout(timer);
      // Anything still in hand is cancelled at the station.
      this.abort.abort();
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 2000))]);
      // The vehicles park, then the stations sign what they hold open (spans, climate batches), so the drain delivers it.
      await Promise.all([...this.stations.values()].map((s) => s.vehicle?.driver.stop()));
      await Promise.all([...this.stations.values()].map((s) => s.station.flush?.()));
      await this.drain(drainMs);
      const state = { ...this.model.snapshot(), simTime: Math.max(this.model.snapshot().simTime, this.o.clock.now()) };
      this.final = this.progress();
      await this.closeStations();
      return state;
    })());
  }

  /** Until every connected station's backlog is delivered and acknowledged, or `ms` have passed. */
  private async drain(ms: number): Promise<void> {
    const end = performance.now() + ms;
    // A station cut off keeps its backlog in its outbox: the next run delivers it.
    const pending = () => [...this.stations.values()].some((s) => {
      const c = s.station.counts();
      return c.online && c.backlog > 0;
    });
    while (pending() && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
  }

  // ---- stations ----

  private async startStations(): Promise<void> {
    const timing = this.o.timing ?? CITY_STATION_TIMING;
    const plans = [...this.layout.stations];
    const concurrency = Math.max(1, this.o.startConcurrency ?? 4);
    const worker = async () => {
      for (let plan = plans.shift(); plan; plan = plans.shift()) {
        if (plan.role === 'vehicle') {
          await this.startVehicle(plan, timing);
          continue;
        }
        const devices = await StationDevices.open(plan.deviceId, this.o.serial, timing, undefined, plan.role === 'storage');
        devices.setClimate(storageRoomReading(this.o.clock.now()));
        try {
          const station = await this.o.startStation({
            plan,
            scalePath: devices.scalePath,
            readerPath: devices.readerPath,
            ...(devices.climatePath ? { climatePath: devices.climatePath } : {}),
            ...(this.o.serial.kind === 'mock' ? { createPort: this.o.serial.ports.createPort } : {}),
            timing,
          });
          this.stations.set(plan.deviceId, { plan, station, devices });
        } catch (err) {
          await devices.close();
          throw err;
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: concurrency }, worker));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async startVehicle(plan: StationPlan, timing: StationTiming): Promise<void> {
    const vehicle = this.layout.transport.vehicles.find((v) => v.tracker.deviceId === plan.deviceId);
    if (!vehicle) throw new Error(`no vehicle for station ${plan.deviceId}`);
    const devices = await VehicleDevices.open(plan.deviceId, this.o.serial);
    try {
      const station = await this.o.startStation({
        plan,
        vehicle: { gnssPath: devices.gnssPath, cargoPath: devices.cargoPath },
        ...(this.o.serial.kind === 'mock' ? { createPort: this.o.serial.ports.createPort } : {}),
        timing,
      });
      const driver = new VehicleDriver({ layout: this.layout, geography: (this.geography ??= planGeography(this.layout)), vehicle, devices, incidents: this.model.incidents, runStartMs: this.model.runStartMs });
      this.stations.set(plan.deviceId, { plan, station, vehicle: { devices, driver } });
    } catch (err) {
      await devices.close();
      throw err;
    }
  }

  private async closeStations(): Promise<void> {
    const all = [...this.stations.values()];
    this.stations.clear();
    await Promise.allSettled(all.map(async (s) => {
      await s.station.stop();
      await s.devices?.close();
      await s.vehicle?.devices.close();
    }));
  }

  // ---- the plan ----

  private tick = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopping) return;
    const now = this.o.clock.now();
    // The rooms' sensors read what the room is now (the loop looks at the clock at least every 100 ms).
    for (const [id, s] of this.stations) s.devices?.setClimate(storageRoomReading(now, this.coldRoomFailures.get(id)));
    // The vehicles report where they are now.
    for (const s of this.stations.values()) {
      s.vehicle?.driver.advance(now);
      for (const note of s.vehicle?.driver.takeNotes() ?? []) this.log(`incident ${note}`);
    }
    for (const action of this.model.start(now)) this.perform(action);
    for (const note of this.model.takeNotes()) this.log(`incident ${note}`);
    const next = this.model.nextDue();
    const sleep = next === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, this.o.clock.realMsUntil(next));
    this.timer = setTimeout(this.tick, Math.max(1, sleep));
  };

  private perform(action: CityAction): void {
    // Tampering and the rogue device are reported with what came of them (carryOut).
    if (action.note && action.kind !== 'tamper' && action.kind !== 'rogue-device') this.log(`incident ${action.note}`);
    const job = this.carryOut(action)
      .catch((err: unknown): ActionOutcome => ({ ok: false, committed: [], reason: err instanceof Error ? err.message : String(err) }))
      .then((outcome) => {
        if (!outcome.ok) this.log(`step not done: ${describe(action)}: ${outcome.reason ?? 'failed'}`);
        this.model.finish(action.id, outcome);
        // Tasks waiting for this one may start now.
        if (!this.stopping) setImmediate(this.tick);
      });
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  private async signManifest(m: ManifestSigning, signal: AbortSignal): Promise<ActionOutcome> {
    const s = this.stations.get(m.station);
    if (!s) return { ok: false, committed: [], reason: `no station ${m.station}` };
    const outcome = await signManifest(s.station, m.event, { signal });
    return outcome.ok ? outcome : { ...outcome, reason: `${describeSigning(m)}: ${outcome.reason ?? 'failed'}` };
  }

  private async carryOut(action: CityAction): Promise<ActionOutcome> {
    const signal = this.abort.signal;
    switch (action.kind) {
      case 'seal':
      case 'handover': {
        const s = this.stations.get(action.station);
        if (!s?.devices) return { ok: false, committed: [], reason: `no station ${action.station}` };
        if (action.kind === 'seal') return sealBag(s.station, s.devices, action, { signal });
        // The manifest is issued before the crew signs for its bags; received and closed after.
        for (const m of action.manifests?.before ?? []) {
          const signed = await this.signManifest(m, signal);
          if (!signed.ok) return signed;
        }
        const outcome = await handOver(s.station, s.devices, action, { signal });
        if (!outcome.ok) return outcome;
        for (const m of action.manifests?.after ?? []) {
          const signed = await this.signManifest(m, signal);
          if (!signed.ok) return { ...signed, committed: outcome.committed };
        }
        return outcome;
      }
      case 'network': {
        const s = this.stations.get(action.station);
        await s?.station.setNetwork(action.up);
        return { ok: s !== undefined, committed: [] };
      }
      case 'tamper':
        this.log(`incident tampered-record: ${await this.o.hooks.tamperRecord(action.station)}`);
        return { ok: true, committed: [] };
      case 'rogue-device':
        this.log(`incident rogue-device: ${await this.o.hooks.rogueDevice()}`);
        return { ok: true, committed: [] };
      case 'cold-room': {
        const since = this.coldRoomFailures.get(action.station);
        this.coldRoomFailures.set(action.station, action.failed ? { fromMs: action.at, toMs: Infinity } : { fromMs: since?.fromMs ?? action.at, toMs: action.at });
        return { ok: this.stations.has(action.station), committed: [] };
      }
    }
  }
}

function describeSigning(m: ManifestSigning): string {
  return `${m.event.type} of ${m.event.body.manifest} at ${m.station}`;
}

function describe(a: CityAction): string {
  switch (a.kind) {
    case 'seal':
      return `seal ${a.tag} at ${a.station}`;
    case 'handover':
      return `${a.mode} of ${a.loads.reduce((n, l) => n + l.bags.length, 0)} bags at ${a.station}`;
    default:
      return a.kind;
  }
}
