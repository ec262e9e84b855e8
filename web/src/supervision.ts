// Supervision's logic without the page: the published seed, how a draw is repeated from its files, which
// inspectors a draw sent to an institution, the checks a form makes before it is sent, and the names
// the points table gives in each language. The pages (pages/supervision/*, the credit panel, the
// disclosure page) only show what these give.
import type { Answer } from './api.ts';

export type Draw = Answer<'/api/v1/supervision/draws/{id}'>['draw'];
export type ViolationType = Answer<'/api/v1/supervision/violations'>['items'][number];
export type Inspector = Answer<'/api/v1/supervision/inspectors'>['items'][number];
export type Inspection = Answer<'/api/v1/supervision/inspections'>['items'][number];
export type Credit = Answer<'/api/v1/institutions/{id}/credit'>;
export type RiskClass = Credit['riskClass'];

export const RISK_CLASSES: readonly RiskClass[] = ['A', 'B', 'C', 'D'];

/** Bytes of a generated seed: 128 bits, more than anyone can search for a favourable draw. */
const SEED_BYTES = 16;

/** A random seed as hex, from `fill` (the browser's crypto.getRandomValues). */
export function randomSeed(fill: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return Array.from(fill(new Uint8Array(SEED_BYTES)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A value as one POSIX shell word: bare when plain, else in single quotes. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9._:+=@%/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command lines that repeat a draw: from draw.json and result.json, and from the frame and seed alone. */
export function repeatCommands(seed: string): { verify: string; fromFrame: string } {
  return { verify: 'npx wastetrail draw --draw draw.json --verify result.json', fromFrame: `npx wastetrail draw --frame frame.json --seed ${shellWord(seed)}` };
}

/** The files a draw is repeated from, as `wastetrail draw` reads them: draw.json, frame.json, result.json (once drawn). */
export function drawFiles(draw: Draw): { name: 'draw.json' | 'frame.json' | 'result.json'; kind: 'draw' | 'frame' | 'result'; value: unknown }[] {
  return [
    { name: 'draw.json', kind: 'draw', value: { draw } },
    { name: 'frame.json', kind: 'frame', value: draw.frame },
    ...(draw.result ? [{ name: 'result.json' as const, kind: 'result' as const, value: draw.result }] : []),
  ];
}

/** A JSON file's text as the downloads write it (two-space indent, a final newline). */
export const jsonFileText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The inspectors a drawn draw sent to an institution, or null when it did not pick the institution. */
export function drawnInspectors(draw: Pick<Draw, 'result'> | undefined, institution: string): string[] | null {
  return draw?.result?.picks.find((p) => p.institution === institution)?.inspectors ?? null;
}

/** A points-table name in the page's language (zh-CN: the Chinese one). */
export const localName = (names: { en: string; zh: string }, locale: string): string => (locale === 'en' ? names.en : names.zh);

/** A violation as "name (code)", or the code alone when the points table does not have it. */
export function violationLabel(types: readonly ViolationType[], code: string, locale: string): string {
  const v = types.find((x) => x.code === code);
  return v ? `${localName(v.name, locale)} (${code})` : code;
}

/** The inspection periods the server takes: a year, a half year, a quarter or a month. */
export const PERIOD_PATTERN = /^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$/;

export interface DrawForm {
  period: string;
  /** As a form field gives it (a number field's v-model may give a number, or '' when empty). */
  ratio: string | number;
  inspectorsPerInstitution: string | number;
  seed: string;
}

/** The announcement a draw form asks for, or the first field that is not right (checked again by the API). */
export function drawRequest(f: DrawForm): { ok: true; body: { period: string; ratio: number; seed: string; inspectorsPerInstitution: number } } | { ok: false; field: keyof DrawForm } {
  const period = f.period.trim();
  const seed = f.seed.trim();
  const ratio = Number(f.ratio);
  const per = Number(f.inspectorsPerInstitution);
  if (!PERIOD_PATTERN.test(period)) return { ok: false, field: 'period' };
  if (String(f.ratio).trim() === '' || !(ratio > 0 && ratio <= 1)) return { ok: false, field: 'ratio' };
  if (String(f.inspectorsPerInstitution).trim() === '' || !Number.isInteger(per) || per < 1 || per > 10) return { ok: false, field: 'inspectorsPerInstitution' };
  if (seed === '') return { ok: false, field: 'seed' };
  return { ok: true, body: { period, ratio, seed, inspectorsPerInstitution: per } };
}

export interface InspectionForm {
  institution: string;
  drawId: string;
  inspectors: readonly string[];
  date: string;
  outcome: 'pass' | 'violations';
  findings: readonly { violation: string; note: string }[];
}

type InspectionBody = { institution: string; drawId?: number; inspectors: string[]; date: string; outcome: 'pass' | 'violations'; findings: { violation: string; note: string }[] };

/** The inspection result a form records, or the first field missing (a pass sends no findings). */
export function inspectionRequest(f: InspectionForm): { ok: true; body: InspectionBody } | { ok: false; field: 'institution' | 'inspectors' | 'date' | 'findings' } {
  if (!f.institution) return { ok: false, field: 'institution' };
  if (f.inspectors.length === 0) return { ok: false, field: 'inspectors' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date)) return { ok: false, field: 'date' };
  const findings = f.outcome === 'violations' ? f.findings.map((x) => ({ violation: x.violation, note: x.note.trim() })) : [];
  if (f.outcome === 'violations' && (findings.length === 0 || findings.some((x) => !x.violation))) return { ok: false, field: 'findings' };
  return { ok: true, body: { institution: f.institution, ...(f.drawId ? { drawId: Number(f.drawId) } : {}), inspectors: [...f.inspectors], date: f.date, outcome: f.outcome, findings } };
}

/** A local calendar day (YYYY-MM-DD) of a moment in a time zone. */
export const dayIn = (ms: number, timeZone: string): string => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
