/**
 * The alerts table as both stores search it (schema.sqlite.ts, schema.pg.ts): the list filter and the
 * list orders, written once over either dialect's columns.
 */
import { asc, desc, eq, inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Alert, AlertFilter } from './repository.ts';
import { conjunction, listOf } from './rows.ts';
import { ALERT_SEVERITIES, type AlertOrder } from './vocabulary.ts';

type AlertColumns = Record<'id' | 'status' | 'severity' | 'currentSeverity' | 'rule' | 'device' | 'bag' | 'subject' | 'institution' | 'jurisdiction', AnyColumn>;

/** `nothing` is the dialect's false (SQLite has no boolean literal). */
export function alertWhere(f: AlertFilter, t: AlertColumns, nothing: SQL): SQL | undefined {
  const statuses = listOf(f.status);
  const severities = listOf(f.severity);
  return conjunction([
    statuses ? (statuses.length > 0 ? inArray(t.status, statuses) : nothing) : undefined,
    severities ? (severities.length > 0 ? inArray(t.severity, severities) : nothing) : undefined,
    f.rule !== undefined ? eq(t.rule, f.rule) : undefined,
    f.device !== undefined ? eq(t.device, f.device) : undefined,
    f.bag !== undefined ? eq(t.bag, f.bag) : undefined,
    f.subject !== undefined ? eq(t.subject, f.subject) : undefined,
    f.institution !== undefined ? eq(t.institution, f.institution) : undefined,
    f.institutions !== undefined ? (f.institutions.length > 0 ? inArray(t.institution, f.institutions) : nothing) : undefined,
    f.jurisdiction !== undefined ? eq(t.jurisdiction, f.jurisdiction) : undefined,
    f.jurisdictions !== undefined ? (f.jurisdictions.length > 0 ? inArray(t.jurisdiction, f.jurisdictions) : nothing) : undefined,
  ]);
}

/**
 * The ORDER BY of an alert list. Worst first ranks by the severity the alert has now (what the queue
 * shows: a condition that eased reads as its current level), then the oldest first; ids break ties, so
 * pages never overlap.
 */
export function alertOrderBy(order: AlertOrder | undefined, t: AlertColumns): SQL[] {
  switch (order ?? 'oldest') {
    case 'worst':
      return [sql`case coalesce(${t.currentSeverity}, ${t.severity}) when 'critical' then 0 when 'warning' then 1 else 2 end`, asc(t.id)];
    case 'newest':
      return [desc(t.id)];
    case 'oldest':
      return [asc(t.id)];
  }
}

/** The same orders over alerts already read (a list merged from several queries). */
export function compareAlerts(order: AlertOrder | undefined): (a: Alert, b: Alert) => number {
  const rank = (a: Alert) => ALERT_SEVERITIES.length - 1 - ALERT_SEVERITIES.indexOf(a.currentSeverity);
  switch (order ?? 'oldest') {
    case 'worst':
      return (a, b) => rank(a) - rank(b) || a.id - b.id;
    case 'newest':
      return (a, b) => b.id - a.id;
    case 'oldest':
      return (a, b) => a.id - b.id;
  }
}
