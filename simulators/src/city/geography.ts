/**
 * Where things are in the demo city: a grid of roads about 1 km apart over two districts (西湖区 west,
 * 上城区 east), every hospital at a crossing, the transport depot at the south-east corner, the disposal
 * centre at the north-west corner, each vehicle's registered route along the roads (depot -> its
 * hospitals -> disposal -> depot), a geofence around every place where waste may be handled, and the two
 * places waste must never go: a dump site down a lane east of the grid and a scrapyard on a north-south road.
 *
 * A pure function of the layout, like the layout itself. Coordinates are WGS-84 degrees, [lon, lat] as
 * GeoJSON writes them; the server keeps routes and geofences as reference data (demo/src/reference-data.ts).
 */
import circle from '@turf/circle';
import type { CityLayout } from './layout.ts';

export type LonLat = [lon: number, lat: number];

export type PlaceKind = 'hospital' | 'disposal' | 'depot' | 'dump' | 'scrapyard';

export interface CityPlace {
  id: string;
  kind: PlaceKind;
  name: string;
  position: LonLat;
  /** The institution there (hospital, disposal centre, transport company); none for a dump or scrapyard. */
  institution?: string;
}

export interface CityGeofence {
  id: string;
  kind: 'hospital' | 'disposal' | 'depot';
  institution: string;
  /** A closed ring (first point = last point). */
  ring: LonLat[];
}

export interface CityRoad {
  name: string;
  line: LonLat[];
}

export interface CityGeography {
  districts: { id: string; name: string; ring: LonLat[] }[];
  roads: CityRoad[];
  places: CityPlace[];
  geofences: CityGeofence[];
  /** Each vehicle's registered route, by plate. */
  routes: { plate: string; vehicle: string; line: LonLat[] }[];
}

/** Geofence radius: a hospital's yard and its gate, with room for a GNSS fix that is 30-50 m off. */
export const GEOFENCE_RADIUS_M = 150;

const ROWS = 8;
const COLUMNS = 9;
const LAT0 = 30.225;
const LON0 = 120.115;
const STEP = 0.01;
/** Columns 0-3 are 西湖区, 4-8 上城区. */
const WEST_COLUMNS = 4;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const node = (row: number, column: number): LonLat => [round6(LON0 + column * STEP), round6(LAT0 + row * STEP)];

const DISPOSAL_NODE = node(ROWS - 1, 0);
const DEPOT_NODE = node(0, COLUMNS - 1);
const DUMP: LonLat = [round6(LON0 + (COLUMNS - 1) * STEP + 0.016), round6(LAT0 + 4 * STEP + 0.002)];
const DUMP_LANE_START = node(4, COLUMNS - 1);
const SCRAPYARD: LonLat = [round6(LON0 + 5 * STEP), round6(LAT0 + 0.5 * STEP)];

