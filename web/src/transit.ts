// Bags in transit and the transit map, from the API's answers (pure; TransitPage.vue and
// TransitMapPage.vue draw them). docs/transport/vehicle.md says what the track, stops and doors are.
import type { Answer } from './api.ts';
import type { District } from './dashboard.ts';

export type BagList = Answer<'/api/v1/bags'>;
export type BagSummary = BagList['bags'][number];
export type TransitView = Answer<'/api/v1/transit'>;
export type LonLat = [number, number];

/** Picked up and not received within this long is overdue (the missing-in-transit rule's default). */
export const TRANSIT_LIMIT_MS = 24 * 3_600_000;

/** A bag picked up more than TRANSIT_LIMIT_MS before `now` and not received. */
export const isOverdue = (b: Pick<BagSummary, 'pickedUpAt' | 'receivedAt'>, now: number): boolean => b.pickedUpAt !== null && b.receivedAt === null && now - Date.parse(b.pickedUpAt) > TRANSIT_LIMIT_MS;

// ---- The map ----

/** A road of the city map: its name and line [lon, lat][]. */
export interface Road {
  name: string;
  line: LonLat[];
}

interface MapFeature {
  properties: { kind?: string; name?: string };
  geometry: { type: string; coordinates: unknown };
}

/** The roads of a city-map GeoJSON (its districts: dashboard.ts districtsOf). */
export function roadsOf(geojson: { features: MapFeature[] }): Road[] {
  return geojson.features.filter((f) => f.properties.kind === 'road' && f.geometry.type === 'LineString').map((f) => ({ name: String(f.properties.name ?? ''), line: f.geometry.coordinates as LonLat[] }));
}

/** The picture's size in SVG units (it scales to its box). */
export const MAP_SIZE = { width: 900, height: 620, pad: 24 } as const;
/** Room around what is framed (degrees, about a kilometre), so the roads around show. */
const MARGIN = 0.008;

/**
 * Longitude and latitude onto the picture: equirectangular, x scaled by cos(latitude), which over a city
 * is exact enough to read distances by eye; the frame is centred, the spare room on both sides.
 */
export function projection(points: readonly LonLat[], size: { width: number; height: number; pad: number } = MAP_SIZE): (p: LonLat) => [number, number] {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const spanX = Math.max((e - w) * k, 1e-6);
  const spanY = Math.max(n - s, 1e-6);
  const scale = Math.min((size.width - 2 * size.pad) / spanX, (size.height - 2 * size.pad) / spanY);
  const dx = (size.width - spanX * scale) / 2;
  const dy = (size.height - spanY * scale) / 2;
  return ([lon, lat]) => [dx + (lon - w) * k * scale, size.height - dy - (lat - s) * scale];
}

/**
 * What the picture frames: the track, what happened on it and the yards (geofences: where the leg starts
 * and ends), with a margin; without any of those, the registered route; without that, the whole city.
 */
export function mapFrame(view: TransitView, districts: readonly District[]): LonLat[] {
  const marks: LonLat[] = [
    ...view.points.map((p): LonLat => [p.lon, p.lat]),
    ...view.doors.flatMap((d): LonLat[] => (d.lat !== undefined && d.lon !== undefined ? [[d.lon, d.lat]] : [])),
    ...view.alerts.map((a): LonLat => [a.lon, a.lat]),
    ...view.geofences.flatMap((g) => g.ring.map((p): LonLat => [p[0]!, p[1]!])),
  ];
  const framed = marks.length ? marks : view.route.length ? view.route.map((p): LonLat => [p[0]!, p[1]!]) : districts.flatMap((d) => d.ring);
  if (framed.length === 0) return [[120, 30], [120.1, 30.1]];
  return [...framed, ...framed.map(([x, y]): LonLat => [x + MARGIN, y + MARGIN]), ...framed.map(([x, y]): LonLat => [x - MARGIN, y - MARGIN])];
}

/** An SVG path through the points (closed with Z by the caller for a ring). */
export const svgPath = (project: (p: LonLat) => [number, number], coords: readonly (readonly number[])[]): string =>
  coords.map((c, i) => `${i ? 'L' : 'M'}${project([c[0]!, c[1]!]).map((x) => x.toFixed(1)).join(',')}`).join(' ');

/** One row of the events table: a stop, a door event or an alert, with where it happened. */
export type TransitEvent =
  | { kind: 'stop'; at: string; minutes: number; lat: number; lon: number; place: string | undefined; anomalous: boolean }
  | { kind: 'door'; at: string; action: 'open' | 'close'; lat: number | undefined; lon: number | undefined; place: string | undefined; anomalous: boolean }
  | { kind: 'alert'; at: string; id: number; rule: string; lat: number; lon: number; place: undefined; anomalous: true };

/**
 * The stops, door events and alerts in time order: what the map shows, as text. A stop, or a door
 * opened, outside every geofence is anomalous; so is every alert.
 */
export function transitEvents(view: TransitView): TransitEvent[] {
  const rows: TransitEvent[] = [
    ...view.stops.map((s): TransitEvent => ({ kind: 'stop', at: s.from, minutes: s.minutes, lat: s.lat, lon: s.lon, place: s.geofence, anomalous: !s.geofence })),
    ...view.doors.map((d): TransitEvent => ({ kind: 'door', at: d.at, action: d.action, lat: d.lat, lon: d.lon, place: d.geofence, anomalous: d.action === 'open' && !d.geofence })),
    ...view.alerts.map((a): TransitEvent => ({ kind: 'alert', at: a.at, id: a.id, rule: a.rule, lat: a.lat, lon: a.lon, place: undefined, anomalous: true })),
  ];
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** A position as the table writes it: latitude, longitude to five decimals (about a metre). */
export const formatPosition = (lat: number, lon: number): string => `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
