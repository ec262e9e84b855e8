/**
 * Rule thresholds: the defaults from the regulations (docs/server/rules.md), overridable per jurisdiction.
 * A jurisdiction path runs city > district > grid; overrides apply in that order, so the most specific
 * jurisdiction that sets a value wins. Values are in the units people speak in (hours, minutes, grams,
 * percent); rules convert.
 */
import {
  array,
  fail,
  integer,
  MAX_GRAMS,
  object,
  ok,
  optional,
  STATION_ROLES,
  string,
  type Result,
  type Schema,
  type StationRole,
} from '@wastetrail/firmware-protocol';
import { SEVERITIES, type Severity } from './candidate.ts';

/** ISO weekdays: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Local wall-clock hours, in the thresholds' time zone. `to` may be "24:00"; `from` must be before `to`. */
export interface OperatingHours {
  days: Weekday[];
  from: string;
  to: string;
}

/** Minutes an alert may stay unacknowledged before it goes to the next level; null: it never does. */
export interface EscalationDelays {
  institutionHeadMinutes: number | null;
  regulatorMinutes: number | null;
}

export interface RuleThresholds {
  /** IANA time zone for operating hours and for the days of the mass balance. */
  timeZone: string;
  storageOverdue: { warnHours: number; criticalHours: number };
  departmentUnsent: { hours: number };
  collectionOverdue: { intervalHours: number };
  missingInTransit: { hours: number };
  /** A weight differs when it is off by more than max(percent of the earlier weight, minGrams). */
  weightDiscrepancy: { percent: number; minGrams: number };
  clonedTag: {
    /** Faster than this between two places is not one tag travelling. */
    maxSpeedKmh: number;
    /** Added to the time between sightings: device clocks drift. */
    clockSkewMinutes: number;
    /** Where a place has no coordinates: two institutions within this many minutes is a cloned tag. */
    unknownDistanceMinutes: number;
  };
  deviceSilent: {
    /** Silent minutes counted inside operating hours only. */
    minutes: number;
    operatingHours: OperatingHours;
    /** Hours for stations that keep other hours (a disposal line running all night). */
    stationHours: Partial<Record<StationRole, OperatingHours>>;
  };
  massBalance: {
    percent: number;
    minGrams: number;
    /** A day is judged this long after it ends: the time its waste needs to reach disposal. */
    settleHours: number;
    /** Days judged on each run, going back from the newest settled day. */
    lookbackDays: number;
  };
  /** Ingest waits this long for a missing record before reporting the gap. */
  sequenceGap: { timeoutMinutes: number };
  escalation: Record<Severity, EscalationDelays>;
}

const EVERY_DAY: Weekday[] = [1, 2, 3, 4, 5, 6, 7];

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  timeZone: 'Asia/Shanghai',
  // 医疗废物管理条例 Art. 17: at most 2 days in temporary storage.
  storageOverdue: { warnHours: 36, criticalHours: 48 },
  departmentUnsent: { hours: 24 },
  // Local rules: the disposal unit collects at least every 2 days.
  collectionOverdue: { intervalHours: 48 },
  missingInTransit: { hours: 24 },
  weightDiscrepancy: { percent: 10, minGrams: 50 },
  clonedTag: { maxSpeedKmh: 120, clockSkewMinutes: 5, unknownDistanceMinutes: 10 },
  deviceSilent: { minutes: 30, operatingHours: { days: EVERY_DAY, from: '08:00', to: '18:00' }, stationHours: {} },
  // Storage (48 h) plus transit (24 h): by then a day's waste should have been weighed in at disposal.
  massBalance: { percent: 5, minGrams: 1000, settleHours: 72, lookbackDays: 7 },
  sequenceGap: { timeoutMinutes: 15 },
  escalation: {
    critical: { institutionHeadMinutes: 60, regulatorMinutes: 240 },
    warning: { institutionHeadMinutes: 480, regulatorMinutes: 1440 },
    info: { institutionHeadMinutes: null, regulatorMinutes: null },
  },
};

type Sections = Omit<RuleThresholds, 'timeZone' | 'deviceSilent' | 'escalation'>;
/** Any subset of the thresholds. Operating hours are replaced whole, never merged field by field. */
export type ThresholdOverrides = { timeZone?: string } & { [K in keyof Sections]?: Partial<Sections[K]> } & {
  deviceSilent?: Partial<RuleThresholds['deviceSilent']>;
  escalation?: Partial<Record<Severity, Partial<EscalationDelays>>>;
};

