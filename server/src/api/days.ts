/**
 * Days and instants in query parameters: `from`/`to` may be local days (YYYY-MM-DD, in a time zone,
 * `to` inclusive) or RFC 3339 instants; the store compares RFC 3339 UTC text, so both become that.
 */
import { DEFAULT_THRESHOLDS, isTimeZone } from '../rules/config.ts';
import { addDays, formatLocalDate, localDateOf, startOfLocalDay, type LocalDate } from '../rules/local-time.ts';
import { apiError } from './errors.ts';

/** The time zone days are counted in unless a request names another: the rules' default. */
export const DEFAULT_TIME_ZONE = DEFAULT_THRESHOLDS.timeZone;

export function timeZoneParam(tz: string | undefined): string {
  if (tz === undefined) return DEFAULT_TIME_ZONE;
  if (!isTimeZone(tz)) throw apiError('VALIDATION_FAILED', `query.timeZone ${tz} is not an IANA time zone such as Asia/Shanghai`, { field: 'query.timeZone' });
  return tz;
}

export function parseDay(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return u.getUTCFullYear() === d.year && u.getUTCMonth() === d.month - 1 && u.getUTCDate() === d.day ? d : undefined;
}

/**
 * A `from` or `to` parameter as an RFC 3339 UTC instant (`to` exclusive): a day starts at its local
 * midnight, and a `to` day counts whole, so it ends at the next local midnight.
 */
export function instantParam(value: string, field: string, timeZone: string, bound: 'from' | 'to'): string {
  if (value.length === 10) {
    const day = parseDay(value);
    if (!day) throw apiError('VALIDATION_FAILED', `${field} ${value} is not a calendar day`, { field });
    return new Date(startOfLocalDay(bound === 'to' ? addDays(day, 1) : day, timeZone)).toISOString();
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw apiError('VALIDATION_FAILED', `${field} ${value} is not a valid time`, { field });
  return new Date(ms).toISOString();
}

export function dayParam(value: string, field: string): string {
  if (!parseDay(value)) throw apiError('VALIDATION_FAILED', `${field} ${value} is not a calendar day`, { field });
  return value;
}

export function todayIn(timeZone: string, nowMs: number): string {
  return formatLocalDate(localDateOf(nowMs, timeZone));
}

export function shiftDay(day: string, n: number): string {
  return formatLocalDate(addDays(parseDay(day)!, n));
}

/** Whole days from `from` to `to` inclusive. */
export function daySpan(from: string, to: string): number {
  const a = parseDay(from)!;
  const b = parseDay(to)!;
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000) + 1;
}
