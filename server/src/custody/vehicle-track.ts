/**
 * A vehicle's track from its station's verified `track` and `door` records: every fix and door event
 * in time order, each pointing at the record it came in. Pure: records in, tracks out, one per plate;
 * the same records in any order give the same tracks.
 */
import { compareRecords, type TrailRecord } from './trail.ts';
import type { DoorEventPoint, TrackPoint, VehicleTrack } from '../rules/transport.ts';

export function projectVehicleTracks(records: readonly TrailRecord[]): VehicleTrack[] {
  const byVehicle = new Map<string, { institution: string; device: string; points: TrackPoint[]; doors: DoorEventPoint[]; lastSeenMs: number }>();
  for (const r of [...records].sort(compareRecords)) {
    const e = r.event;
    if (e.type !== 'track' && e.type !== 'door') continue;
    const ref = { device: r.device, seq: r.seq, hash: r.hash };
    let v = byVehicle.get(e.body.vehicle);
    if (!v) byVehicle.set(e.body.vehicle, (v = { institution: r.institution, device: r.device, points: [], doors: [], lastSeenMs: -Infinity }));
    v.lastSeenMs = Math.max(v.lastSeenMs, Date.parse(r.time));
    if (e.type === 'track') for (const f of e.body.fixes) v.points.push({ atMs: Date.parse(f.at), lat: f.lat, lon: f.lon, speed: f.speed, record: ref });
    else v.doors.push({ atMs: Date.parse(e.body.at), action: e.body.action, ...(e.body.position ? { position: e.body.position } : {}), record: ref });
  }
  return [...byVehicle.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([vehicle, v]) => ({
      vehicle,
      institution: v.institution,
      device: v.device,
      // Fixes by their own time: a record signed late (after a tunnel) still falls into place.
      points: v.points.sort((a, b) => a.atMs - b.atMs),
      doors: v.doors.sort((a, b) => a.atMs - b.atMs),
      lastSeenMs: v.lastSeenMs,
    }));
}
