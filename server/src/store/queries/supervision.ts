/** Confirmed violations, inspections, the inspector pools and the inspection draws (SupervisionStore). */
import { and, asc, desc, eq, gte, inArray, lt, type Column, type SQL } from 'drizzle-orm';
import type { Draw, InspectionFilter, Inspector, NewDraw, SupervisionStore } from '../repository.ts';
import { conjunction, countAll, type Queries } from './context.ts';

/** All but insertInspection: it writes the findings under the inspection's new id, in a transaction of each dialect's own. */
export function supervisionQueries({ db, t }: Queries): Omit<SupervisionStore, 'insertInspection'> {
  return {
    async insertViolation(v) {
      // The partial unique index on alert_id refuses a second confirmation of the same alert.
      const [row] = await db.insert(t.violations).values({ ...v, inspectionId: null }).onConflictDoNothing().returning();
      return row;
    },

    async violationOfAlert(alertId) {
      const [row] = await db.select().from(t.violations).where(eq(t.violations.alertId, alertId));
      return row;
    },

    async violations(filter = {}) {
      if (filter.institutions?.length === 0) return [];
      return db.select().from(t.violations).where(violationsWhere(t.violations, filter)).orderBy(desc(t.violations.confirmedAt), desc(t.violations.id));
    },

    async inspections(filter = {}) {
      if (filter.institutions?.length === 0) return [];
      return db.select().from(t.inspections).where(inspectionsWhere(t.inspections, filter)).orderBy(desc(t.inspections.date), desc(t.inspections.id));
    },

    async searchInspections(filter) {
      if (filter.institutions?.length === 0) return { inspections: [], total: 0 };
      const where = inspectionsWhere(t.inspections, filter);
      const [count] = await db.select({ n: countAll }).from(t.inspections).where(where);
      const inspections = await db.select().from(t.inspections).where(where).orderBy(desc(t.inspections.date), desc(t.inspections.id)).limit(filter.limit).offset(filter.offset);
      return { inspections, total: count!.n };
    },

    async upsertInspector(i) {
      const row = inspectorChanges(i);
      await db.insert(t.inspectors).values({ id: i.id, ...row }).onConflictDoUpdate({ target: t.inspectors.id, set: row });
    },

    async inspector(id) {
      const [row] = await db.select().from(t.inspectors).where(eq(t.inspectors.id, id));
      return row;
    },

    async inspectors(filter = {}) {
      if (filter.jurisdictions?.length === 0) return [];
      return db.select().from(t.inspectors).where(jurisdictionsWhere(t.inspectors.jurisdiction, filter.jurisdictions)).orderBy(asc(t.inspectors.id));
    },

    async insertDraw(d) {
      const [row] = await db.insert(t.draws).values(announcedDrawRow(d)).returning();
      return row!;
    },

    async draw(id) {
      const [row] = await db.select().from(t.draws).where(eq(t.draws.id, id));
      return row;
    },

    async draws(filter = {}) {
      if (filter.jurisdictions?.length === 0) return [];
      return db.select().from(t.draws).where(jurisdictionsWhere(t.draws.jurisdiction, filter.jurisdictions)).orderBy(desc(t.draws.id));
    },

    async completeDraw(id, result, resultHash, drawnAt) {
      const [row] = await db
        .update(t.draws)
        .set({ status: 'drawn', result, resultHash, drawnAt })
        .where(and(eq(t.draws.id, id), eq(t.draws.status, 'announced')))
        .returning();
      return row;
    },
  };
}

/** violations(): of these institutions, confirmed from `from` (inclusive) to `to` (exclusive). */
function violationsWhere(v: { institution: Column; confirmedAt: Column }, filter: { institutions?: readonly string[]; from?: string; to?: string }): SQL | undefined {
  return conjunction([
    filter.institutions ? inArray(v.institution, [...filter.institutions]) : undefined,
    filter.from !== undefined ? gte(v.confirmedAt, filter.from) : undefined,
    filter.to !== undefined ? lt(v.confirmedAt, filter.to) : undefined,
  ]);
}

/** inspections() and searchInspections(): of these institutions, of this draw, with this outcome. */
function inspectionsWhere(i: { institution: Column; drawId: Column; outcome: Column }, filter: InspectionFilter): SQL | undefined {
  return conjunction([
    filter.institutions ? inArray(i.institution, [...filter.institutions]) : undefined,
    filter.drawId !== undefined ? eq(i.drawId, filter.drawId) : undefined,
    filter.outcome !== undefined ? eq(i.outcome, filter.outcome) : undefined,
  ]);
}

/** inspectors() and draws(): in these jurisdictions. */
function jurisdictionsWhere(jurisdiction: Column, jurisdictions: readonly string[] | undefined): SQL | undefined {
  return jurisdictions ? inArray(jurisdiction, [...jurisdictions]) : undefined;
}

/** What upsertInspector writes over an inspector of the same id. */
function inspectorChanges(i: Inspector): Omit<Inspector, 'id'> {
  return { name: i.name, jurisdiction: i.jurisdiction, conflicts: [...i.conflicts] };
}

/** The row insertDraw writes: announced, not drawn yet. */
function announcedDrawRow(d: NewDraw): Omit<Draw, 'id'> {
  return { ...d, status: 'announced', drawnAt: null, result: null, resultHash: null };
}
