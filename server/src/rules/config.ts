/**
 * Rule thresholds: the defaults from the regulations (docs/server/rules.md), overridable per jurisdiction.
 * A jurisdiction path runs city > district > grid; overrides apply in that order, so the most specific
 * jurisdiction that sets a value wins. Values are in the units people speak in (hours, minutes, grams,
 * percent); rules convert.
 */
import { MAX_GRAMS, STATION_ROLES, type StationRole } from '@wastetrail/firmware-protocol';
import { checkConfig, ConfigError, fieldPath } from '@wastetrail/runtime';
import { Type, type Static, type TSchema } from 'typebox';
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
  /** Off the registered route by more than `metres` for at least `minutes`. */
  routeDeviation: { metres: number; minutes: number };
  /** Stopped (staying within `radiusMetres`) for at least `minutes` outside every geofence. */
  abnormalStop: { minutes: number; radiusMetres: number };
  /** A vehicle carrying bags that has sent nothing for this long. */
  vehicleSilent: { minutes: number };
  /** Ingest waits this long for a missing record before reporting the gap. */
  sequenceGap: { timeoutMinutes: number };
  /**
   * The 25/20 °C storage rule: waste held over from a day above hotDayCelsius must be kept below
   * maxCelsius. A day is hot by its outdoor probe's maximum; a room with no outdoor reading that day is
   * judged as `withoutOutdoorProbe` says (docs/transport/storage-climate.md).
   */
  storageClimate: { hotDayCelsius: number; maxCelsius: number; graceMinutes: number; withoutOutdoorProbe: WithoutOutdoorProbe };
  /** No reading from a room's sensor for this long while bags are stored there. */
  climateSilent: { minutes: number };
  /** The transfer manifest's receipt (docs/transport/manifest.md): e-Manifest's 10 % and a ±2 % intake tolerance. */
  manifestDiscrepancy: { weightPercent: number; tolerancePercent: number };
  /** A manifest not closed this long after it was issued. */
  manifestUnclosed: { hours: number };
  escalation: Record<Severity, EscalationDelays>;
}

const EVERY_DAY: Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/** assume-hot: every day counts as above 25 °C (strict); room-maximum: the room's own maximum decides. */
export const WITHOUT_OUTDOOR_PROBE = ['assume-hot', 'room-maximum'] as const;
export type WithoutOutdoorProbe = (typeof WITHOUT_OUTDOOR_PROBE)[number];

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
  // One vendor alarms at 50 m; a consumer receiver in a street canyon is 30-50 m off now and then, and
  // the next parallel road of a Chinese city grid is 150 m or more away: 100 m sustained for 3 minutes
  // catches a vehicle on another road and not a bad fix.
  routeDeviation: { metres: 100, minutes: 3 },
  // The vendor's 10 min; 50 m holds a parked vehicle with GNSS noise and not one creeping in traffic.
  abnormalStop: { minutes: 10, radiusMetres: 50 },
  // Three track records (a minute each) lost in a row is a dead zone; fifteen minutes is not.
  vehicleSilent: { minutes: 15 },
  sequenceGap: { timeoutMinutes: 15 },
  // Waste not cleared the same day on a day above 25 °C is kept below 20 °C (the seed regulation).
  storageClimate: { hotDayCelsius: 25, maxCelsius: 20, graceMinutes: 30, withoutOutdoorProbe: 'assume-hot' },
  // Sensors sign a batch every 10 minutes by default: an hour is six batches missing.
  climateSilent: { minutes: 60 },
  manifestDiscrepancy: { weightPercent: 10, tolerancePercent: 2 },
  // Storage (48 h) plus transit (24 h): by then the waste should be received and the manifest closed.
  manifestUnclosed: { hours: 72 },
  escalation: {
    critical: { institutionHeadMinutes: 60, regulatorMinutes: 240 },
    warning: { institutionHeadMinutes: 480, regulatorMinutes: 1440 },
    info: { institutionHeadMinutes: null, regulatorMinutes: null },
  },
};

// ---- The `rules` section of the server config ----
// Every threshold is optional at every level: what a level leaves out comes from the level above it,
// and at the top from DEFAULT_THRESHOLDS (so the schema states defaults in words, not as `default`).

