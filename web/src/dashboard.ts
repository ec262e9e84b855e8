// The dashboard's figures, computed from API answers (pure; Dashboard.vue draws them). docs/web.md
// defines each one.
import type { Alert, DailyFigures, DayFigures, Institution, RiskClasses, Vehicle } from './api.ts';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A district of the city map: its id (the jurisdiction id), name and outer ring [lon, lat][]. */
export interface District {
  id: string;
  name: string;
  ring: [number, number][];
}

interface MapFeature {
  properties: { kind?: string; id?: string; name?: string };
  geometry: { type: string; coordinates: unknown };
}

/** The districts of a city-map GeoJSON (its road lines are not districts). */
export function districtsOf(geojson: { features: MapFeature[] }): District[] {
  return geojson.features
    .filter((f) => f.properties.kind === 'district' && f.geometry.type === 'Polygon')
    .map((f) => ({ id: String(f.properties.id), name: String(f.properties.name), ring: (f.geometry.coordinates as [number, number][][])[0] ?? [] }));
}

/** Open alerts (open or acknowledged) counted by level and by rule, rules most frequent first. */
export function alertCounts(alerts: readonly Alert[]): { byLevel: Record<Severity, number>; byRule: { rule: string; count: number }[]; byInstitution: Map<string, Record<Severity, number>> } {
  const byLevel: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  const rules = new Map<string, number>();
  const byInstitution = new Map<string, Record<Severity, number>>();
  for (const a of alerts) {
    byLevel[a.currentSeverity] += 1;
    rules.set(a.rule, (rules.get(a.rule) ?? 0) + 1);
    if (a.institution !== null) {
      const counts = byInstitution.get(a.institution) ?? { critical: 0, warning: 0, info: 0 };
      counts[a.currentSeverity] += 1;
      byInstitution.set(a.institution, counts);
    }
  }
  const byRule = [...rules].map(([rule, count]) => ({ rule, count })).sort((x, y) => y.count - x.count || x.rule.localeCompare(y.rule));
  return { byLevel, byRule, byInstitution };
}

/** Today's figures: the last day of the daily figures (the server's today; the demo's clock runs fast). */
export function todayOf(daily: DailyFigures): { day: string; sealedKg: number; receivedKg: number; control: DayFigures['control'] } {
  const today = daily.city.days.at(-1);
  return { day: daily.to, sealedKg: (today?.sealedGrams ?? 0) / 1000, receivedKg: (today?.receivedGrams ?? 0) / 1000, control: today?.control ?? { index: null, handover: null, weight: null, alerts: null } };
}

/** The trend charts' series, one value per day, oldest first (kg from grams; the index null where nothing was due). */
export function trendSeries(days: readonly DayFigures[]): { days: string[]; sealedKg: number[]; receivedKg: number[]; opened: Record<Severity, number[]>; index: (number | null)[] } {
  return {
    days: days.map((d) => d.day),
    sealedKg: days.map((d) => d.sealedGrams / 1000),
    receivedKg: days.map((d) => d.receivedGrams / 1000),
    opened: { critical: days.map((d) => d.alertsOpened.critical), warning: days.map((d) => d.alertsOpened.warning), info: days.map((d) => d.alertsOpened.info) },
    index: days.map((d) => d.control.index),
  };
}

/** The roads of a city-map GeoJSON, as lines of [lon, lat] (drawn under the institutions and vehicles). */
export function roadsOf(geojson: { features: MapFeature[] }): { name: string; coords: [number, number][] }[] {
  return geojson.features.filter((f) => f.properties.kind === 'road' && f.geometry.type === 'LineString').map((f) => ({ name: String(f.properties.name ?? ''), coords: f.geometry.coordinates as [number, number][] }));
}

/** Vehicles with a last fix, at it; those that never sent one apart. */
export function placeVehicles(vehicles: readonly Vehicle[]): { placed: { vehicle: Vehicle; lonLat: [number, number] }[]; unplaced: Vehicle[] } {
  const placed: { vehicle: Vehicle; lonLat: [number, number] }[] = [];
  const unplaced: Vehicle[] = [];
  for (const v of vehicles) {
    if (v.lastFix) placed.push({ vehicle: v, lonLat: [v.lastFix.lon, v.lastFix.lat] });
    else unplaced.push(v);
  }
  return { placed, unplaced };
}

export type RiskClass = RiskClasses['items'][number]['riskClass'];

/** Each classed institution's risk class (hospitals and clinics; others have none). */
export function riskClassByInstitution(classes: RiskClasses): Map<string, RiskClass> {
  return new Map(classes.items.map((i) => [i.institution, i.riskClass]));
}

/** The worst level among an institution's open alerts, or null for none. */
export function worstLevel(counts: Record<Severity, number> | undefined): Severity | null {
  return SEVERITIES.find((s) => (counts?.[s] ?? 0) > 0) ?? null;
}

/**
 * Where each institution is drawn: the district its jurisdiction path passes through, spread on a grid
 * over the lower part of the district's bounding box, clear of its name in the middle (the API has no
 * address coordinates for institutions yet).
 * Institutions under no district of the map (city-level ones) are returned apart.
 */
export function placeInstitutions(institutions: readonly Institution[], districts: readonly District[]): { placed: { institution: Institution; lonLat: [number, number] }[]; unplaced: Institution[] } {
  const placed: { institution: Institution; lonLat: [number, number] }[] = [];
  const unplaced: Institution[] = [];
  const inDistrict = new Map<string, Institution[]>();
  for (const i of institutions) {
    const d = districts.find((x) => i.jurisdictionPath.some((j) => j.id === x.id));
    if (d) inDistrict.set(d.id, [...(inDistrict.get(d.id) ?? []), i]);
    else unplaced.push(i);
  }
  for (const d of districts) {
    const members = inDistrict.get(d.id) ?? [];
    const lons = d.ring.map((p) => p[0]);
    const lats = d.ring.map((p) => p[1]);
    const [w, e, s] = [Math.min(...lons), Math.max(...lons), Math.min(...lats)];
    const n = s + 0.4 * (Math.max(...lats) - s);
    const cols = Math.ceil(Math.sqrt(members.length));
    const rows = Math.ceil(members.length / Math.max(cols, 1));
    members.forEach((institution, k) => {
      const [c, r] = [k % cols, Math.floor(k / cols)];
      placed.push({ institution, lonLat: [w + ((c + 0.5) * (e - w)) / cols, n - ((r + 0.5) * (n - s)) / rows] });
    });
  }
  return { placed, unplaced };
}

/** The control index (0-100) to one decimal in the reader's language, or '—' when nothing was due. */
export function indexText(index: number | null | undefined, locale: string): string {
  if (index === null || index === undefined) return '—';
  return index.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** A share (0-1) as a whole percentage in the reader's language, or '—' when there is none. */
export function shareText(share: number | null | undefined, locale: string): string {
  if (share === null || share === undefined) return '—';
  return share.toLocaleString(locale, { style: 'percent', maximumFractionDigits: 0 });
}