/** The configuration as written (JSON or code): defaults over the built-in ones, and per-jurisdiction overrides. */
export interface RuleConfigInput {
  defaults?: ThresholdOverrides;
  /** Keyed by jurisdiction id (a city, district or grid code). */
  jurisdictions?: Record<string, ThresholdOverrides>;
}

export interface RuleConfig {
  defaults: RuleThresholds;
  jurisdictions: ReadonlyMap<string, ThresholdOverrides>;
}

export interface RuleConfigError {
  message: string;
  path?: string;
}

// ---- Validation, on the same schema combinators as record bodies ----

const invalid = (path: string, expected: string) => fail('INVALID_FIELD', `${path || 'value'} must be ${expected}`, { path });

function decimal(min: number, max: number, { above = false } = {}): Schema<number> {
  const describe = `a number ${above ? 'above' : 'from'} ${min}${above ? ' and up to' : ' to'} ${max}`;
  return {
    describe,
    check(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (above ? value <= min : value < min)) return invalid(path, describe);
      return ok(value);
    },
  };
}

function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return {
    describe: `${schema.describe} or null`,
    check: (value, path) => (value === null ? ok(null) : schema.check(value, path)),
  };
}

function refine<T>(schema: Schema<T>, test: (v: T) => boolean, describe: string): Schema<T> {
  return {
    describe,
    check(value, path) {
      const r = schema.check(value, path);
      if (!r.ok) return r;
      return test(r.value) ? r : invalid(path, describe);
    },
  };
}

/** Keys are free (jurisdiction ids), values all one schema; kept in a Map so no key can reach a prototype. */
function keyed<T>(keySchema: Schema<string>, valueSchema: Schema<T>): Schema<Map<string, T>> {
  const describe = `an object of ${valueSchema.describe}`;
  return {
    describe,
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(path, describe);
      const out = new Map<string, T>();
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const at = path ? `${path}.${key}` : key;
        const k = keySchema.check(key, at);
        if (!k.ok) return k;
        const r = valueSchema.check(v, at);
        if (!r.ok) return r;
        out.set(key, r.value);
      }
      return ok(out);
    },
  };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** "HH:MM" to minutes after midnight; "24:00" is 1440. */
export function clockMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const hours = decimal(0, 24 * 365, { above: true });
const minutes = decimal(0, 7 * 24 * 60, { above: true });
const percent = decimal(0, 100);
const grams = integer({ min: 0, max: MAX_GRAMS });
const clock = string({ pattern: /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, min: 5, max: 5, describe: 'a time "HH:MM" from 00:00 to 24:00' });
const timeZone = refine(string({ max: 64 }), isTimeZone, 'an IANA time zone such as "Asia/Shanghai"');
const operatingHours = refine(
  object({ days: array(integer({ min: 1, max: 7 }), { min: 1, max: 7 }), from: clock, to: clock }, 'operating hours {days, from, to}'),
  (h) => new Set(h.days).size === h.days.length && clockMinutes(h.from) < clockMinutes(h.to),
  'operating hours with distinct days (1 = Monday ... 7 = Sunday) and "from" before "to"',
) as Schema<OperatingHours>;
const delay = optional(nullable(minutes));
const escalationDelays = object({ institutionHeadMinutes: delay, regulatorMinutes: delay });

const overridesSchema = object({
  timeZone: optional(timeZone),
  storageOverdue: optional(object({ warnHours: optional(hours), criticalHours: optional(hours) })),
  departmentUnsent: optional(object({ hours: optional(hours) })),
  collectionOverdue: optional(object({ intervalHours: optional(hours) })),
  missingInTransit: optional(object({ hours: optional(hours) })),
  weightDiscrepancy: optional(object({ percent: optional(percent), minGrams: optional(grams) })),
  clonedTag: optional(
    object({
      maxSpeedKmh: optional(decimal(0, 10_000, { above: true })),
      clockSkewMinutes: optional(decimal(0, 24 * 60)),
      unknownDistanceMinutes: optional(decimal(0, 24 * 60)),
    }),
  ),
  deviceSilent: optional(
    object({
      minutes: optional(minutes),
      operatingHours: optional(operatingHours),
      stationHours: optional(object(Object.fromEntries(STATION_ROLES.map((r) => [r, optional(operatingHours)])))),
    }),
  ),
  massBalance: optional(
    object({
      percent: optional(percent),
      minGrams: optional(grams),
      settleHours: optional(decimal(0, 24 * 90)),
      lookbackDays: optional(integer({ min: 1, max: 90 })),
    }),
  ),
  sequenceGap: optional(object({ timeoutMinutes: optional(minutes) })),
  escalation: optional(object(Object.fromEntries(SEVERITIES.map((s) => [s, optional(escalationDelays)])))),
}) as Schema<ThresholdOverrides>;

