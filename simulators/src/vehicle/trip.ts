/**
 * A vehicle's day as the receiver and the cargo door would report it: a plan of legs (drive along a
 * path, stay somewhere, open the door) becomes a fix every few seconds and door events, with GNSS noise.
 * Pure and seeded, so a month of driving is the same month every run. Used by the city's vehicle
 * stations (over NMEA on a pty) and by the rule tests directly.
 *
 * The incidents of issue #15 are plans too: the dump detour leaves the route for the dump site and opens
 * the door there, the scrapyard stop stays 40 minutes at the scrapyard.
 */
import along from '@turf/along';
import { lineString } from '@turf/helpers';
import length from '@turf/length';
import type { DoorAction } from '@wastetrail/firmware-protocol';
import { DUMP_LANE, placeOf, roadPath, type CityGeography, type LonLat } from '../city/geography.ts';

export type TripLeg =
  | { kind: 'drive'; path: readonly LonLat[]; speedKmh: number }
  | { kind: 'stay'; at: LonLat; minutes: number }
  | { kind: 'door'; action: DoorAction };

export interface TripFix {
  atMs: number;
  /** Degrees. */
  lat: number;
  lon: number;
  speedKmh: number;
}

export interface TripDoor {
  atMs: number;
  action: DoorAction;
  lat: number;
  lon: number;
}

export interface Trip {
  fixes: TripFix[];
  doors: TripDoor[];
  endMs: number;
}

export interface TripOptions {
  startMs: number;
  /** A fix every this many seconds (the receiver's 1 Hz, thinned for long simulations). */
  stepSeconds: number;
  /** 0..1 random numbers; the GNSS noise and the traffic come from it. */
  random: () => number;
  /** Ordinary GNSS error: up to this many metres each way. Default 8 m. */
  jitterM?: number;
}

const M_PER_DEG_LAT = 111_320;

export function tripFixes(legs: readonly TripLeg[], o: TripOptions): Trip {
  const fixes: TripFix[] = [];
  const doors: TripDoor[] = [];
  const jitter = o.jitterM ?? 8;
  const stepMs = o.stepSeconds * 1000;
  let t = o.startMs;
  let here: LonLat | undefined;
  const fixAt = (p: LonLat, speedKmh: number) => {
    // Noise in metres, turned into degrees at this latitude.
    const dy = (o.random() * 2 - 1) * jitter;
    const dx = (o.random() * 2 - 1) * jitter;
    fixes.push({ atMs: t, lat: p[1] + dy / M_PER_DEG_LAT, lon: p[0] + dx / (M_PER_DEG_LAT * Math.cos((p[1] * Math.PI) / 180)), speedKmh });
  };
  for (const leg of legs) {
    if (leg.kind === 'door') {
      if (!here) throw new RangeError('a door leg needs a position: start with a drive or a stay');
      doors.push({ atMs: t, action: leg.action, lat: here[1], lon: here[0] });
      continue;
    }
    if (leg.kind === 'stay') {
      here = leg.at;
      const end = t + leg.minutes * 60_000;
      for (; t < end; t += stepMs) fixAt(leg.at, 0);
      continue;
    }
    const line = lineString(leg.path.map((p) => [...p]));
    const km = length(line, { units: 'kilometers' });
    const kmPerStep = (leg.speedKmh * o.stepSeconds) / 3600;
    for (let d = 0; d < km; d += kmPerStep, t += stepMs) {
      const [lon, lat] = along(line, d, { units: 'kilometers' }).geometry.coordinates as LonLat;
      fixAt([lon, lat], leg.speedKmh);
    }
    here = leg.path.at(-1)!;
  }
  return { fixes, doors, endMs: t };
}

export interface DailyRoundOptions {
  plate: string;
  random: () => number;
  /** What goes wrong, if anything. */
  incident?: 'dump-detour' | 'scrapyard-stop';
}

/**
 * One round of a vehicle: depot -> each hospital on its route (a few minutes in the yard, door open to
 * load) -> disposal centre (unload) -> depot, with red lights on the way. The dump detour leaves after
 * the first pickup for the dump site, opens the door there, and goes dark back on the road, never reaching
 * disposal; the scrapyard
 * stop parks 40 minutes at the scrapyard after the first pickup, then goes on.
 */
