/**
 * The city's vehicles on the road: each vehicle station's GNSS receiver and cargo module (on mock
 * ports or ptys, like the kiosks' devices), and a driver that plays the vehicle's round of the day on the
 * city's clock: the fixes and door events of `scheduledRound`, each written when simulated time reaches
 * it. The rounds keep the model's timetable (`vehicleRound`), so the vehicle is in the yard when its crew
 * signs for the bags and at the disposal centre when they are weighed in.
 */
import { seededRandom, type DoorAction } from '@wastetrail/firmware-protocol';
import type { SerialEndpoint } from '../serial/endpoint.ts';
import { openPtyDevice, type PtyDevice } from '../serial/pty.ts';
import { CargoIoSimulator, GnssSimulator } from '../vehicle/devices.ts';
import { scheduledRound, type Trip } from '../vehicle/trip.ts';
import type { SerialTransport } from './devices.ts';
import { placeOf, type CityGeography } from './geography.ts';
import type { IncidentName } from './incidents.ts';
import type { CityLayout, CityVehicle } from './layout.ts';
import { vehicleRound } from './model.ts';
import { DAY_MS, formatLocalTime, localMidnight } from './time.ts';

/** The cargo box's probe: a chilled box at 6 °C. */
const CARGO_TENTHS_C = 60;

export class VehicleDevices {
  readonly gnssPath: string;
  readonly cargoPath: string;
  readonly gnss: GnssSimulator;
  readonly cargo: CargoIoSimulator;
  private readonly endpoints: SerialEndpoint[];

  private constructor(gnss: { path: string; endpoint: SerialEndpoint }, cargo: { path: string; endpoint: SerialEndpoint }) {
    this.gnssPath = gnss.path;
    this.cargoPath = cargo.path;
    this.endpoints = [gnss.endpoint, cargo.endpoint];
    this.gnss = new GnssSimulator(gnss.endpoint);
    this.cargo = new CargoIoSimulator(cargo.endpoint, { tenthsC: CARGO_TENTHS_C });
    this.cargo.start();
  }

  /** Both lines 9600 8N1, as the real receiver and module. `name` makes the mock paths readable (the device id). */
  static async open(name: string, transport: SerialTransport): Promise<VehicleDevices> {
    if (transport.kind === 'mock') return new VehicleDevices(transport.ports.create(`${name}-gnss`), transport.ports.create(`${name}-cargo`));
    const ptys: PtyDevice[] = [];
    try {
      ptys.push(await openPtyDevice({ baudRate: 9600 }));
      ptys.push(await openPtyDevice({ baudRate: 9600 }));
    } catch (err) {
      for (const p of ptys) await p.endpoint.close();
      throw err;
    }
    const [gnss, cargo] = ptys as [PtyDevice, PtyDevice];
    return new VehicleDevices({ path: gnss.devicePath, endpoint: gnss.endpoint }, { path: cargo.devicePath, endpoint: cargo.endpoint });
  }

  async close(): Promise<void> {
    this.cargo.stop();
    for (const e of this.endpoints) await e.close();
  }
}

export type VehicleIncident = Extract<IncidentName, 'dump-detour' | 'scrapyard-stop'>;

export interface VehicleDriverOptions {
  layout: CityLayout;
  geography: CityGeography;
  vehicle: CityVehicle;
  devices: Pick<VehicleDevices, 'gnss' | 'cargo'>;
  incidents: ReadonlySet<IncidentName>;
  /** Where this run starts: incidents strike on the first rounds after it. */
  runStartMs: number;
  /** A fix every this many simulated seconds (the receiver's 1 Hz, thinned: at 1440x a second is 24 minutes). */
  stepSeconds?: number;
}

/** Real ms between the last fix written and a door change (VehicleDriver.door). */
const DOOR_SETTLE_MS = 50;

/** Real ms a stopped driver leaves the line for the bytes already written to arrive. */
const LINE_QUIET_MS = 100;

/** The round starts this long before the first pickup (scheduledRound). */
const ROUND_LEAD_MS = 45 * 60_000;

/**
 * Which day's round of this vehicle plays an incident: the dump detour on the first vehicle's first round
 * of the run, the scrapyard stop on the second vehicle's (the first vehicle's next one when there is only
 * one), so the two are told apart on the map.
 */
export function vehicleIncidentDays(layout: CityLayout, vehicle: CityVehicle, incidents: ReadonlySet<IncidentName>, runStartMs: number): Map<number, VehicleIncident> {
  let first = localMidnight(runStartMs);
  const firstCall = vehicleRound(vehicle, first).calls[0];
  if (firstCall && firstCall.atMs - ROUND_LEAD_MS < runStartMs) first += DAY_MS;
  const days = new Map<number, VehicleIncident>();
  const count = layout.transport.vehicles.length;
  if (incidents.has('dump-detour') && vehicle.index === 0) days.set(first, 'dump-detour');
  if (incidents.has('scrapyard-stop') && vehicle.index === 1 % count) days.set(days.has(first) ? first + DAY_MS : first, 'scrapyard-stop');
  return days;
}

