/**
 * Local calendar days and operating hours in an IANA time zone, from a millisecond instant. Pure: the
 * zone rules come from the runtime's time zone data, never from the machine's clock or zone.
 */
import { clockMinutes, type OperatingHours, type Weekday } from './config.ts';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const HOUR_MS = 3_600_000;
/** Offsets by zone and UTC hour, for hours without a change of offset: Intl's formatToParts was most of summarizeBag's time. */
const hourOffsets = new Map<string, Map<number, number>>();
/** Hours remembered per zone (a few months of them): a zone's map is emptied when full. */
const HOURS_KEPT = 4096;

/** How far the zone's wall clock is ahead of UTC at `ms`. */
export function offsetMs(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  let hours = hourOffsets.get(timeZone);
  if (!hours) hourOffsets.set(timeZone, (hours = new Map()));
  const known = hours.get(hour);
  if (known !== undefined) return known;
  // A zone's offset changes at most once in any hour (changes are months apart), so an hour that begins and
  // ends on the same offset has it throughout; an hour with a change (Lord Howe's at half past) is computed each time.
  const first = zoneOffsetMs(hour * HOUR_MS, timeZone);
  if (first !== zoneOffsetMs(hour * HOUR_MS + HOUR_MS - 1, timeZone)) return zoneOffsetMs(ms, timeZone);
  if (hours.size >= HOURS_KEPT) hours.clear();
  hours.set(hour, first);
  return first;
}

function zoneOffsetMs(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

export function localDateOf(ms: number, timeZone: string): LocalDate {
  const d = new Date(ms + offsetMs(ms, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** "2026-03-02". */
export function formatLocalDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

export function weekdayOf(d: LocalDate): Weekday {
  const js = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return (js === 0 ? 7 : js) as Weekday;
}

/** The instant the zone's wall clock shows `minutes` after midnight of `d` (1440: the next midnight). */
export function zonedInstant(d: LocalDate, minutes: number, timeZone: string): number {
  const wall = Date.UTC(d.year, d.month - 1, d.day) + minutes * 60_000;
  // Two passes settle the offset across a daylight-saving change.
  let ms = wall - offsetMs(wall, timeZone);
  ms = wall - offsetMs(ms, timeZone);
  return ms;
}

export function startOfLocalDay(d: LocalDate, timeZone: string): number {
  return zonedInstant(d, 0, timeZone);
}

/**
 * Milliseconds of [fromMs, toMs) that fall inside operating hours, the union of `hours`; counting stops
 * once `enough` is reached, so a device silent for months costs a few days of work, not months.
 */
export function operatingMsBetween(fromMs: number, toMs: number, hours: readonly OperatingHours[], timeZone: string, enough = Infinity): number {
  if (toMs <= fromMs || hours.length === 0) return 0;
  let total = 0;
  const last = formatLocalDate(localDateOf(toMs, timeZone));
  for (let d = localDateOf(fromMs, timeZone); ; d = addDays(d, 1)) {
    const weekday = weekdayOf(d);
    const windows = hours
      .filter((h) => h.days.includes(weekday))
      .map((h) => [zonedInstant(d, clockMinutes(h.from), timeZone), zonedInstant(d, clockMinutes(h.to), timeZone)] as const)
      .sort((a, b) => a[0] - b[0]);
    let coveredTo = -Infinity;
    for (const [start, end] of windows) {
      const s = Math.max(start, coveredTo, fromMs);
      const e = Math.min(end, toMs);
      if (e > s) total += e - s;
      coveredTo = Math.max(coveredTo, end);
    }
    if (total >= enough || formatLocalDate(d) >= last) return total;
  }
}
