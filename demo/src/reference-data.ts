/**
 * The demo city's reference data in the store: jurisdictions (杭州市 > 上城区, 西湖区 > a grid each),
 * the hospitals with their departments, every staff badge, the transport company and its vehicles, the
 * disposal centre, the vehicles' routes and the geofences of hospitals, the disposal centre and the depot,
 * and the city's inspector pool for the inspection draw (some with declared conflicts).
 * Upserts only: running it on every start is harmless and keeps names current.
 */
import { planGeography, type CityLayout } from '@wastetrail/simulators';
import type { CustodyStore } from '@wastetrail/server';

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
  // The transport rules' reference data: each vehicle's registered route, and the yards where waste may be handled.
  const geography = planGeography(layout);
  for (const r of geography.routes) await store.upsertVehicleRoute({ vehicle: r.vehicle, line: r.line });
  for (const f of geography.geofences) await store.upsertGeofence({ id: f.id, institution: f.institution, kind: f.kind, ring: f.ring });
  await store.upsertStaffBadge({ badge: d.operator.badge, institution: d.id, name: d.operator.name, role: d.operator.role });

  // The inspector pool of the city (docs/server/supervision.md): enough for two inspectors per drawn
  // hospital whatever is drawn, with a few conflicts of interest declared (a former employee, a relative).
  const city = layout.jurisdictions.find((j) => j.level === 'city') ?? layout.jurisdictions[0];
  if (city) {
    const hospitals = layout.hospitals.map((h) => h.id);
    for (const [i, name] of DEMO_INSPECTORS.entries()) {
      const conflicts = i < 3 && hospitals.length > 0 ? [hospitals[i % hospitals.length]!] : i === 3 ? hospitals.slice(0, 2) : [];
      await store.upsertInspector({ id: `insp-${String(i + 1).padStart(2, '0')}`, name, jurisdiction: city.id, conflicts });
    }
  }
}

/** Seven inspectors of the demo city's pool. */
const DEMO_INSPECTORS = ['张明 Zhang Ming', '李华 Li Hua', '王芳 Wang Fang', '赵强 Zhao Qiang', '陈静 Chen Jing', '刘洋 Liu Yang', '周婷 Zhou Ting'];
