/** Alert rows as the alert book (server/src/alerting) decides them (AlertStore). */
import { and, asc, eq, gte, inArray, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Alert, AlertFilter, AlertStore } from '../repository.ts';
import { alertChanges, alertFromRow, chunks, conjunction, listOf, newAlertRow } from '../rows.ts';
import { nothing, type Queries, type Tables } from './context.ts';

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
      const rows = await db
        .select()
        .from(a)
        .where(alertWhere(a, filter))
        .orderBy(asc(a.id))
        .limit(filter.limit ?? 1000)
        .offset(filter.offset ?? 0);
      return rows.map(alertFromRow);
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
