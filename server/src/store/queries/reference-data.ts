/** Places, institutions and people; carriers, vehicles, their routes and the geofences (ReferenceDataStore). */
import { asc, eq, inArray } from 'drizzle-orm';
import type { ReferenceDataStore } from '../repository.ts';
import { ReadCache } from '../read-cache.ts';
import { conjunction, type Queries } from './context.ts';

export function referenceDataQueries({ db, t }: Queries): ReferenceDataStore {
  // Every API request scopes by these (and a trail names the vehicles' companies): kept briefly, dropped
  // on this store's own writes. Callers get a copy of the list, the rows themselves are shared.
  const jurisdictions = new ReadCache(async () => await db.select().from(t.jurisdictions).orderBy(asc(t.jurisdictions.id)));
  const institutions = new ReadCache(async () => await db.select().from(t.institutions).orderBy(asc(t.institutions.id)));
  const vehicles = new ReadCache(async () => await db.select().from(t.vehicles).orderBy(asc(t.vehicles.id)));
  return {
    async upsertJurisdiction(j) {
      await db.insert(t.jurisdictions).values(j).onConflictDoUpdate({ target: t.jurisdictions.id, set: { parent: j.parent, level: j.level, name: j.name } });
      jurisdictions.invalidate();
    },

    async jurisdictions() {
      return [...(await jurisdictions.get())];
    },

    async upsertInstitution(i) {
      await db.insert(t.institutions).values(i).onConflictDoUpdate({ target: t.institutions.id, set: { name: i.name, kind: i.kind, jurisdiction: i.jurisdiction } });
      institutions.invalidate();
    },

    async institution(id) {
      const [row] = await db.select().from(t.institutions).where(eq(t.institutions.id, id));
      return row;
    },

    async institutions(filter = {}) {
      if (filter.jurisdiction === undefined && filter.kind === undefined) return [...(await institutions.get())];
      const where = conjunction([
        filter.jurisdiction !== undefined ? eq(t.institutions.jurisdiction, filter.jurisdiction) : undefined,
        filter.kind !== undefined ? eq(t.institutions.kind, filter.kind) : undefined,
      ]);
      return db.select().from(t.institutions).where(where).orderBy(asc(t.institutions.id));
    },

    async upsertDepartment(d) {
      await db.insert(t.departments).values(d).onConflictDoUpdate({ target: [t.departments.institution, t.departments.code], set: { name: d.name } });
    },

    async departments(institution) {
      return db.select().from(t.departments).where(eq(t.departments.institution, institution)).orderBy(asc(t.departments.code));
    },

    async upsertStaffBadge(b) {
      const row = { ...b, active: b.active ?? true, updatedAt: b.updatedAt ?? null };
      await db.insert(t.staffBadges).values(row).onConflictDoUpdate({ target: t.staffBadges.badge, set: { institution: row.institution, name: row.name, role: row.role, active: row.active, updatedAt: row.updatedAt } });
    },

    async staffBadge(badge) {
      const [row] = await db.select().from(t.staffBadges).where(eq(t.staffBadges.badge, badge));
      return row;
    },

    async staffOf(institution) {
      return db.select().from(t.staffBadges).where(eq(t.staffBadges.institution, institution)).orderBy(asc(t.staffBadges.name), asc(t.staffBadges.badge));
    },

    async staffByBadges(badges) {
      if (badges.length === 0) return [];
      return db.select().from(t.staffBadges).where(inArray(t.staffBadges.badge, [...badges])).orderBy(asc(t.staffBadges.badge));
    },

    async upsertTransportCompany(c) {
      await db.insert(t.transportCompanies).values(c).onConflictDoUpdate({ target: t.transportCompanies.id, set: { licence: c.licence } });
    },

    async upsertVehicle(v) {
      await db.insert(t.vehicles).values(v).onConflictDoUpdate({ target: t.vehicles.id, set: { company: v.company, plate: v.plate } });
      vehicles.invalidate();
    },

    async vehicle(id) {
      const [row] = await db.select().from(t.vehicles).where(eq(t.vehicles.id, id));
      return row;
    },

    async vehicles(filter = {}) {
      const all = await vehicles.get();
      return filter.company === undefined ? [...all] : all.filter((v) => v.company === filter.company);
    },

    async upsertVehicleRoute(r) {
      await db.insert(t.vehicleRoutes).values(r).onConflictDoUpdate({ target: t.vehicleRoutes.vehicle, set: { line: r.line } });
    },

    async vehicleRoutes() {
      return db
        .select({ vehicle: t.vehicleRoutes.vehicle, line: t.vehicleRoutes.line, plate: t.vehicles.plate })
        .from(t.vehicleRoutes)
        .innerJoin(t.vehicles, eq(t.vehicles.id, t.vehicleRoutes.vehicle))
        .orderBy(asc(t.vehicleRoutes.vehicle));
    },

    async upsertGeofence(g) {
      await db.insert(t.geofences).values(g).onConflictDoUpdate({ target: t.geofences.id, set: { institution: g.institution, kind: g.kind, ring: g.ring } });
    },

    async geofences() {
      return db.select().from(t.geofences).orderBy(asc(t.geofences.id));
    },
  };
}