const dflt = (v: unknown) => ` Default: ${JSON.stringify(v)}.`;
const D = DEFAULT_THRESHOLDS;
const optional = <T extends TSchema>(t: T) => Type.Optional(t);
const hours = (d: number, description: string) => optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365, 'x-unit': 'hours', description: description + dflt(d) }));
const minutes = (description: string) => Type.Number({ exclusiveMinimum: 0, maximum: 7 * 24 * 60, 'x-unit': 'minutes', description });
const percent = (d: number, description: string) => optional(Type.Number({ minimum: 0, maximum: 100, 'x-unit': '%', description: description + dflt(d) }));
const grams = (d: number, description: string) => optional(Type.Integer({ minimum: 0, maximum: MAX_GRAMS, 'x-unit': 'g', description: description + dflt(d) }));
const section = <P extends Record<string, TSchema>>(properties: P, description: string) => optional(Type.Object(properties, { additionalProperties: false, description }));
const clock = Type.String({ pattern: '^(?:(?:[01]\\d|2[0-3]):[0-5]\\d|24:00)$', 'x-expected': 'a time "HH:MM" from 00:00 to 24:00' });

const OperatingHoursSchema = Type.Object(
  {
    days: Type.Array(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4), Type.Literal(5), Type.Literal(6), Type.Literal(7)]), { minItems: 1, maxItems: 7, uniqueItems: true, 'x-expected': 'a list of different weekdays, 1 (Monday) to 7 (Sunday), e.g. [1, 2, 3, 4, 5]' }),
    from: clock,
    to: clock,
  },
  { additionalProperties: false, description: 'Local wall-clock hours on the given weekdays; "from" before "to", which may be "24:00". Replaced whole, never merged.' },
);
const delay = optional(Type.Union([minutes('Minutes unacknowledged before the alert goes to this level.'), Type.Null()], { description: 'Minutes unacknowledged before the alert goes to this level; null: it never does.' }));

