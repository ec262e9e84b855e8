/**
 * The dashboard's daily figures as both stores count them (repository.ts dailyFigures): one grouped
 * query over the bags, one over the alerts. Only the time arithmetic differs between SQLite and
 * PostgreSQL (times are RFC 3339 UTC text in both), so each store passes its own `DialectTime`.
 */
import { and, eq, inArray, isNotNull, ne, or, sql, gte, lte, lt, type AnyColumn, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DailyFiguresQuery } from './repository.ts';

export interface DialectTime {
  /** Hours from `from` to `to` (two RFC 3339 text columns or expressions). */
  hoursBetween(from: SQLWrapper, to: SQLWrapper): SQL;
  /** Whether the instant in `column` is at or before the RFC 3339 instant `iso`. */
  atOrBefore(column: SQLWrapper, iso: string): SQL;
  /** The local calendar day (YYYY-MM-DD) of the instant in `column`, at `offsetMinutes` from UTC. */
  localDay(column: SQLWrapper, offsetMinutes: number): SQL;
  /** A sum or count as an integer (PostgreSQL's sums are bigint, returned as text). */
  count(expr: SQL): SQL<number>;
}

type BagColumns = Record<'institution' | 'sealedDay' | 'sealedAt' | 'sealedGrams' | 'pickedUpAt' | 'receivedAt' | 'receivedGrams' | 'state', AnyColumn>;
type AlertColumns = Record<'institution' | 'jurisdiction' | 'severity' | 'openedAt' | 'resolvedAt', AnyColumn>;

const ifThen = (cond: SQL | undefined) => sql`case when ${cond} then 1 else 0 end`;
/**
 * A threshold as a literal: a bound parameter next to an integer column makes PostgreSQL take it for an
 * integer (10.5 % would be refused). The thresholds are checked numbers from the configuration.
 */
export function literal(n: number): SQL {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return sql.raw(String(n));
}
/** Group by the first two selected columns (PostgreSQL cannot match a parameterised expression in GROUP BY). */
const BY_INSTITUTION_AND_DAY = sql.raw('1, 2');

/** Columns and condition of the bags' query, grouped by institution and sealing day. */
export function bagDayQuery(q: DailyFiguresQuery, b: BagColumns, d: DialectTime) {
  const cutoff = new Date(Date.parse(q.nowIso) - q.handoverHours * 3_600_000).toISOString();
  // Handed over: the pickup, or the receipt when a pickup was never recorded.
  const handedOverAt = sql`coalesce(${b.pickedUpAt}, ${b.receivedAt})`;
  const weighed = and(isNotNull(b.receivedGrams), isNotNull(b.sealedGrams));
  const diff = sql`abs(${b.receivedGrams} - ${b.sealedGrams})`;
  return {
    columns: {
      institution: sql<string>`${b.institution}`,
      day: sql<string>`${b.sealedDay}`,
      bags: d.count(sql`count(*)`),
      sealedGrams: d.count(sql`coalesce(sum(${b.sealedGrams}), 0)`),
      received: d.count(sql`count(${b.receivedAt})`),
      receivedGrams: d.count(sql`coalesce(sum(${b.receivedGrams}), 0)`),
      handoverDue: d.count(sql`sum(${ifThen(or(sql`${handedOverAt} is not null`, d.atOrBefore(b.sealedAt, cutoff)))})`),
      handedOverInTime: d.count(sql`sum(${ifThen(and(sql`${handedOverAt} is not null`, sql`${d.hoursBetween(b.sealedAt, handedOverAt)} <= ${literal(q.handoverHours)}`))})`),
      weighed: d.count(sql`sum(${ifThen(weighed)})`),
      reconciled: d.count(sql`sum(${ifThen(and(weighed, or(sql`${diff} * 100 <= ${b.sealedGrams} * ${literal(q.weightTolerance.percent)}`, sql`${diff} <= ${literal(q.weightTolerance.minGrams)}`)))})`),
    },
    where: and(
      q.institutions.length > 0 ? inArray(b.institution, [...q.institutions]) : sql`1 = 0`,
      gte(b.sealedDay, q.fromDay),
      lte(b.sealedDay, q.toDay),
      isNotNull(b.sealedAt),
      ne(b.state, 'voided'),
    ),
    groupBy: BY_INSTITUTION_AND_DAY,
  };
}

/** Columns and condition of the alerts' query, grouped by institution and local day of opening. */
export function alertDayQuery(q: DailyFiguresQuery, a: AlertColumns, d: DialectTime) {
  const cutoff = new Date(Date.parse(q.nowIso) - q.alertCloseHours * 3_600_000).toISOString();
  const offsetMs = q.utcOffsetMinutes * 60_000;
  const [y, m, dd] = q.fromDay.split('-').map(Number) as [number, number, number];
  const [y2, m2, dd2] = q.toDay.split('-').map(Number) as [number, number, number];
  const fromIso = new Date(Date.UTC(y, m - 1, dd) - offsetMs).toISOString();
  const toIso = new Date(Date.UTC(y2, m2 - 1, dd2 + 1) - offsetMs).toISOString();
  const day = d.localDay(a.openedAt, q.utcOffsetMinutes);
  const level = (s: string) => d.count(sql`sum(${ifThen(sql`${a.severity} = ${s}`)})`);
  const scope = or(
    q.institutions.length > 0 ? inArray(a.institution, [...q.institutions]) : undefined,
    q.jurisdictions.length > 0 ? inArray(a.jurisdiction, [...q.jurisdictions]) : undefined,
  );
  return {
    columns: {
      institution: sql<string | null>`${a.institution}`,
      day: sql<string>`${day}`,
      critical: level('critical'),
      warning: level('warning'),
      info: level('info'),
      closeDue: d.count(sql`sum(${ifThen(or(isNotNull(a.resolvedAt), d.atOrBefore(a.openedAt, cutoff)))})`),
      closedInTime: d.count(sql`sum(${ifThen(and(isNotNull(a.resolvedAt), sql`${d.hoursBetween(a.openedAt, a.resolvedAt)} <= ${literal(q.alertCloseHours)}`))})`),
    },
    where: and(scope ?? sql`1 = 0`, gte(a.openedAt, fromIso), lt(a.openedAt, toIso)),
    groupBy: BY_INSTITUTION_AND_DAY,
  };
}

/** A vehicle's `track` records joined to their spans (repository.ts latestVehicleTracks takes the one ending last). */
export function vehicleTrackWhere(v: Record<'vehicle', AnyColumn>, r: Record<'type', AnyColumn>, plate: string): SQL | undefined {
  return and(eq(v.vehicle, plate), eq(r.type, 'track'));
}
