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

/** A duration as the largest whole units, "2 d 3 h", "3 h 20 min", "5 min" (dur.* messages). */
export function formatDuration(ms: number): string {
  const t = i18n.global.t;
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d > 0) return h > 0 ? `${t('dur.d', { n: d })} ${t('dur.h', { n: h })}` : t('dur.d', { n: d });
  if (h > 0) return m > 0 ? `${t('dur.h', { n: h })} ${t('dur.min', { n: m })}` : t('dur.h', { n: h });
  return t('dur.min', { n: m });
}