export const ThresholdOverridesSchema = Type.Object(
  {
    timeZone: optional(Type.String({ minLength: 1, maxLength: 64, 'x-expected': 'an IANA time zone such as "Asia/Shanghai"', description: 'Time zone of operating hours and of the mass balance\'s days.' + dflt(D.timeZone) })),
    storageOverdue: section({ warnHours: hours(D.storageOverdue.warnHours, 'A bag in storage this long: warning.'), criticalHours: hours(D.storageOverdue.criticalHours, 'A bag in storage this long: critical (the regulations allow 48 h).') }, 'Waste kept in temporary storage too long.'),
    departmentUnsent: section({ hours: hours(D.departmentUnsent.hours, 'A sealed bag not collected from its ward within this time.') }, 'Waste left on the ward.'),
    collectionOverdue: section({ intervalHours: hours(D.collectionOverdue.intervalHours, 'Longest time between two collections by the disposal unit.') }, 'Collections missed.'),
    missingInTransit: section({ hours: hours(D.missingInTransit.hours, 'A picked-up bag not weighed in at disposal within this time.') }, 'Waste missing on the road.'),
    weightDiscrepancy: section(
      { percent: percent(D.weightDiscrepancy.percent, 'A weight differs when off by more than this share of the earlier weight...'), minGrams: grams(D.weightDiscrepancy.minGrams, '...and by more than this many grams.') },
      'Weights that change between handovers.',
    ),
    clonedTag: section(
      {
        maxSpeedKmh: optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000, 'x-unit': 'km/h', description: 'Faster than this between two places is not one tag travelling.' + dflt(D.clonedTag.maxSpeedKmh) })),
        clockSkewMinutes: optional(Type.Number({ minimum: 0, maximum: 24 * 60, 'x-unit': 'minutes', description: 'Added to the time between sightings: device clocks drift.' + dflt(D.clonedTag.clockSkewMinutes) })),
        unknownDistanceMinutes: optional(Type.Number({ minimum: 0, maximum: 24 * 60, 'x-unit': 'minutes', description: 'Where a place has no coordinates: two institutions within this many minutes is a cloned tag.' + dflt(D.clonedTag.unknownDistanceMinutes) })),
      },
      'One tag seen in two places it could not have travelled between.',
    ),
    deviceSilent: section(
      {
        minutes: optional(minutes('Silent minutes, counted inside operating hours only.' + dflt(D.deviceSilent.minutes))),
        operatingHours: optional(OperatingHoursSchema),
        stationHours: section(Object.fromEntries(STATION_ROLES.map((r) => [r, optional(OperatingHoursSchema)])) as Record<StationRole, ReturnType<typeof optional<typeof OperatingHoursSchema>>>, 'Hours for stations of a role that keep other hours (a disposal line running all night).'),
      },
      'A station that stops reporting during its hours.',
    ),
    massBalance: section(
      {
        percent: percent(D.massBalance.percent, 'A day does not balance when disposal weighed in this share less than was sealed...'),
        minGrams: grams(D.massBalance.minGrams, '...and at least this many grams less.'),
        settleHours: optional(Type.Number({ minimum: 0, maximum: 24 * 90, 'x-unit': 'hours', description: 'A day is judged this long after it ends: the time its waste needs to reach disposal.' + dflt(D.massBalance.settleHours) })),
        lookbackDays: optional(Type.Integer({ minimum: 1, maximum: 90, 'x-unit': 'days', description: 'Days judged on each run, going back from the newest settled day.' + dflt(D.massBalance.lookbackDays) })),
      },
      'Waste sealed in a day against waste weighed in at disposal.',
    ),
    routeDeviation: section(
      {
        metres: optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, 'x-unit': 'm', description: 'Farther than this from the registered route...' + dflt(D.routeDeviation.metres) })),
        minutes: optional(minutes('...for at least this long.' + dflt(D.routeDeviation.minutes))),
      },
      'A vehicle off its registered route.',
    ),
    abnormalStop: section(
      {
        minutes: optional(minutes('Stopped this long outside every geofence.' + dflt(D.abnormalStop.minutes))),
        radiusMetres: optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000, 'x-unit': 'm', description: 'Staying within this distance counts as stopped (GNSS noise included).' + dflt(D.abnormalStop.radiusMetres) })),
      },
      'A vehicle stopped where waste is never handled.',
    ),
    vehicleSilent: section({ minutes: optional(minutes('A vehicle carrying bags silent this long.' + dflt(D.vehicleSilent.minutes))) }, 'A loaded vehicle that stops reporting.'),
    sequenceGap: section({ timeoutMinutes: optional(minutes('Ingest waits this long for a missing record before reporting the gap.' + dflt(D.sequenceGap.timeoutMinutes))) }, 'Records missing from a device\'s chain.'),
    storageClimate: section(
      {
        hotDayCelsius: optional(Type.Number({ minimum: -40, maximum: 60, 'x-unit': '°C', description: 'A day whose outdoor maximum is above this is a hot day.' + dflt(D.storageClimate.hotDayCelsius) })),
        maxCelsius: optional(Type.Number({ minimum: -40, maximum: 60, 'x-unit': '°C', description: 'Waste held over from a hot day must be kept below this.' + dflt(D.storageClimate.maxCelsius) })),
        graceMinutes: optional(Type.Number({ minimum: 0, maximum: 24 * 60, 'x-unit': 'minutes', description: 'The room must stay at or above maxCelsius this long before it counts (a door opened for a handover does not).' + dflt(D.storageClimate.graceMinutes) })),
        withoutOutdoorProbe: optional(Type.Enum(WITHOUT_OUTDOOR_PROBE, { description: 'A day with no outdoor reading: assume-hot (every such day is hot) or room-maximum (the room\'s own maximum decides).' + dflt(D.storageClimate.withoutOutdoorProbe) })),
      },
      'The 25/20 °C rule for waste held over in the storage room.',
    ),
    climateSilent: section({ minutes: optional(minutes('No reading from a room\'s climate sensor for this long while bags are stored there.' + dflt(D.climateSilent.minutes))) }, 'A storage room\'s climate sensor that stops reporting.'),
    manifestDiscrepancy: section(
      {
        weightPercent: percent(D.manifestDiscrepancy.weightPercent, 'Accepted bags weighing more than this share off their declared weight: a discrepancy (US e-Manifest: 10 %).'),
        tolerancePercent: percent(D.manifestDiscrepancy.tolerancePercent, 'More than this share off (but within weightPercent): a warning (the usual intake tolerance).'),
      },
      'A transfer manifest whose receipt does not match what was issued.',
    ),
    manifestUnclosed: section({ hours: hours(D.manifestUnclosed.hours, 'A manifest not closed by disposal within this time after it was issued.') }, 'Transfer manifests left open.'),
    escalation: section(
      Object.fromEntries(SEVERITIES.map((s) => [s, section({ institutionHeadMinutes: delay, regulatorMinutes: delay }, `Alerts of severity ${s}.` + dflt(D.escalation[s]))])) as Record<Severity, ReturnType<typeof section<{ institutionHeadMinutes: typeof delay; regulatorMinutes: typeof delay }>>>,
      'How long an unacknowledged alert waits before it goes to the institution head (level 2) and the regulator (level 3).',
    ),
  },
  { additionalProperties: false },
);
/** Any subset of the thresholds. Operating hours are replaced whole, never merged field by field. */
export type ThresholdOverrides = Static<typeof ThresholdOverridesSchema>;

