/**
 * The demo city's roads as the server sees them: the vehicles' registered routes and the geofences
 * (reference data, from the city's geography), and a simulated trip signed the way a vehicle station
 * signs it: the edge agent's TrackLog cuts the fixes into track records and adds the door records.
 */
import { sha256, toHex, utf8, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { TrackLog } from '@wastetrail/edge-agent';
import type { Geofence, TrailRecord, VehicleRoute } from '@wastetrail/server';
import type { CityGeography, Trip } from '@wastetrail/simulators';

export function transportReference(g: CityGeography): { routes: VehicleRoute[]; geofences: Geofence[] } {
  return {
    routes: g.routes.map((r) => ({ vehicle: r.plate, line: r.line })),
    geofences: g.geofences.map((f) => ({ id: f.id, kind: f.kind, institution: f.institution, ring: f.ring })),
  };
}

export interface SignedTripOptions {
  vehicle: string;
  device: string;
  institution: string;
  /** Seconds of fixes per track record (the station's trackSeconds). */
  trackSeconds?: number;
  /** The first seq of the device's chain this trip takes. */
  firstSeq?: number;
}

/**
 * The records a vehicle station makes of a trip, in the server's TrailRecord form. Record times are the
 * station's clock when each is signed: the end of its span, or the door's moment. The hash stands in
 * for the record hash (these records are judged, not verified).
 */
export function signTrip(trip: Trip, o: SignedTripOptions): TrailRecord[] {
  const log = new TrackLog({ vehicle: o.vehicle, trackSeconds: o.trackSeconds ?? 60, temperatureSeconds: 60 });
  const out: TrailRecord[] = [];
  let seq = o.firstSeq ?? 1;
  const sign = (events: CustodyEvent[], atMs: number) => {
    for (const event of events) {
      const time = new Date(atMs).toISOString();
      out.push({ device: o.device, seq, hash: toHex(sha256(utf8(`${o.device}/${seq}/${time}`))), time, institution: o.institution, stations: ['vehicle'], event });
      seq++;
    }
  };
  let d = 0;
  for (const f of trip.fixes) {
    for (; d < trip.doors.length && trip.doors[d]!.atMs <= f.atMs; d++) sign(log.cargo({ door: trip.doors[d]!.action, tenthsC: 60 }, trip.doors[d]!.atMs), trip.doors[d]!.atMs);
    sign(log.fix({ atMs: f.atMs, lat: Math.round(f.lat * 1e6), lon: Math.round(f.lon * 1e6), speed: Math.round(f.speedKmh * 10), quality: 'gps', satellites: 10 }, f.atMs), f.atMs);
  }
  sign(log.flush(), trip.endMs);
  return out;
}
