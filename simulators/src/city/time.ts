/**
 * The city's time. Hangzhou keeps UTC+8 all year (no daylight saving), so local days and hours are a
 * fixed offset from UTC: the daily rhythm (wards seal from 08:00, the truck comes at 14:00) is planned
 * in local time and recorded in UTC, as the devices do.
 *
 * A simulated city runs faster than real time: AcceleratedTime maps the real monotonic clock onto a
 * simulated wall clock (ms since the epoch) `speed` times faster. It never goes backwards, so device
 * record times stay in order, and a restart continues from a time no earlier than the last one used.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Asia/Shanghai: UTC+8, no daylight saving. */
export const CITY_UTC_OFFSET_MS = 8 * HOUR_MS;

/** The UTC ms of the local midnight that starts the day containing `utcMs`. */
export function localMidnight(utcMs: number): number {
  return Math.floor((utcMs + CITY_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - CITY_UTC_OFFSET_MS;
}

/** A local time of day, "HH:MM", as ms after local midnight. */
export function clockTime(hhmm: string): number {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day: ${hhmm}`);
  return Number(m[1]) * HOUR_MS + Number(m[2]) * MINUTE_MS;
}

/** "2026-03-02 14:05" in local time. */
export function formatLocalTime(utcMs: number): string {
  return new Date(utcMs + CITY_UTC_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** "20260302": the local date, as manifests and batches write it. */
export function localDateCode(utcMs: number): string {
  return new Date(utcMs + CITY_UTC_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

export interface AcceleratedTimeOptions {
  /** Simulated time at the start, ms since the epoch. */
  startMs: number;
  /** Simulated ms per real ms (1440: a day a minute). */
  speed: number;
  /** Real monotonic clock, ms; default performance.now. */
  realNow?: () => number;
}

export class AcceleratedTime {
  readonly speed: number;
  readonly startMs: number;
  private readonly realNow: () => number;
  private readonly realStart: number;
  private last: number;

  constructor(o: AcceleratedTimeOptions) {
    if (!(o.speed > 0) || !Number.isFinite(o.speed)) throw new RangeError('speed must be a positive number');
    if (!Number.isFinite(o.startMs)) throw new RangeError('startMs must be a time');
    this.speed = o.speed;
    this.startMs = Math.floor(o.startMs);
    this.realNow = o.realNow ?? (() => performance.now());
    this.realStart = this.realNow();
    this.last = this.startMs;
  }

  /** Simulated wall clock, ms since the epoch; never smaller than a value returned before. */
  readonly now = (): number => {
    const t = Math.floor(this.startMs + (this.realNow() - this.realStart) * this.speed);
    if (t > this.last) this.last = t;
    return this.last;
  };

  /** Real ms until the simulated time `simMs` (0 if it has come). */
  realMsUntil(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.speed);
  }
}

/** Where a new city's clock starts: 07:30 local on the day of `realMs`, before the wards open. */
export function firstMorning(realMs: number): number {
  return localMidnight(realMs) + clockTime('07:30');
}