export class VehicleDriver {
  private readonly o: VehicleDriverOptions;
  private readonly stepSeconds: number;
  private readonly incidentDays: Map<number, VehicleIncident>;
  private trip: { day: number; trip: Trip; fix: number; door: number } | undefined;
  private writing: Promise<void> = Promise.resolve();
  private notes: string[] = [];
  private stopped = false;

  constructor(o: VehicleDriverOptions) {
    this.o = o;
    this.stepSeconds = o.stepSeconds ?? 20;
    this.incidentDays = vehicleIncidentDays(o.layout, o.vehicle, o.incidents, o.runStartMs);
  }

  /** Writes every fix and door event due by `now` to the devices, in order. */
  advance(now: number): void {
    if (!this.trip) {
      const day = localMidnight(now);
      this.trip = this.plan(day, now);
      if (this.trip.trip.endMs <= now) this.trip = this.plan(day + DAY_MS, now);
    } else if (this.trip.fix >= this.trip.trip.fixes.length && this.trip.door >= this.trip.trip.doors.length) {
      this.trip = this.plan(this.trip.day + DAY_MS, now);
    }
    const t = this.trip;
    const { fixes, doors } = t.trip;
    const due: (() => Promise<void>)[] = [];
    for (; t.fix < fixes.length && fixes[t.fix]!.atMs <= now; t.fix++) {
      const f = fixes[t.fix]!;
      for (; t.door < doors.length && doors[t.door]!.atMs <= f.atMs; t.door++) {
        const action = doors[t.door]!.action;
        due.push(() => this.door(action));
      }
      due.push(() => this.o.devices.gnss.epoch({ atMs: f.atMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, satellites: 10 }));
    }
    if (t.fix >= fixes.length) for (; t.door < doors.length && doors[t.door]!.atMs <= now; t.door++) {
      const action = doors[t.door]!.action;
      due.push(() => this.door(action));
    }
    // One line, in order: a write waits for the one before (a port that is not open drops the bytes, as a cable would).
    for (const w of due) this.writing = this.writing.then(() => (this.stopped ? undefined : w())).catch(() => {});
  }

  /** The vehicle is parked and switched off: nothing more is written (what is queued is dropped); resolves when the lines are quiet. */
  async stop(): Promise<void> {
    this.stopped = true;
    // The cargo module's repeats stop too: each carries a temperature the station would sign after its last span.
    this.o.devices.cargo.stop();
    await this.writing;
    // The last bytes written are still on their way to the station (the port delivers on a later turn).
    await new Promise((r) => setTimeout(r, LINE_QUIET_MS));
  }

  /**
   * The door moves, once the station has read the fixes before it: two serial lines are two queues, and a
   * door record carries the last position the station knows (a moment of real time, a minute or two of
   * the city's).
   */
  private async door(action: DoorAction): Promise<void> {
    await new Promise((r) => setTimeout(r, DOOR_SETTLE_MS));
    await this.o.devices.cargo.door(action);
  }

  /** Incident lines since the last call. */
  takeNotes(): string[] {
    return this.notes.splice(0);
  }

  /** Until everything handed to the devices is written. */
  settled(): Promise<void> {
    return this.writing;
  }

  private plan(day: number, now: number): { day: number; trip: Trip; fix: number; door: number } {
    const { vehicle, geography } = this.o;
    const round = vehicleRound(vehicle, day);
    const incident = this.incidentDays.get(day);
    const random = seededRandom((this.o.layout.seed ^ Math.imul(Math.round(day / DAY_MS), 0x27d4eb2f) ^ (vehicle.index + 1)) >>> 0);
    const trip = scheduledRound(geography, {
      plate: vehicle.plate,
      calls: round.calls.map((c) => ({ at: placeOf(geography, 'hospital', c.hospital).position, atMs: c.atMs })),
      unloadAtMs: round.unloadAtMs,
      stepSeconds: this.stepSeconds,
      random,
      ...(incident ? { incident } : {}),
    });
    if (incident && trip.endMs > now) {
      const first = round.calls[0]!;
      this.notes.push(
        incident === 'dump-detour'
          ? `dump-detour: ${vehicle.plate} leaves its route after its call at ${first.hospital} (${formatLocalTime(first.atMs)}) for the dump site and opens its cargo door there`
          : `scrapyard-stop: ${vehicle.plate} stops 40 min at the scrapyard after its call at ${first.hospital} (${formatLocalTime(first.atMs)})`,
      );
    }
    // A round already under way (a restart): what is past is not played again.
    const fix = trip.fixes.findIndex((f) => f.atMs >= now);
    const door = trip.doors.findIndex((d) => d.atMs >= now);
    return { day, trip, fix: fix < 0 ? trip.fixes.length : fix, door: door < 0 ? trip.doors.length : door };
  }
}
