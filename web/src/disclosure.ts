// The public disclosure's figures from /api/v1/public/disclosure (pure): the month asked for, the
// totals over the institutions, the 48 h share as a percentage, and the download addresses.
import type { Answer } from './api.ts';

export type Disclosure = Answer<'/api/v1/public/disclosure'>;
export type DisclosureRow = Disclosure['institutions'][number];

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month of the URL when it is one (YYYY-MM), else undefined: the server's current month. */
export const monthAsked = (value: string): string | undefined => (MONTH_PATTERN.test(value) ? value : undefined);

/** kg sealed, kg disposed and confirmed violations over the rows. */
export function disclosureTotals(rows: readonly DisclosureRow[]): { kgSealed: number; kgDisposed: number; violations: number } {
  return rows.reduce((t, r) => ({ kgSealed: t.kgSealed + r.kgSealed, kgDisposed: t.kgDisposed + r.kgDisposed, violations: t.violations + r.confirmedViolations }), { kgSealed: 0, kgDisposed: 0, violations: 0 });
}

/** A share (0-1) as a percentage with at most one decimal ("87.5 %"), or – for none. */
export const shareText = (share: number | null, locale: string): string => (share === null ? '–' : `${(share * 100).toLocaleString(locale, { maximumFractionDigits: 1 })} %`);

/** kg with one decimal, as the disclosure writes weights. */
export const kgText = (kg: number, locale: string): string => kg.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The month's files, for anyone, without a session: JSON and CSV. */
export function disclosureFiles(month: string): { json: string; csv: string } {
  const q = `?month=${encodeURIComponent(month)}`;
  return { json: `/api/v1/public/disclosure${q}`, csv: `/api/v1/public/disclosure.csv${q}` };
}
