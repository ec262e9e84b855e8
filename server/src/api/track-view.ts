/**
 * A vehicle's track as the API and the map show it: fixes and door events in degrees, the stops (two
 * minutes or more in one place, geofenced or not, so the map shows every handover and every red flag),
 * and the transport alerts raised on the way with their positions. Pure: projected track and alerts in.
 */
import { lonLatOf, stationarySpans, TransportMap, type Geofence, type VehicleTrack } from '../rules/index.ts';
import type { Alert } from '../store/index.ts';

/** A stop shown on the map: at least this long within STOP_RADIUS_M. */
const STOP_MIN_MS = 2 * 60_000;
const STOP_RADIUS_M = 50;
/** The rules whose alerts carry a position (`position` "lat,lon"). */
export const POSITIONED_RULES = ['route-deviation', 'abnormal-stop', 'door-opened', 'vehicle-silent', 'missing-in-transit'] as const;

export interface TrackView {
  vehicle: string;
  from: string;
  to: string;
  points: { at: string; lat: number; lon: number; speedKmh: number }[];
  doors: { at: string; action: 'open' | 'close'; lat?: number; lon?: number; geofence?: string }[];
  stops: { from: string; to: string; minutes: number; lat: number; lon: number; geofence?: string }[];
  alerts: { id: number; rule: string; severity: string; at: string; lat: number; lon: number; messageKey: string; params: Record<string, string | number> }[];
  /** The vehicle's registered route, [lon, lat] degrees; empty when it has none. */
  route: [number, number][];
  /** The places where waste may be handled, to draw around the track. */
  geofences: { id: string; kind: string; ring: [number, number][] }[];
}

const degrees = (p: { lat: number; lon: number }) => {
  const [lon, lat] = lonLatOf(p);
  return { lat, lon };
};

/** A fix as the API gives it: its time, WGS-84 degrees and km/h. */
export function fixView(p: Pick<VehicleTrack['points'][number], 'atMs' | 'lat' | 'lon' | 'speed'>): TrackView['points'][number] {
  return { at: new Date(p.atMs).toISOString(), ...degrees(p), speedKmh: p.speed / 10 };
}

export function trackView(track: VehicleTrack | undefined, o: { vehicle: string; fromMs: number; toMs: number; geofences: readonly Geofence[]; alerts: readonly Alert[]; route?: readonly [number, number][] }): TrackView {
  const inWindow = (ms: number) => ms >= o.fromMs && ms <= o.toMs;
  const points = (track?.points ?? []).filter((p) => inWindow(p.atMs));
  const map = new TransportMap({ routes: [], geofences: o.geofences });
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    vehicle: o.vehicle,
    from: iso(o.fromMs),
    to: iso(o.toMs),
    points: points.map(fixView),
    doors: (track?.doors ?? [])
      .filter((d) => inWindow(d.atMs))
      .map((d) => {
        const fence = d.position ? map.fenceAt(d.position) : undefined;
        return { at: iso(d.atMs), action: d.action, ...(d.position ? degrees(d.position) : {}), ...(fence ? { geofence: fence.id } : {}) };
      }),
    stops: stationarySpans(points, STOP_RADIUS_M)
      .filter((s) => s.last.atMs - s.first.atMs >= STOP_MIN_MS)
      .map((s) => {
        const fence = map.fenceAt(s.first);
        return { from: iso(s.first.atMs), to: iso(s.last.atMs), minutes: Math.round((s.last.atMs - s.first.atMs) / 60_000), ...degrees(s.first), ...(fence ? { geofence: fence.id } : {}) };
      }),
    alerts: o.alerts.flatMap((a) => {
      const position = typeof a.params.position === 'string' ? a.params.position.split(',').map(Number) : [];
      const [lat, lon] = position;
      if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon)) return [];
      return [{ id: a.id, rule: a.rule, severity: a.severity, at: a.since, lat, lon, messageKey: a.messageKey, params: a.params }];
    }),
    route: (o.route ?? []).map(([lon, lat]) => [lon, lat] as [number, number]),
    geofences: o.geofences.map((g) => ({ id: g.id, kind: g.kind, ring: g.ring.map(([lon, lat]) => [lon, lat] as [number, number]) })),
  };
}
