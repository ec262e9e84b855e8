/**
 * The supervision settings: the points table, the windows and weights of the risk formula, what each
 * risk class means for inspections: `supervision` in the server config, its schema below.
 */
import { ConfigError, fieldPath } from '@wastetrail/runtime';
import { Type, type Static, type TSchema } from 'typebox';
import { DEFAULT_VIOLATIONS, MAX_POINTS, MIN_POINTS, VIOLATION_CODE_PATTERN, violationTable, ViolationTypeSchema, type ViolationType } from './points.ts';

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

const classes = <T extends TSchema>(of: (c: RiskClass) => T, description: string) =>
  Type.Object(Object.fromEntries(RISK_CLASSES.map((c) => [c, of(c)])) as Record<RiskClass, T>, { additionalProperties: false, default: {}, description });
const D = DEFAULT_SUPERVISION;

/** The `supervision` section of the server config (docs/server/supervision.md). */
export const SupervisionSettingsSchema = Type.Object(
  {
    violations: Type.Record(Type.String(), Type.Union([Type.Integer({ minimum: MIN_POINTS, maximum: MAX_POINTS, description: "Replaces the type's default points." }), ViolationTypeSchema]), {
      default: {},
      propertyNames: { pattern: VIOLATION_CODE_PATTERN.source, 'x-expected': 'a violation code: lower-case letters, digits and "-", e.g. "sharps-unboxed"' },
      description: 'The points table over the defaults: a number replaces a type\'s points (1 to 12); a new type needs { "points", "en", "zh" }.',
    }),
    pointsWindowDays: Type.Integer({ minimum: 1, maximum: 3650, default: D.pointsWindowDays, 'x-unit': 'days', description: 'Confirmed violations count for this many days after confirmation.' }),
    alertWindowDays: Type.Integer({ minimum: 1, maximum: 3650, default: D.alertWindowDays, 'x-unit': 'days', description: 'Alerts opened, and bags sealed, in this many days make the alert rate.' }),
    minBagsForRate: Type.Integer({ minimum: 1, maximum: 1_000_000, default: D.minBagsForRate, 'x-unit': 'bags', description: "The alert rate's denominator is at least this many bags." }),
    alertPointsPer1000Bags: Type.Number({ minimum: 0, maximum: 100, default: D.alertPointsPer1000Bags, description: 'Score points per alert per 1000 bags.' }),
    alertTermCap: Type.Number({ minimum: 0, maximum: 1000, default: D.alertTermCap, description: 'The alert term adds at most this much to the score: only confirmed violations make class D alone.' }),
    classThresholds: Type.Object(
      {
        B: Type.Number({ minimum: 0, maximum: 1000, default: D.classThresholds.B }),
        C: Type.Number({ minimum: 0, maximum: 1000, default: D.classThresholds.C }),
        D: Type.Number({ minimum: 0, maximum: 1000, default: D.classThresholds.D }),
      },
      { additionalProperties: false, default: {}, description: 'The lowest score of classes B, C and D (A below B); they must rise.' },
    ),
    inspectionsPerYear: classes((c) => Type.Integer({ minimum: 0, maximum: 366, default: D.inspectionsPerYear[c] }), 'Inspections a year an institution of each risk class gets.'),
    drawWeights: classes((c) => Type.Integer({ minimum: 1, maximum: 1000, default: D.drawWeights[c] }), 'Weights of each risk class in the inspection draw (whole numbers).'),
    inspectorsPerInstitution: Type.Integer({ minimum: 1, maximum: 10, default: D.inspectorsPerInstitution, description: 'Inspectors drawn for each inspection.' }),
  },
  { additionalProperties: false, default: {}, description: 'Bad-practice points, risk classes and the inspection draw (docs/server/supervision.md).' },
);
export type SupervisionSettingsInput = Static<typeof SupervisionSettingsSchema>;

/**
 * The checked `supervision` section as the supervision code uses it, after the checks the schema cannot
 * make (classes that rise, names of new violation types); `at` is its path in the config.
 */
export function readSupervisionSettings(c: SupervisionSettingsInput, at: string): SupervisionSettings {
  const { B, C, D: d } = c.classThresholds;
  if (!(B < C && C < d)) throw ConfigError.at(fieldPath(at, 'classThresholds'), `must rise from B to C to D, got B ${B}, C ${C}, D ${d}`);
  return { ...c, violations: violationTable(c.violations, fieldPath(at, 'violations')) };
}
