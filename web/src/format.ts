// How the app writes times and weights: times in Asia/Shanghai (the city's), whatever the browser's zone;
// weights from the API's grams.
import { currentLocale, i18n } from './i18n.ts';

export const TIME_ZONE = 'Asia/Shanghai';

/** A moment (ISO 8601) as date and time to the minute in Asia/Shanghai, or '' for none. */
export function formatTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(currentLocale(), { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hour12: false });
}

/** Grams as kilograms with up to `digits` decimals, in the current language's digits. */
export function formatKg(grams: number | null | undefined, digits = 2): string {
  if (grams === null || grams === undefined) return '';
  return (grams / 1000).toLocaleString(currentLocale(), { maximumFractionDigits: digits });
}

/** A count in the current language's digit grouping. */
export const formatCount = (n: number): string => n.toLocaleString(currentLocale());

/** Grams with their unit symbol (the same in both languages): below a kilogram in g ("600 g"), else kg with up to two decimals ("1.25 kg"). */
export function formatWeight(grams: number | null | undefined): string {
  if (grams === null || grams === undefined) return '';
  return Math.abs(grams) < 1000 ? `${grams.toLocaleString(currentLocale())} g` : `${formatKg(grams)} kg`;
}

/** A duration as days, hours and minutes (days and hours beyond ten days; minutes under one day). */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const t = i18n.global.t;
  const min = Math.floor(ms / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const parts: string[] = [];
  if (d > 0) parts.push(t('dur.d', { n: d }));
  if (h > 0 && d < 10) parts.push(t('dur.h', { n: h }));
  if (d === 0 && (m > 0 || parts.length === 0)) parts.push(t('dur.min', { n: m }));
  return parts.join(currentLocale() === 'en' ? ' ' : '');
}

/** The local day (YYYY-MM-DD) of a moment in Asia/Shanghai, as the API's day parameters take it. */
export function shanghaiDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
