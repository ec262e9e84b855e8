/** Alert rows as the alert book (server/src/alerting) decides them (AlertStore). */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Alert, AlertFilter, AlertOrder, AlertSeverity, AlertStore, NewAlert } from '../repository.ts';
import { ALERT_SEVERITIES } from '../vocabulary.ts';
import { chunks, conjunction, countAll, listOf, nothing, type Queries, type Tables } from './context.ts';

export function alertQueries({ db, t, dialect }: Queries): AlertStore {
  const a = t.alerts;
  return {
    async insertAlert(alert) {
      // The partial unique index on unresolved dedupe keys refuses a second one, even from another process: the caller decides again.
      const [row] = await db.insert(a).values(newAlertRow(alert)).onConflictDoNothing().returning();
      return row && alertFromRow(row);
    },

    async updateAlert(alert) {
      const [row] = await db
        .update(a)
        .set({ ...alertChanges(alert), revision: alert.revision + 1 })
        .where(and(eq(a.id, alert.id), eq(a.revision, alert.revision)))
        .returning();
      return row && alertFromRow(row);
    },

    async latestAlerts(dedupeKeys) {
      const out: Alert[] = [];
      for (const keys of chunks([...new Set(dedupeKeys)], dialect.inChunk)) {
        const open = await db
          .select()
          .from(a)
          .where(and(inArray(a.dedupeKey, keys), ne(a.status, 'resolved')));
        out.push(...open.map(alertFromRow));
        const missing = keys.filter((k) => !open.some((o) => o.dedupeKey === k));
        if (missing.length === 0) continue;
        const latest = (
          await db
            .select({ id: sql<number>`max(${a.id})`.mapWith(Number) })
            .from(a)
            .where(inArray(a.dedupeKey, missing))
            .groupBy(a.dedupeKey)
        ).map((r) => r.id);
        if (latest.length > 0) out.push(...(await db.select().from(a).where(inArray(a.id, latest))).map(alertFromRow));
      }
      return out.sort((x, y) => x.id - y.id);
    },

    async unresolvedAlerts(filter = {}) {
      if (filter.rules?.length === 0 || filter.subjects?.length === 0) return [];
      const rules = filter.rules ? inArray(a.rule, [...filter.rules]) : undefined;
      const subjectLists = filter.subjects ? chunks([...new Set(filter.subjects)], dialect.inChunk) : [undefined];
      const out: Alert[] = [];
      for (const subjects of subjectLists) {
        const where = conjunction([ne(a.status, 'resolved'), rules, subjects ? inArray(a.subject, subjects) : undefined]);
        out.push(...(await db.select().from(a).where(where)).map(alertFromRow));
      }
      return out.sort((x, y) => x.id - y.id);
    },

    async recordAlertSightings(ids, at) {
      if (ids.length === 0) return;
      // In id order, so two processes counting overlapping alerts take the row locks in the same order.
      const ordered = [...new Set(ids)].sort((x, y) => x - y);
      await dialect.writeAll((tx) =>
        chunks(ordered, dialect.inChunk).map((part) =>
          tx
            .update(a)
            .set({ occurrences: sql`${a.occurrences} + 1`, lastSeenAt: dialect.greatest(a.lastSeenAt, at) })
            .where(inArray(a.id, part)),
        ),
      );
    },

    async alert(id) {
      const [row] = await db.select().from(a).where(eq(a.id, id));
      return row && alertFromRow(row);
    },

    async alerts(filter = {}) {
      // The page's ids first, then their rows: whole rows are not sorted only to be skipped.
      const order = alertOrderBy(filter.order, a);
      const page = db
        .select({ id: a.id })
        .from(a)
        .where(alertWhere(a, filter))
        .orderBy(...order)
        .limit(filter.limit ?? 1000)
        .offset(filter.offset ?? 0);
      const rows = await db.select().from(a).where(inArray(a.id, page)).orderBy(...order);
      return rows.map(alertFromRow);
    },

    async countAlerts(filter = {}) {
      const [row] = await db.select({ n: countAll }).from(a).where(alertWhere(a, filter));
      return row!.n;
    },

    async alertsOpenedPerInstitution(from, to) {
      const rows = await db
        .select({ institution: a.institution, n: sql<number>`cast(count(*) as integer)` })
        .from(a)
        .where(and(isNotNull(a.institution), gte(a.openedAt, from), lt(a.openedAt, to)))
        .groupBy(a.institution);
      return new Map(rows.map((r) => [r.institution!, r.n]));
    },
  };
}