export const RuleConfigSchema = Type.Object(
  {
    defaults: optional(Type.Object(ThresholdOverridesSchema.properties, { additionalProperties: false, description: 'Over the built-in defaults, for every jurisdiction.' })),
    jurisdictions: optional(
      Type.Record(Type.String(), ThresholdOverridesSchema, {
        propertyNames: { pattern: '^\\S{1,64}$', 'x-expected': 'a jurisdiction id (no spaces)' },
        description: 'Keyed by jurisdiction id (a city, district or grid code): overrides for institutions there. A city, district, grid path applies in that order, so the most specific value wins.',
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Rule thresholds (docs/server/rules.md), with per-jurisdiction overrides.',
    'x-not-here': Object.fromEntries(Object.keys(ThresholdOverridesSchema.properties).map((k) => [k, 'is a threshold: put it under "defaults" (or under a jurisdiction in "jurisdictions")'])),
  },
);
/** The configuration as written (JSON or code). */
export type RuleConfigInput = Static<typeof RuleConfigSchema>;

export interface RuleConfig {
  defaults: RuleThresholds;
  jurisdictions: ReadonlyMap<string, ThresholdOverrides>;
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

/**
 * The checked `rules` section with the built-in defaults filled in, after the checks the schema cannot
 * make (a real time zone, hours that start before they end); `at` is its path in the config.
 */
export function readRuleConfig(c: RuleConfigInput, at: string): RuleConfig {
  checkOverrides(c.defaults ?? {}, fieldPath(at, 'defaults'));
  // Kept in a Map so no jurisdiction id can reach a prototype.
  const jurisdictions = new Map(Object.entries(c.jurisdictions ?? {}));
  for (const [id, o] of jurisdictions) checkOverrides(o, fieldPath(at, `jurisdictions.${id}`));
  return { defaults: mergeThresholds(DEFAULT_THRESHOLDS, c.defaults ?? {}), jurisdictions };
}

/** Rule configuration written in code (tests, the demo): the same schema and checks; throws ConfigError. */
export function ruleConfig(input: RuleConfigInput = {}): RuleConfig {
  return readRuleConfig(checkConfig(RuleConfigSchema, input), '');
}

function checkOverrides(o: ThresholdOverrides, at: string): void {
  if (o.timeZone !== undefined && !isTimeZone(o.timeZone)) throw ConfigError.at(fieldPath(at, 'timeZone'), `must be an IANA time zone such as "Asia/Shanghai", got ${JSON.stringify(o.timeZone)}`);
  const hoursAt = (h: { from: string; to: string } | undefined, field: string) => {
    if (h && clockMinutes(h.from) >= clockMinutes(h.to)) throw ConfigError.at(fieldPath(at, field), `"from" must be before "to", got from ${JSON.stringify(h.from)} to ${JSON.stringify(h.to)}`);
  };
  hoursAt(o.deviceSilent?.operatingHours, 'deviceSilent.operatingHours');
  for (const [role, h] of Object.entries(o.deviceSilent?.stationHours ?? {})) hoursAt(h, `deviceSilent.stationHours.${role}`);
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
    routeDeviation: { ...base.routeDeviation, ...o.routeDeviation },
    abnormalStop: { ...base.abnormalStop, ...o.abnormalStop },
    vehicleSilent: { ...base.vehicleSilent, ...o.vehicleSilent },
    sequenceGap: { ...base.sequenceGap, ...o.sequenceGap },
    storageClimate: { ...base.storageClimate, ...o.storageClimate },
    climateSilent: { ...base.climateSilent, ...o.climateSilent },
    manifestDiscrepancy: { ...base.manifestDiscrepancy, ...o.manifestDiscrepancy },
    manifestUnclosed: { ...base.manifestUnclosed, ...o.manifestUnclosed },
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
      t.manifestUnclosed.hours,
      t.massBalance.settleHours + 24 * (t.massBalance.lookbackDays + 1),
    );
  }
  // A day's margin for time zones and device clocks.
  return (hours + 24) * HOUR;
}
