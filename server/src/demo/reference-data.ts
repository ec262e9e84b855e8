/**
 * The demo city's reference data in the store: jurisdictions (杭州市 > 上城区, 西湖区 > a grid each),
 * the hospitals with their departments, every staff badge, the transport company and its vehicles, the
 * disposal centre. Upserts only: running it on every start is harmless and keeps names current.
 */
import type { CityLayout } from '@wastetrail/simulators';
import type { CustodyStore } from '../store/index.ts';

export async function seedReferenceData(store: CustodyStore, layout: CityLayout): Promise<void> {
  // Parents before children, so a store that checks references is satisfied.
  for (const level of ['city', 'district', 'grid'] as const) {
    for (const j of layout.jurisdictions.filter((x) => x.level === level)) await store.upsertJurisdiction(j);
  }
  for (const h of layout.hospitals) {
    await store.upsertInstitution({ id: h.id, name: h.name, kind: h.kind, jurisdiction: h.jurisdiction });
    for (const d of h.departments) {
      await store.upsertDepartment({ institution: h.id, code: d.code, name: d.name });
      await store.upsertStaffBadge({ badge: d.nurse.badge, institution: h.id, name: d.nurse.name, role: d.nurse.role });
    }
    await store.upsertStaffBadge({ badge: h.keeper.badge, institution: h.id, name: h.keeper.name, role: h.keeper.role });
    const collector = h.collection?.collector;
    if (collector) await store.upsertStaffBadge({ badge: collector.badge, institution: h.id, name: collector.name, role: collector.role });
  }
  const t = layout.transport;
  await store.upsertInstitution({ id: t.id, name: t.name, kind: 'transport', jurisdiction: t.jurisdiction });
  await store.upsertTransportCompany({ id: t.id, licence: t.licence });
  for (const v of t.vehicles) {
    await store.upsertVehicle({ id: v.id, company: t.id, plate: v.plate });
    await store.upsertStaffBadge({ badge: v.crew.badge, institution: t.id, name: v.crew.name, role: v.crew.role });
  }
  const d = layout.disposal;
  await store.upsertInstitution({ id: d.id, name: d.name, kind: 'disposal', jurisdiction: d.jurisdiction });
  await store.upsertStaffBadge({ badge: d.operator.badge, institution: d.id, name: d.operator.name, role: d.operator.role });
}
