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

/** A duration as days, hours and minutes in the current language (days and hours from a day on, no hours past ten days). */
export function formatDuration(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const parts: string[] = [];
  if (d > 0) parts.push(i18n.global.t('dur.d', { n: d }));
  if (h > 0 && d < 10) parts.push(i18n.global.t('dur.h', { n: h }));
  if (d === 0 && (m > 0 || parts.length === 0)) parts.push(i18n.global.t('dur.min', { n: m }));
  return parts.join(currentLocale() === 'en' ? ' ' : '');
}
