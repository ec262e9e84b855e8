/**
 * The supervision settings: the points table, the windows and weights of the risk formula, what each
 * risk class means for inspections. `supervision` in the server config (server/config/example.jsonc);
 * parseSupervisionSettings validates it and names the field at fault.
 */
import { DEFAULT_VIOLATIONS, violationTable, ViolationTableError, type ViolationType } from './points.ts';

export const RISK_CLASSES = ['A', 'B', 'C', 'D'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export interface SupervisionSettings {
  violations: ViolationType[];
  /** Confirmed violations count for this many days after confirmation. */
  pointsWindowDays: number;
  /** Alerts opened, and bags sealed, in this many days make the alert rate. */
  alertWindowDays: number;
  /** The alert rate's denominator is at least this many bags, so one alert at a clinic of 20 bags is not 50 per 1000. */
  minBagsForRate: number;
  /** Score points per alert per 1000 bags. */
  alertPointsPer1000Bags: number;
  /** The alert term adds at most this much to the score: only confirmed violations make class D alone. */
  alertTermCap: number;
  /** The lowest score of classes B, C and D (A below B). */
  classThresholds: { B: number; C: number; D: number };
  inspectionsPerYear: Record<RiskClass, number>;
  /** Weights of the inspection draw: positive whole numbers. */
  drawWeights: Record<RiskClass, number>;
  inspectorsPerInstitution: number;
  /** Local months and days of the disclosure and the alert window (default: the rules' Asia/Shanghai). */
  timeZone?: string;
}

export const DEFAULT_SUPERVISION: SupervisionSettings = {
  violations: DEFAULT_VIOLATIONS.map((v) => ({ ...v, name: { ...v.name } })),
  pointsWindowDays: 365,
  alertWindowDays: 90,
  minBagsForRate: 100,
  alertPointsPer1000Bags: 0.5,
  alertTermCap: 6,
  classThresholds: { B: 4, C: 8, D: 12 },
  inspectionsPerYear: { A: 1, B: 2, C: 4, D: 12 },
  drawWeights: { A: 1, B: 2, C: 4, D: 8 },
  inspectorsPerInstitution: 2,
};

export class SupervisionSettingsError extends Error {
  /** The field under `supervision`, e.g. `classThresholds.C`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SupervisionSettingsError';
    this.field = field;
  }
}

const FIELDS = ['violations', 'pointsWindowDays', 'alertWindowDays', 'minBagsForRate', 'alertPointsPer1000Bags', 'alertTermCap', 'classThresholds', 'inspectionsPerYear', 'drawWeights', 'inspectorsPerInstitution'];

/** The `supervision` object of the config (undefined: the defaults). Throws SupervisionSettingsError. */
export function parseSupervisionSettings(raw: unknown): SupervisionSettings {
  if (raw === undefined) return { ...DEFAULT_SUPERVISION };
  const o = object(raw, '(supervision)');
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new SupervisionSettingsError(k, `is not a setting here; the settings are ${FIELDS.map((f) => `"${f}"`).join(', ')}`);
  const d = DEFAULT_SUPERVISION;
  let violations: ViolationType[];
  try {
    violations = violationTable(o.violations === undefined ? {} : object(o.violations, 'violations'));
  } catch (e) {
    if (e instanceof ViolationTableError) throw new SupervisionSettingsError(`violations.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  const thresholdsRaw = o.classThresholds === undefined ? {} : object(o.classThresholds, 'classThresholds');
  only(thresholdsRaw, 'classThresholds', ['B', 'C', 'D']);
  const classThresholds = {
    B: num(thresholdsRaw.B, 'classThresholds.B', d.classThresholds.B, { min: 0, max: 1000 }),
    C: num(thresholdsRaw.C, 'classThresholds.C', d.classThresholds.C, { min: 0, max: 1000 }),
    D: num(thresholdsRaw.D, 'classThresholds.D', d.classThresholds.D, { min: 0, max: 1000 }),
  };
  if (!(classThresholds.B < classThresholds.C && classThresholds.C < classThresholds.D)) {
    throw new SupervisionSettingsError('classThresholds', `must rise from B to C to D, got B ${classThresholds.B}, C ${classThresholds.C}, D ${classThresholds.D}`);
  }
  const perClass = (key: 'inspectionsPerYear' | 'drawWeights', bounds: { min: number; max: number }) => {
    const r = o[key] === undefined ? {} : object(o[key], key);
    only(r, key, RISK_CLASSES);
    const out = {} as Record<RiskClass, number>;
    for (const c of RISK_CLASSES) out[c] = num(r[c], `${key}.${c}`, d[key][c], { ...bounds, integer: true });
    return out;
  };
  return {
    violations,
    pointsWindowDays: num(o.pointsWindowDays, 'pointsWindowDays', d.pointsWindowDays, { min: 1, max: 3650, integer: true }),
    alertWindowDays: num(o.alertWindowDays, 'alertWindowDays', d.alertWindowDays, { min: 1, max: 3650, integer: true }),
    minBagsForRate: num(o.minBagsForRate, 'minBagsForRate', d.minBagsForRate, { min: 1, max: 1_000_000, integer: true }),
    alertPointsPer1000Bags: num(o.alertPointsPer1000Bags, 'alertPointsPer1000Bags', d.alertPointsPer1000Bags, { min: 0, max: 100 }),
    alertTermCap: num(o.alertTermCap, 'alertTermCap', d.alertTermCap, { min: 0, max: 1000 }),
    classThresholds,
    inspectionsPerYear: perClass('inspectionsPerYear', { min: 0, max: 366 }),
    drawWeights: perClass('drawWeights', { min: 1, max: 1000 }),
    inspectorsPerInstitution: num(o.inspectorsPerInstitution, 'inspectorsPerInstitution', d.inspectorsPerInstitution, { min: 1, max: 10, integer: true }),
  };
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SupervisionSettingsError(field, `must be an object { ... }, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, field: string, known: readonly string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new SupervisionSettingsError(`${field}.${k}`, `is not a setting here; the settings are ${known.map((x) => `"${x}"`).join(', ')}`);
}

function num(v: unknown, field: string, fallback: number, o: { min: number; max: number; integer?: boolean }): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < o.min || v > o.max || (o.integer && !Number.isSafeInteger(v))) {
    throw new SupervisionSettingsError(field, `must be a ${o.integer ? 'whole ' : ''}number from ${o.min} to ${o.max}, got ${JSON.stringify(v) ?? 'nothing'}; the default is ${fallback}`);
  }
  return v;
}
