/**
 * What the transport rules see of the road: each vehicle's recent track (fixes and door events from its
 * `track` and `door` records), its registered route, and the geofences of the places where waste may be
 * handled (hospitals, disposal centres, transport depots). The geometry is @turf's, in metres on WGS-84;
 * positions arrive in the records' microdegrees and are turned into degrees here, once.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import turfDistance from '@turf/distance';
import { lineString, point, polygon } from '@turf/helpers';
import type { Feature, LineString, Polygon } from 'geojson';
import pointToLineDistance from '@turf/point-to-line-distance';
import type { EvidenceRef } from './candidate.ts';

export type LonLat = [lon: number, lat: number];

/** One fix of a vehicle, in the record's units (microdegrees, tenths of a km/h). */
export interface TrackPoint {
  atMs: number;
  lat: number;
  lon: number;
  speed: number;
  /** The track record it came in. */
  record: EvidenceRef;
}

export interface DoorEventPoint {
  atMs: number;
  action: 'open' | 'close';
  /** Microdegrees; absent when the vehicle had no fix yet. */
  position?: { lat: number; lon: number };
  record: EvidenceRef;
}

export interface VehicleTrack {
  /** The plate, as records name the vehicle. */
  vehicle: string;
  /** The transport company (the vehicle station's institution). */
  institution: string;
  device: string;
  /** In time order. */
  points: readonly TrackPoint[];
  doors: readonly DoorEventPoint[];
  /** The last record or heartbeat of the vehicle's station. */
  lastSeenMs?: number;
}

/** The places where waste may be handled, and so the vehicle may stop and open its door. */
export const GEOFENCE_KINDS = ['hospital', 'disposal', 'depot'] as const;
export type GeofenceKind = (typeof GEOFENCE_KINDS)[number];

export interface Geofence {
  id: string;
  kind: GeofenceKind;
  institution: string;
  /** A closed ring of [lon, lat] degrees. */
  ring: readonly LonLat[];
}

export interface VehicleRoute {
  vehicle: string;
  /** [lon, lat] degrees along the roads, at least two points. */
  line: readonly LonLat[];
}

export interface TransportContext {
  tracks: readonly VehicleTrack[];
  routes: readonly VehicleRoute[];
  geofences: readonly Geofence[];
  /**
   * Episodes (a deviation, a stop) that began before this were judged by earlier ticks, whose windows
   * held their start: the tracks reach a little further back, so a window that cuts an episode shows it
   * beginning before this time, and it is not filed again under a later start. Absent: judge everything.
   */
  judgedFromMs?: number;
}

/** An episode that began before the context's judgedFromMs (see TransportContext). */
export const judgedBefore = (t: TransportContext, startMs: number): boolean => t.judgedFromMs !== undefined && startMs < t.judgedFromMs;

/** Microdegrees -> [lon, lat] degrees. */
export const lonLatOf = (p: { lat: number; lon: number }): LonLat => [p.lon / 1e6, p.lat / 1e6];

/** The geometry of one evaluation, built once: turf features for the routes and geofences. */
export class TransportMap {
  private readonly routes: Map<string, Feature<LineString>>;
  private readonly fences: { fence: Geofence; shape: Feature<Polygon> }[];

  constructor(t: Pick<TransportContext, 'routes' | 'geofences'>) {
    this.routes = new Map(t.routes.map((r) => [r.vehicle, lineString(r.line.map((p) => [...p]))]));
    this.fences = t.geofences.map((fence) => ({ fence, shape: polygon([fence.ring.map((p) => [...p])]) }));
  }

  hasRoute(vehicle: string): boolean {
    return this.routes.has(vehicle);
  }

  /** Metres from the vehicle's registered route; undefined when it has none. */
  metresOffRoute(vehicle: string, p: { lat: number; lon: number }): number | undefined {
    const route = this.routes.get(vehicle);
    return route ? pointToLineDistance(point(lonLatOf(p)), route, { units: 'meters' }) : undefined;
  }

  /** The geofence the position is in, if any. */
  fenceAt(p: { lat: number; lon: number }): Geofence | undefined {
    const at = point(lonLatOf(p));
    return this.fences.find((f) => booleanPointInPolygon(at, f.shape))?.fence;
  }
}

export function metresBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  return turfDistance(point(lonLatOf(a)), point(lonLatOf(b)), { units: 'meters' });
}

/**
 * Where a vehicle stayed: runs of consecutive fixes within `radiusMetres` of the run's first fix, with
 * their first and last fix. A run of one fix is moving, not staying, and is left out.
 */
export function stationarySpans(points: readonly TrackPoint[], radiusMetres: number): { first: TrackPoint; last: TrackPoint }[] {
  const spans: { first: TrackPoint; last: TrackPoint }[] = [];
  let first: TrackPoint | undefined;
  let last: TrackPoint | undefined;
  for (const p of points) {
    if (first && metresBetween(first, p) <= radiusMetres) {
      last = p;
      continue;
    }
    if (first && last && last !== first) spans.push({ first, last });
    first = last = p;
  }
  if (first && last && last !== first) spans.push({ first, last });
  return spans;
}

/** "30.274085,120.155070": a position in messages, as map apps take it (lat first). */
export function positionParam(p: { lat: number; lon: number }): string {
  return `${(p.lat / 1e6).toFixed(6)},${(p.lon / 1e6).toFixed(6)}`;
}