const jurisdictionId = string({ pattern: /^\S+$/, max: 64, describe: 'a jurisdiction id (no spaces)' });

const configSchema = object({ defaults: optional(overridesSchema), jurisdictions: optional(keyed(jurisdictionId, overridesSchema)) });

/** Checks a configuration (parsed JSON, or the same shape from code) and fills in the built-in defaults. */
export function parseRuleConfig(json: unknown): Result<RuleConfig, RuleConfigError> {
  const r = configSchema.check(json ?? {}, '');
  if (!r.ok) return { ok: false, error: { message: r.error.message, ...(r.error.path ? { path: r.error.path } : {}) } };
  return ok({ defaults: mergeThresholds(DEFAULT_THRESHOLDS, r.value.defaults ?? {}), jurisdictions: r.value.jurisdictions ?? new Map() });
}

export class RuleConfigInvalid extends Error {
  readonly code = 'INVALID_RULE_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'RuleConfigInvalid';
  }
}

/** parseRuleConfig for configuration written in code: throws RuleConfigInvalid. */
export function ruleConfig(input: RuleConfigInput = {}): RuleConfig {
  const r = parseRuleConfig(input);
  if (!r.ok) throw new RuleConfigInvalid(r.error.message);
  return r.value;
}

export function mergeThresholds(base: RuleThresholds, o: ThresholdOverrides): RuleThresholds {
  const escalation = { ...base.escalation };
  for (const s of SEVERITIES) escalation[s] = { ...base.escalation[s], ...o.escalation?.[s] };
  return {
    timeZone: o.timeZone ?? base.timeZone,
    storageOverdue: { ...base.storageOverdue, ...o.storageOverdue },
    departmentUnsent: { ...base.departmentUnsent, ...o.departmentUnsent },
    collectionOverdue: { ...base.collectionOverdue, ...o.collectionOverdue },
    missingInTransit: { ...base.missingInTransit, ...o.missingInTransit },
    weightDiscrepancy: { ...base.weightDiscrepancy, ...o.weightDiscrepancy },
    clonedTag: { ...base.clonedTag, ...o.clonedTag },
    deviceSilent: {
      minutes: o.deviceSilent?.minutes ?? base.deviceSilent.minutes,
      operatingHours: o.deviceSilent?.operatingHours ?? base.deviceSilent.operatingHours,
      stationHours: { ...base.deviceSilent.stationHours, ...o.deviceSilent?.stationHours },
    },
    massBalance: { ...base.massBalance, ...o.massBalance },
    sequenceGap: { ...base.sequenceGap, ...o.sequenceGap },
    escalation,
  };
}

/**
 * The thresholds in force for an institution in `jurisdictionPath` (city, district, grid: broadest
 * first). Each level's overrides apply over the one above it, so the most specific value wins.
 */
export function resolveThresholds(config: RuleConfig, jurisdictionPath: readonly string[]): RuleThresholds {
  let t = config.defaults;
  for (const id of jurisdictionPath) {
    const o = config.jurisdictions.get(id);
    if (o) t = mergeThresholds(t, o);
  }
  return t;
}

/** Whether ingest should stop waiting for a missing record first noticed at `waitingSinceMs`. */
export function sequenceGapExpired(waitingSinceMs: number, nowMs: number, t: RuleThresholds): boolean {
  return nowMs - waitingSinceMs >= t.sequenceGap.timeoutMinutes * 60_000;
}

const HOUR = 3_600_000;

/**
 * How far back the trails given to evaluateRules must reach (besides every bag not yet disposed) for the
 * rules to see all they need: the longest clock of any rule, and the mass balance's settled days, under
 * the defaults and every jurisdiction's overrides.
 */
export function ruleLookbackMs(config: RuleConfig): number {
  const layers = [config.defaults, ...[...config.jurisdictions.values()].map((o) => mergeThresholds(config.defaults, o))];
  let hours = 0;
  for (const t of layers) {
    hours = Math.max(
      hours,
      t.storageOverdue.criticalHours,
      t.departmentUnsent.hours,
      t.collectionOverdue.intervalHours,
      t.missingInTransit.hours,
      t.massBalance.settleHours + 24 * (t.massBalance.lookbackDays + 1),
    );
  }
  // A day's margin for time zones and device clocks.
  return (hours + 24) * HOUR;
}
