/**
 * A vehicle's serial devices as simulators: a GNSS receiver speaking NMEA (GGA + RMC each second) and
 * the cargo box's I/O module ($PWTIO: door contact and temperature probe), each on a SerialEndpoint (a
 * real pty for system tests and the demo). The receiver sends what it is given; where the vehicle goes
 * is decided by the caller (route.ts makes the epochs of a drive).
 */
import { encodeCargoSentence, encodeNmeaEpoch, type CargoReading, type DoorAction, type NmeaEpoch } from '@wastetrail/firmware-protocol';
import type { SerialEndpoint } from '../serial/endpoint.ts';

export class GnssSimulator {
  private readonly endpoint: SerialEndpoint;

  constructor(endpoint: SerialEndpoint) {
    this.endpoint = endpoint;
  }

  /** One second of output: a fix, or a no-fix second when lat/lon are absent. */
  epoch(e: NmeaEpoch): Promise<void> {
    return this.endpoint.write(Buffer.from(encodeNmeaEpoch(e), 'latin1'));
  }

  /** Any bytes, as a faulty receiver or a noisy line would send them. */
  raw(text: string): Promise<void> {
    return this.endpoint.write(Buffer.from(text, 'latin1'));
  }
}

export interface CargoIoSimulatorOptions {
  /** How often the module repeats its state; 1000 ms as the real module. */
  intervalMs?: number;
  door?: DoorAction;
  /** Tenths of a °C; undefined: the probe is disconnected. */
  tenthsC?: number;
}

export class CargoIoSimulator {
  private readonly endpoint: SerialEndpoint;
  private readonly intervalMs: number;
  private state: CargoReading;
  private timer: NodeJS.Timeout | undefined;

  constructor(endpoint: SerialEndpoint, o: CargoIoSimulatorOptions = {}) {
    this.endpoint = endpoint;
    this.intervalMs = o.intervalMs ?? 1000;
    this.state = { door: o.door ?? 'close', ...(o.tenthsC !== undefined ? { tenthsC: o.tenthsC } : {}) };
  }

  get reading(): CargoReading {
    return this.state;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.send().catch(() => {}), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The door moves: the module reports at once, as it does on every change. */
  door(action: DoorAction): Promise<void> {
    this.state = { ...this.state, door: action };
    return this.send();
  }

  temperature(tenthsC: number | undefined): void {
    const { tenthsC: _, ...rest } = this.state;
    this.state = tenthsC === undefined ? rest : { ...rest, tenthsC };
  }

  send(): Promise<void> {
    return this.endpoint.write(Buffer.from(encodeCargoSentence(this.state), 'latin1'));
  }
}

/**
 * Plays a trip to the vehicle's devices: each fix as a second of NMEA, each door event as the cargo
 * module reports it, in time order, as fast as the line takes them (the station cuts its records on
 * the receiver's clock, so the speed of the playback changes nothing it signs). The hooks let a test
 * set the station's clock to a door event's time and wait for its record.
 */
export async function playTrip(
  trip: { fixes: readonly { atMs: number; lat: number; lon: number; speedKmh: number }[]; doors: readonly { atMs: number; action: DoorAction }[] },
  devices: { gnss: Pick<GnssSimulator, 'epoch'>; cargo?: Pick<CargoIoSimulator, 'door'> },
  hooks: { beforeDoor?: (atMs: number) => Promise<void> | void; afterDoor?: (atMs: number) => Promise<void> | void } = {},
): Promise<void> {
  let d = 0;
  for (const f of trip.fixes) {
    for (; d < trip.doors.length && trip.doors[d]!.atMs <= f.atMs; d++) {
      const door = trip.doors[d]!;
      await hooks.beforeDoor?.(door.atMs);
      await devices.cargo?.door(door.action);
      await hooks.afterDoor?.(door.atMs);
    }
    await devices.gnss.epoch({ atMs: f.atMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, satellites: 10 });
  }
}
