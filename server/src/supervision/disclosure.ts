/**
 * Public disclosure (信息公开): per institution per local month, what it sealed, what was confirmed
 * disposed of, how much it handed over within 48 h, its confirmed violations and its risk class.
 * Aggregates only: no badge, no staff, no username, no inspector, no crew ever appears here.
 */
import type { Institution, SealedMonthTotals } from '../store/repository.ts';
import type { RiskClass } from './settings.ts';

export interface DisclosureRow {
  institution: string;
  name: string;
  kind: string;
  jurisdiction: string;
  bagsSealed: number;
  kgSealed: number;
  bagsDisposed: number;
  kgDisposed: number;
  /** 0..1; null when nothing was sealed. */
  handedOverWithin48hShare: number | null;
  confirmedViolations: number;
  riskClass: RiskClass;
}

/** The kinds of institution disclosed: those that produce waste. */
export const DISCLOSED_KINDS = ['hospital', 'clinic'] as const;

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first and last local day of a month (YYYY-MM). */
export function monthDays(month: string): { fromDay: string; toDay: string } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`${month} is not a month YYYY-MM`);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { fromDay: `${month}-01`, toDay: `${month}-${String(last).padStart(2, '0')}` };
}

/** The month after (YYYY-MM). */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

const kg = (grams: number) => Math.round(grams) / 1000;

export function disclosureRows(
  institutions: readonly Institution[],
  totals: readonly SealedMonthTotals[],
  violations: ReadonlyMap<string, number>,
  classes: ReadonlyMap<string, RiskClass>,
): DisclosureRow[] {
  const byInstitution = new Map(totals.map((t) => [t.institution, t]));
  return institutions
    .filter((i) => (DISCLOSED_KINDS as readonly string[]).includes(i.kind))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((i) => {
      const t = byInstitution.get(i.id);
      const bags = t?.bags ?? 0;
      return {
        institution: i.id,
        name: i.name,
        kind: i.kind,
        jurisdiction: i.jurisdiction,
        bagsSealed: bags,
        kgSealed: kg(t?.sealedGrams ?? 0),
        bagsDisposed: t?.disposedBags ?? 0,
        kgDisposed: kg(t?.disposedGrams ?? 0),
        handedOverWithin48hShare: bags === 0 ? null : Math.round(((t?.handedOverWithin48h ?? 0) / bags) * 10_000) / 10_000,
        confirmedViolations: violations.get(i.id) ?? 0,
        riskClass: classes.get(i.id) ?? 'A',
      };
    });
}

export const DISCLOSURE_CSV_HEADER =
  'month,institution,name,kind,jurisdiction,bags_sealed,kg_sealed,bags_disposed,kg_disposed,handed_over_within_48h_share,confirmed_violations,risk_class';

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function disclosureCsv(month: string, rows: readonly DisclosureRow[]): string {
  const lines = rows.map((r) =>
    [month, r.institution, r.name, r.kind, r.jurisdiction, r.bagsSealed, r.kgSealed, r.bagsDisposed, r.kgDisposed, r.handedOverWithin48hShare, r.confirmedViolations, r.riskClass]
      .map(csvField)
      .join(','),
  );
  return `${[DISCLOSURE_CSV_HEADER, ...lines].join('\r\n')}\r\n`;
}
