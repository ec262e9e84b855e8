/**
 * What the transport rules see at a tick, read from the store: the registered routes and geofences, and
 * each vehicle's track over the last TRACK_WINDOW_MS, long enough for any deviation, stop or door episode
 * to show; episodes already filed stay in the alert book. A loaded vehicle with nothing in that window
 * (dark for hours) is still given its last known position, from further back, for vehicle-silent and
 * missing-in-transit.
 */
import type { BagTrail } from '../custody/trail.ts';
import { projectVehicleTracks } from '../custody/vehicle-track.ts';
import { furthestStep, lastStepOf } from '../rules/rule.ts';
import type { DeviceStatus, TransportContext, VehicleTrack } from '../rules/index.ts';
import type { CustodyStore, StoredRecord } from '../store/index.ts';
import type { TrailRecord } from '../custody/trail.ts';
import type { CustodyEvent } from '@wastetrail/firmware-protocol';

export const TRACK_WINDOW_MS = 3 * 3_600_000;
/**
 * Read this much further back than the window, and judge only episodes that began inside it: an episode
 * the window's start cuts then shows its earlier start, which an earlier tick filed, instead of looking
 * new at every tick (a 40-minute stop was filed four times).
 */
export const TRACK_MARGIN_MS = 30 * 60_000;

/** A stored vehicle record as the projection takes it; the institution is its device's. */
export function vehicleTrailRecord(r: StoredRecord, devices: ReadonlyMap<string, DeviceStatus>): TrailRecord {
  const d = devices.get(r.device);
  return { device: r.device, seq: r.seq, hash: r.hash, time: r.deviceTime, institution: d?.institution ?? '', stations: d?.stations ?? ['vehicle'], event: { type: r.type, body: r.body } as CustodyEvent };
}

/** The vehicle a bag is on now: picked up and not yet further. */
export function loadedVehicleOf(trail: BagTrail): string | undefined {
  return furthestStep(trail) === 'picked-up' ? lastStepOf(trail, 'picked-up')?.vehicle : undefined;
}

/** `loaded`: the vehicles bags in play are on (loadedVehicleOf). */
export async function loadTransport(store: CustodyStore, o: { nowMs: number; lookbackMs: number; devices: readonly DeviceStatus[]; loaded: ReadonlySet<string> }): Promise<TransportContext> {
  const devices = new Map(o.devices.map((d) => [d.device, d]));
  const [routes, geofences, recent] = await Promise.all([
    store.vehicleRoutes(),
    store.geofences(),
    store.vehicleRecords({ from: new Date(o.nowMs - TRACK_WINDOW_MS - TRACK_MARGIN_MS).toISOString(), to: new Date(o.nowMs).toISOString() }),
  ]);
  const tracks = projectVehicleTracks(recent.map((r) => vehicleTrailRecord(r, devices)));
  const tracked = new Set(tracks.map((t) => t.vehicle));
  const loadedDark = new Set<string>();
  for (const vehicle of o.loaded) if (!tracked.has(vehicle)) loadedDark.add(vehicle);
  if (loadedDark.size > 0) {
    const older = await store.vehicleRecords({ vehicles: [...loadedDark], from: new Date(o.nowMs - o.lookbackMs).toISOString(), to: new Date(o.nowMs).toISOString() });
    for (const t of projectVehicleTracks(older.map((r) => vehicleTrailRecord(r, devices)))) tracks.push(lastSeenOnly(t));
  }
  // The station's heartbeats count as being heard from too.
  for (const t of tracks) {
    const seen = devices.get(t.device)?.lastSeenMs;
    if (seen !== undefined && (t.lastSeenMs === undefined || seen > t.lastSeenMs)) (t as { lastSeenMs?: number }).lastSeenMs = seen;
  }
  return { tracks, routes: routes.map((r) => ({ vehicle: r.plate, line: r.line })), geofences, judgedFromMs: o.nowMs - TRACK_WINDOW_MS };
}

/** Only where the vehicle was last: the rest is long judged. */
function lastSeenOnly(t: VehicleTrack): VehicleTrack {
  return { ...t, points: t.points.slice(-1), doors: [] };
}