export function planGeography(layout: CityLayout): CityGeography {
  const districts = layout.jurisdictions.filter((j) => j.level === 'district');
  const [west, east] = [districts.find((d) => d.id === '330106'), districts.find((d) => d.id === '330102')];
  const rect = (c0: number, c1: number): LonLat[] => {
    const [w, s] = [round6(LON0 + c0 * STEP - STEP / 2), round6(LAT0 - STEP / 2)];
    const [e, n] = [round6(LON0 + c1 * STEP + STEP / 2), round6(LAT0 + (ROWS - 1) * STEP + STEP / 2)];
    return [[w, s], [e, s], [e, n], [w, n], [w, s]];
  };

  // Crossings of each district, spread out (a stride coprime to the count) so hospitals are not bunched.
  const free = (c0: number, c1: number) => {
    const all: LonLat[] = [];
    for (let r = 0; r < ROWS; r++) for (let c = c0; c <= c1; c++) all.push(node(r, c));
    const open = all.filter((p) => !same(p, DISPOSAL_NODE) && !same(p, DEPOT_NODE));
    return open.map((_, i) => open[(i * 7) % open.length]!);
  };
  const westNodes = free(0, WEST_COLUMNS - 1);
  const eastNodes = free(WEST_COLUMNS, COLUMNS - 1);
  const places: CityPlace[] = [];
  for (const h of layout.hospitals) {
    const pool = h.jurisdiction.startsWith('330106') ? westNodes : eastNodes;
    const position = pool.shift() ?? (h.jurisdiction.startsWith('330106') ? eastNodes : westNodes).shift();
    if (!position) throw new RangeError('the demo city has no crossing left for another hospital');
    places.push({ id: h.id, kind: 'hospital', name: h.name, position, institution: h.id });
  }
  places.push({ id: layout.disposal.id, kind: 'disposal', name: layout.disposal.name, position: DISPOSAL_NODE, institution: layout.disposal.id });
  places.push({ id: `${layout.transport.id}-depot`, kind: 'depot', name: `${layout.transport.name} 车场`, position: DEPOT_NODE, institution: layout.transport.id });
  places.push({ id: 'dump-site', kind: 'dump', name: '城东河滩空地 (dump site)', position: DUMP });
  places.push({ id: 'scrapyard', kind: 'scrapyard', name: '南环路废品回收站 (scrapyard)', position: SCRAPYARD });

  const roads: CityRoad[] = [];
  for (let r = 0; r < ROWS; r++) roads.push({ name: `纬${r + 1}路`, line: [node(r, 0), node(r, COLUMNS - 1)] });
  for (let c = 0; c < COLUMNS; c++) roads.push({ name: `经${c + 1}路`, line: [node(0, c), node(ROWS - 1, c)] });
  roads.push({ name: '河滩便道', line: [DUMP_LANE_START, DUMP] });

  const geofences: CityGeofence[] = places.flatMap((p) =>
    p.institution && (p.kind === 'hospital' || p.kind === 'disposal' || p.kind === 'depot')
      ? [{ id: `${p.id}-fence`, kind: p.kind, institution: p.institution, ring: circle(p.position, GEOFENCE_RADIUS_M / 1000, { steps: 24, units: 'kilometers' }).geometry.coordinates[0]!.map(([x, y]) => [round6(x!), round6(y!)] as LonLat) }]
      : [],
  );

  const at = (id: string) => places.find((p) => p.id === id)!.position;
  const routes = layout.transport.vehicles.map((v) => ({
    plate: v.plate,
    vehicle: v.id,
    line: roadPath([DEPOT_NODE, ...v.route.map(at), DISPOSAL_NODE, DEPOT_NODE]),
  }));

  return {
    districts: [
      { id: west?.id ?? '330106', name: west?.name ?? '西湖区', ring: rect(0, WEST_COLUMNS - 1) },
      { id: east?.id ?? '330102', name: east?.name ?? '上城区', ring: rect(WEST_COLUMNS, COLUMNS - 1) },
    ],
    roads,
    places,
    geofences,
    routes,
  };
}

/** The way along the grid through these crossings: along the east-west road first, then north-south. */
export function roadPath(stops: readonly LonLat[]): LonLat[] {
  const out: LonLat[] = [];
  const push = (p: LonLat) => {
    if (!out.length || !same(out.at(-1)!, p)) out.push(p);
  };
  stops.forEach((p, i) => {
    if (i > 0) push([p[0], stops[i - 1]![1]]);
    push(p);
  });
  return out;
}

export function placeOf(g: CityGeography, kind: PlaceKind, id?: string): CityPlace {
  const p = g.places.find((x) => x.kind === kind && (id === undefined || x.id === id));
  if (!p) throw new RangeError(`no ${kind}${id ? ` ${id}` : ''} in the city`);
  return p;
}

/** The lane from the grid to the dump site, for the detour incident. */
export const DUMP_LANE: readonly LonLat[] = [DUMP_LANE_START, DUMP];

const same = (a: LonLat, b: LonLat) => a[0] === b[0] && a[1] === b[1];

/** The city as one GeoJSON FeatureCollection (districts, roads, places, geofences, routes), for the web map. */
export function geographyGeoJson(g: CityGeography): { type: 'FeatureCollection'; features: unknown[] } {
  const feature = (kind: string, geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', properties: { kind, ...properties }, geometry });
  return {
    type: 'FeatureCollection',
    features: [
      ...g.districts.map((d) => feature('district', { type: 'Polygon', coordinates: [d.ring] }, { id: d.id, name: d.name })),
      ...g.roads.map((r) => feature('road', { type: 'LineString', coordinates: r.line }, { name: r.name })),
      ...g.geofences.map((f) => feature('geofence', { type: 'Polygon', coordinates: [f.ring] }, { id: f.id, fence: f.kind, institution: f.institution })),
      ...g.places.map((p) => feature('place', { type: 'Point', coordinates: p.position }, { id: p.id, place: p.kind, name: p.name, ...(p.institution ? { institution: p.institution } : {}) })),
      ...g.routes.map((r) => feature('route', { type: 'LineString', coordinates: r.line }, { plate: r.plate, vehicle: r.vehicle })),
    ],
  };
}

/**
 * The part of the map every demo city shares, whatever its institutions: the district outlines and the
 * roads. The web UI draws tracks over it (web/src/assets/city-map.geojson, written by
 * scripts/write-city-map.ts) with no tile server, so it works on a closed network.
 */
export function baseMapGeoJson(g: Pick<CityGeography, 'districts' | 'roads'>): { type: 'FeatureCollection'; features: unknown[] } {
  return geographyGeoJson({ districts: g.districts, roads: g.roads, places: [], geofences: [], routes: [] });
}