function alertWhere(a: Tables['alerts'], f: AlertFilter): SQL | undefined {
  const statuses = listOf(f.status);
  const severities = listOf(f.severity);
  return conjunction([
    statuses ? (statuses.length > 0 ? inArray(a.status, statuses) : nothing) : undefined,
    severities ? (severities.length > 0 ? inArray(a.severity, severities) : nothing) : undefined,
    f.rule !== undefined ? eq(a.rule, f.rule) : undefined,
    f.device !== undefined ? eq(a.device, f.device) : undefined,
    f.bag !== undefined ? eq(a.bag, f.bag) : undefined,
    f.subject !== undefined ? eq(a.subject, f.subject) : undefined,
    f.institution !== undefined ? eq(a.institution, f.institution) : undefined,
    f.institutions !== undefined ? (f.institutions.length > 0 ? inArray(a.institution, f.institutions) : nothing) : undefined,
    f.jurisdiction !== undefined ? eq(a.jurisdiction, f.jurisdiction) : undefined,
    f.jurisdictions !== undefined ? (f.jurisdictions.length > 0 ? inArray(a.jurisdiction, f.jurisdictions) : nothing) : undefined,
  ]);
}

// ---- Rows ----

/** The columns of `alerts`, as either dialect's driver reads them. */
export type AlertRow = Omit<Alert, 'currentSeverity' | 'awaitingAckSince' | 'since'> & {
  /** Null in rows written before the alert book kept these columns. */
  currentSeverity: AlertSeverity | null;
  awaitingAckSince: string | null;
  sinceAt: string | null;
};

export function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    revision: r.revision,
    rule: r.rule,
    severity: r.severity,
    // Rows written before the alert book kept these columns fall back to what they had.
    currentSeverity: r.currentSeverity ?? r.severity,
    dedupeKey: r.dedupeKey,
    subject: r.subject,
    title: r.title,
    messageKey: r.messageKey === '' ? r.rule : r.messageKey,
    params: r.params,
    institution: r.institution,
    jurisdiction: r.jurisdiction,
    bag: r.bag,
    device: r.device,
    status: r.status,
    escalationLevel: r.escalationLevel,
    openedAt: r.openedAt,
    awaitingAckSince: r.awaitingAckSince ?? r.openedAt,
    acknowledgedAt: r.acknowledgedAt,
    acknowledgedBy: r.acknowledgedBy,
    acknowledgeNote: r.acknowledgeNote,
    resolvedAt: r.resolvedAt,
    resolvedBy: r.resolvedBy,
    note: r.note,
    since: r.sinceAt ?? r.openedAt,
    conditionClearedAt: r.conditionClearedAt,
    evidence: r.evidence,
    occurrences: r.occurrences,
    lastSeenAt: r.lastSeenAt,
    details: r.details,
  };
}

/**
 * What updateAlert writes: every column the alert book may change. `occurrences` and `last_seen_at`
 * are left out: recordAlertSightings counts them without a revision, so a write-back never undoes one.
 */
export function alertChanges(a: NewAlert): Omit<AlertRow, 'id' | 'revision' | 'occurrences' | 'lastSeenAt'> {
  return {
    rule: a.rule,
    severity: a.severity,
    currentSeverity: a.currentSeverity,
    dedupeKey: a.dedupeKey,
    subject: a.subject,
    title: a.title,
    messageKey: a.messageKey,
    params: a.params,
    institution: a.institution,
    jurisdiction: a.jurisdiction,
    bag: a.bag,
    device: a.device,
    status: a.status,
    escalationLevel: a.escalationLevel,
    openedAt: a.openedAt,
    awaitingAckSince: a.awaitingAckSince,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    acknowledgeNote: a.acknowledgeNote,
    resolvedAt: a.resolvedAt,
    resolvedBy: a.resolvedBy,
    note: a.note,
    sinceAt: a.since,
    conditionClearedAt: a.conditionClearedAt,
    evidence: a.evidence,
    details: a.details,
  };
}

export function newAlertRow(a: NewAlert): Omit<AlertRow, 'id'> {
  return { ...alertChanges(a), revision: 0, occurrences: a.occurrences, lastSeenAt: a.lastSeenAt };
}

/**
 * The ORDER BY of an alert list. Worst first ranks by the severity the alert has now (what the queue
 * shows: a condition that eased reads as its current level), then the oldest first; ids break ties, so
 * pages never overlap.
 */
export function alertOrderBy(order: AlertOrder | undefined, t: Pick<Tables['alerts'], 'id' | 'severity' | 'currentSeverity'>): SQL[] {
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
