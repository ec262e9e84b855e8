/**
 * The city's vehicles keep the model's timetable: each round is in a hospital's yard with the door open
 * when its crew signs for the bags, at the disposal centre when they are weighed in, and only the rounds
 * the incidents pick leave the route. The driver writes what is due, in order, once.
 */
import { seededRandom, type DoorAction, type NmeaEpoch } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  localMidnight,
  placeOf,
  planCity,
  planGeography,
  scheduledRound,
  vehicleIncidentDays,
  vehicleRound,
  VehicleDriver,
  type CityGeography,
  type LonLat,
  type Trip,
} from '../../src/index.ts';

const layout = planCity({ institutions: 3, seed: 3 });
const geography: CityGeography = planGeography(layout);
const day = localMidnight(Date.parse('2026-03-02T04:00:00Z'));

/** Metres between a fix and a place (flat earth, a city's scale). */
const metres = (f: { lat: number; lon: number }, p: LonLat) => Math.hypot((f.lat - p[1]) * 111_320, (f.lon - p[0]) * 111_320 * Math.cos((p[1] * Math.PI) / 180));

function roundOf(index: number, incident?: 'dump-detour' | 'scrapyard-stop'): Trip {
  const v = layout.transport.vehicles[index]!;
  const r = vehicleRound(v, day);
  return scheduledRound(geography, { plate: v.plate, calls: r.calls.map((c) => ({ at: placeOf(geography, 'hospital', c.hospital).position, atMs: c.atMs })), unloadAtMs: r.unloadAtMs, stepSeconds: 20, random: seededRandom(9), ...(incident ? { incident } : {}) });
}

/** Where the vehicle is at `atMs` (the last fix before), and whether its door is open. */
function at(trip: Trip, atMs: number) {
  const fix = trip.fixes.filter((f) => f.atMs <= atMs).at(-1)!;
  const door = trip.doors.filter((d) => d.atMs <= atMs).at(-1)?.action ?? 'close';
  return { fix, door };
}

describe('scheduledRound', () => {
  it("is in each hospital's yard with the door open at its pickup, and at the disposal centre at the receipt", () => {
    for (const v of layout.transport.vehicles) {
      const trip = roundOf(v.index);
      const r = vehicleRound(v, day);
      for (const c of r.calls) {
        const here = at(trip, c.atMs);
        expect(metres(here.fix, placeOf(geography, 'hospital', c.hospital).position), c.hospital).toBeLessThan(30);
        expect(here.door).toBe('open');
      }
      const unloading = at(trip, r.unloadAtMs);
      expect(metres(unloading.fix, placeOf(geography, 'disposal').position)).toBeLessThan(30);
      expect(unloading.door).toBe('open');
      // Fixes in time order, the door opened and closed at each stop, and home at the depot at the end.
      expect(trip.fixes.every((f, i) => i === 0 || f.atMs > trip.fixes[i - 1]!.atMs)).toBe(true);
      expect(trip.doors.map((d) => d.action)).toEqual(Array.from({ length: r.calls.length + 1 }, () => ['open', 'close'] as DoorAction[]).flat());
      expect(metres(trip.fixes.at(-1)!, placeOf(geography, 'depot').position)).toBeLessThan(30);
    }
  });

  it('the dump detour opens the door at the dump and comes back to its round; the scrapyard stop parks there 40 minutes', () => {
    const dump = placeOf(geography, 'dump').position;
    const detour = roundOf(0, 'dump-detour');
    const atDump = detour.doors.filter((d) => metres(d, dump) < 30).map((d) => d.action);
    expect(atDump).toEqual(['open', 'close']);
    const r = vehicleRound(layout.transport.vehicles[0]!, day);
    // Still at the disposal centre to unload (late or not), then home.
    expect(detour.doors.filter((d) => metres(d, placeOf(geography, 'disposal').position) < 30).map((d) => d.action)).toEqual(['open', 'close']);
    expect(detour.endMs).toBeGreaterThan(r.unloadAtMs);

    const scrapyard = placeOf(geography, 'scrapyard').position;
    const stop = roundOf(1, 'scrapyard-stop');
    const parked = stop.fixes.filter((f) => metres(f, scrapyard) < 30);
    expect(parked.at(-1)!.atMs - parked[0]!.atMs).toBeGreaterThanOrEqual(39 * 60_000);
    expect(stop.doors.some((d) => metres(d, scrapyard) < 100)).toBe(false);
    expect(roundOf(1).fixes.some((f) => metres(f, scrapyard) < 100)).toBe(false);
  });
});

describe('vehicleIncidentDays', () => {
  const both = new Set(['dump-detour', 'scrapyard-stop'] as const);
  it('puts the detour on the first vehicle and the stop on the second, on their first round after the start; a run started mid-round waits for the next', () => {
    const [v1, v2] = layout.transport.vehicles;
    const morning = day + 7.5 * 3_600_000;
    expect([...vehicleIncidentDays(layout, v1!, both, morning)]).toEqual([[day, 'dump-detour']]);
    expect([...vehicleIncidentDays(layout, v2!, both, morning)]).toEqual([[day, 'scrapyard-stop']]);
    expect([...vehicleIncidentDays(layout, v1!, both, day + 15 * 3_600_000)]).toEqual([[day + DAY_MS, 'dump-detour']]);
    expect(vehicleIncidentDays(layout, v1!, new Set(), morning).size).toBe(0);
  });

  it('with one vehicle, the stop comes the day after the detour', () => {
    const small = planCity({ institutions: 1, seed: 3 });
    expect([...vehicleIncidentDays(small, small.transport.vehicles[0]!, both, day + 7.5 * 3_600_000)]).toEqual([
      [day, 'dump-detour'],
      [day + DAY_MS, 'scrapyard-stop'],
    ]);
  });
});

describe('VehicleDriver', () => {
  const v = layout.transport.vehicles[1]!;
  const drive = async (from: number, until: number, stepMs: number) => {
    const written: string[] = [];
    const devices = {
      gnss: { epoch: async (e: NmeaEpoch) => void written.push(`fix ${e.atMs}`) },
      cargo: { door: async (a: DoorAction) => void written.push(`door ${a}`) },
    };
    const driver = new VehicleDriver({ layout, geography, vehicle: v, devices: devices as never, incidents: new Set(), runStartMs: day });
    for (let t = from; t <= until; t += stepMs) driver.advance(t);
    driver.advance(until);
    await driver.settled();
    return written;
  };
  const fixTimes = (w: string[]) => w.filter((x) => x.startsWith('fix')).map((x) => Number(x.slice(4)));

  it('writes each fix and door event once, in time order, when the clock reaches it; a round under way is not replayed', async () => {
    const r = vehicleRound(v, day);
    const until = r.unloadAtMs + 2 * 3_600_000;
    const whole = await drive(day + 7.5 * 3_600_000, until, 60_000);
    const times = fixTimes(whole);
    expect(times.length).toBeGreaterThan(100);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(whole.filter((x) => x.startsWith('door'))).toEqual(['door open', 'door close', 'door open', 'door close']);
    // A door change comes after the fixes of the stay before it: the station knows where the door was opened.
    const open = whole.indexOf('door open');
    expect(whole[open - 1]).toMatch(/^fix /);
    // Advanced in bigger steps, the same writes; started mid-round, only what is still to come.
    expect(await drive(day + 7.5 * 3_600_000, until, 17 * 60_000)).toEqual(whole);
    const mid = r.calls[0]!.atMs + 30 * 60_000;
    const tail = await drive(mid, until, 60_000);
    expect(fixTimes(tail)).toEqual(times.filter((t) => t >= mid));
  });
});