export function dailyRound(g: CityGeography, o: DailyRoundOptions): TripLeg[] {
  const route = g.routes.find((r) => r.plate === o.plate);
  if (!route) throw new RangeError(`no route for vehicle ${o.plate}`);
  const depot = placeOf(g, 'depot').position;
  const disposal = placeOf(g, 'disposal').position;
  const hospitals = route.line.filter((p) => g.places.some((pl) => pl.kind === 'hospital' && pl.position[0] === p[0] && pl.position[1] === p[1]));
  const speed = () => 25 + Math.round(o.random() * 15);
  const legs: TripLeg[] = [{ kind: 'stay', at: depot, minutes: 5 }];
  let from = depot;
  const driveTo = (to: LonLat) => {
    const path = roadPath([from, to]);
    // A red light at a crossing on the way, now and then: one to three minutes, never ten.
    if (path.length > 2 && o.random() < 0.5) {
      legs.push({ kind: 'drive', path: path.slice(0, 2), speedKmh: speed() }, { kind: 'stay', at: path[1]!, minutes: 1 + Math.round(o.random() * 2) }, { kind: 'drive', path: path.slice(1), speedKmh: speed() });
    } else legs.push({ kind: 'drive', path, speedKmh: speed() });
    from = to;
  };
  const handover = (at: LonLat, minutes: number) => {
    legs.push({ kind: 'stay', at, minutes: 2 }, { kind: 'door', action: 'open' }, { kind: 'stay', at, minutes }, { kind: 'door', action: 'close' }, { kind: 'stay', at, minutes: 1 });
  };
  for (const [i, h] of hospitals.entries()) {
    driveTo(h);
    handover(h, 4 + Math.round(o.random() * 4));
    if (i === 0 && o.incident === 'dump-detour') {
      const [laneStart, dump] = DUMP_LANE as [LonLat, LonLat];
      driveTo(laneStart);
      legs.push({ kind: 'drive', path: [laneStart, dump], speedKmh: 20 }, { kind: 'stay', at: dump, minutes: 3 }, { kind: 'door', action: 'open' }, { kind: 'stay', at: dump, minutes: 6 }, { kind: 'door', action: 'close' }, { kind: 'stay', at: dump, minutes: 2 });
      // Back to the road, where the crew pulls the receiver's fuse: the track ends there.
      legs.push({ kind: 'drive', path: [dump, laneStart], speedKmh: 20 });
      return legs;
    }
    if (i === 0 && o.incident === 'scrapyard-stop') {
      const scrapyard = placeOf(g, 'scrapyard').position;
      driveTo(scrapyard);
      legs.push({ kind: 'stay', at: scrapyard, minutes: 40 });
    }
  }
  driveTo(disposal);
  handover(disposal, 12 + Math.round(o.random() * 8));
  driveTo(depot);
  legs.push({ kind: 'stay', at: depot, minutes: 5 });
  return legs;
}

export interface ScheduledRoundOptions {
  plate: string;
  /** The hospitals' positions with the time of each pickup, in calling order. */
  calls: readonly { at: LonLat; atMs: number }[];
  /** When the disposal centre weighs the load in. */
  unloadAtMs: number;
  stepSeconds: number;
  random: () => number;
  incident?: 'dump-detour' | 'scrapyard-stop';
}

/** Minutes the vehicle is in a yard before a handover (door open) and after it (loading, door shut). */
const YARD_BEFORE_MIN = 3;
const YARD_AFTER_MIN = 6;
const UNLOAD_MIN = 15;

/**
 * A round that keeps the city's timetable: the vehicle is in each hospital's yard, door open, when the
 * crew signs for the bags there, and at the disposal centre when they are weighed in; it waits where it is
 * when early. The incidents happen after the first pickup and the vehicle then goes on with its round
 * (late, if the detour took longer than the gap): the dump detour drives the lane to the dump site and
 * opens the door there for 6 minutes, the scrapyard stop parks 40 minutes at the scrapyard.
 */
export function scheduledRound(g: CityGeography, o: ScheduledRoundOptions): Trip {
  const first = o.calls[0];
  if (!first) throw new RangeError(`vehicle ${o.plate} has no hospital to call on`);
  const depot = placeOf(g, 'depot').position;
  const fixes: TripFix[] = [];
  const doors: TripDoor[] = [];
  let t = first.atMs - 45 * 60_000;
  let from = depot;
  const step = (legs: TripLeg[]) => {
    const part = tripFixes(legs, { startMs: t, stepSeconds: o.stepSeconds, random: o.random });
    fixes.push(...part.fixes);
    doors.push(...part.doors);
    t = part.endMs;
  };
  const speed = () => 25 + Math.round(o.random() * 15);
  const driveTo = (to: LonLat, path = roadPath([from, to])) => {
    if (path.length > 1) step([{ kind: 'drive', path, speedKmh: speed() }]);
    from = to;
  };
  const waitUntil = (ms: number) => {
    if (ms > t) step([{ kind: 'stay', at: from, minutes: (ms - t) / 60_000 }]);
  };
  const door = (action: DoorAction) => doors.push({ atMs: t, action, lat: from[1], lon: from[0] });
  const yard = (atMs: number, afterMin: number) => {
    waitUntil(atMs - YARD_BEFORE_MIN * 60_000);
    step([{ kind: 'stay', at: from, minutes: 1 }]);
    door('open');
    waitUntil(Math.max(t + 60_000, atMs + afterMin * 60_000));
    door('close');
    step([{ kind: 'stay', at: from, minutes: 1 }]);
  };
  step([{ kind: 'stay', at: depot, minutes: 5 }]);
  for (const [i, call] of o.calls.entries()) {
    driveTo(call.at);
    yard(call.atMs, YARD_AFTER_MIN);
    if (i > 0 || !o.incident) continue;
    if (o.incident === 'dump-detour') {
      const [laneStart, dump] = DUMP_LANE as [LonLat, LonLat];
      driveTo(laneStart);
      step([{ kind: 'drive', path: [laneStart, dump], speedKmh: 20 }, { kind: 'stay', at: dump, minutes: 3 }, { kind: 'door', action: 'open' }, { kind: 'stay', at: dump, minutes: 6 }, { kind: 'door', action: 'close' }, { kind: 'stay', at: dump, minutes: 2 }, { kind: 'drive', path: [dump, laneStart], speedKmh: 20 }]);
      from = laneStart;
    } else {
      driveTo(placeOf(g, 'scrapyard').position);
      step([{ kind: 'stay', at: from, minutes: 40 }]);
    }
  }
  driveTo(placeOf(g, 'disposal').position);
  yard(o.unloadAtMs, UNLOAD_MIN);
  driveTo(depot);
  step([{ kind: 'stay', at: depot, minutes: 5 }]);
  return { fixes, doors, endMs: t };
}
