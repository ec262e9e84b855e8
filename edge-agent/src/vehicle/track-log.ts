/**
 * What a vehicle station signs, decided from what its devices report: fixes and cargo temperatures
 * batched into one `track` record per span (a minute by default), and a `door` record on every change of
 * the cargo door, with the last known position. Pure: the station shell feeds it readings and the
 * clock, and commits what it returns to the outbox.
 *
 * A span is measured on the receiver's clock (the fixes' own times), so fixes that arrive late or in a
 * burst are still cut into the same minutes; a receiver that says nothing at all (unplugged, a tunnel
 * that silences it) is covered by `due`, on the station's clock.
 */
import { formatDeviceTime, type CargoReading, type CustodyEvent, type DoorAction, type EventBody, type GnssFixReading } from '@wastetrail/firmware-protocol';

export interface TrackLogSettings {
  vehicle: string;
  /** One track record per this many seconds of fixes. */
  trackSeconds: number;
  /** One cargo temperature sample kept per this many seconds. */
  temperatureSeconds: number;
}

type TrackBody = EventBody<'track'>;

/** A record body may hold at most this many fixes (the format's limit). */
const MAX_FIXES = 3600;

export class TrackLog {
  private readonly s: TrackLogSettings;
  private fixes: TrackBody['fixes'] = [];
  private temperatures: TrackBody['temperatures'] = [];
  private noFix = 0;
  /** Receiver time of the span's first fix. */
  private spanStart: number | undefined;
  /** Station time the span was opened, for `due`. */
  private openedAt: number | undefined;
  private lastTemperatureAt = -Infinity;
  private door: DoorAction | undefined;
  private last: GnssFixReading | undefined;

  constructor(settings: TrackLogSettings) {
    this.s = settings;
  }

  /** The last fix, for the kiosk and for door records. */
  get lastFix(): GnssFixReading | undefined {
    return this.last;
  }

  fix(f: GnssFixReading, nowMs: number): CustodyEvent[] {
    const out: CustodyEvent[] = [];
    if (this.spanStart !== undefined && (f.atMs - this.spanStart >= this.s.trackSeconds * 1000 || f.atMs < this.spanStart || this.fixes.length >= MAX_FIXES)) {
      out.push(...this.flush());
    }
    this.open(nowMs);
    this.spanStart ??= f.atMs;
    this.fixes.push({ at: formatDeviceTime(f.atMs), lat: f.lat, lon: f.lon, speed: f.speed, quality: f.quality, satellites: f.satellites });
    this.last = f;
    return out;
  }

  /** A second the receiver had no fix: counted, so a tunnel shows as a gap that was known, not lost. */
  noFixSecond(nowMs: number): void {
    this.open(nowMs);
    this.noFix = Math.min(86_400, this.noFix + 1);
  }

  cargo(r: CargoReading, nowMs: number): CustodyEvent[] {
    const out: CustodyEvent[] = [];
    if (r.tenthsC !== undefined && nowMs - this.lastTemperatureAt >= this.s.temperatureSeconds * 1000) {
      this.open(nowMs);
      this.temperatures.push({ at: formatDeviceTime(nowMs), value: r.tenthsC });
      this.lastTemperatureAt = nowMs;
    }
    // The first reading only sets the state, unless the door is found open: that is worth a record.
    if (r.door !== this.door && (this.door !== undefined || r.door === 'open')) {
      const body: EventBody<'door'> = {
        vehicle: this.s.vehicle,
        action: r.door,
        at: formatDeviceTime(nowMs),
        ...(this.last ? { position: { lat: this.last.lat, lon: this.last.lon } } : {}),
      };
      out.push({ type: 'door', body });
    }
    this.door = r.door;
    return out;
  }

  /** The span has been open for its length on the station's clock: close it whether fixes came or not. */
  due(nowMs: number): boolean {
    return this.openedAt !== undefined && nowMs - this.openedAt >= this.s.trackSeconds * 1000;
  }

  /** Closes the span: one track record, or none if nothing was seen. */
  flush(): CustodyEvent[] {
    const body: TrackBody = { vehicle: this.s.vehicle, fixes: this.fixes, temperatures: this.temperatures, noFix: this.noFix };
    const empty = this.fixes.length === 0 && this.temperatures.length === 0 && this.noFix === 0;
    this.fixes = [];
    this.temperatures = [];
    this.noFix = 0;
    this.spanStart = this.openedAt = undefined;
    return empty ? [] : [{ type: 'track', body }];
  }

  private open(nowMs: number): void {
    this.openedAt ??= nowMs;
  }
}
