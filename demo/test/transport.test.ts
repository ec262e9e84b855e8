/**
 * The transport rules on simulated driving in the demo city: the city's vehicles drive their registered
 * rounds through GNSS noise and red lights, their stations cut the fixes into track records (the edge
 * agent's TrackLog), the server projects the records into tracks and judges them. A clean month raises
 * nothing; the dump detour and the scrapyard stop raise what they should, with positions.
 */
import { seededRandom } from '@wastetrail/firmware-protocol';
import { evaluateRules, projectVehicleTracks, reconstructTrail, ruleConfig, type AlertCandidate, type TrailRecord } from '@wastetrail/server';
import { dailyRound, placeOf, planCity, planGeography, tripFixes, type CityGeography, type CityLayout } from '@wastetrail/simulators';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@wastetrail/server';
import { describe, expect, it } from 'vitest';
import { seedReferenceData } from '../src/reference-data.ts';
import { signTrip, transportReference } from '../src/transport.ts';

const layout: CityLayout = planCity({ institutions: 6, seed: 7 });
const geography: CityGeography = planGeography(layout);
const reference = transportReference(geography);
const config = ruleConfig();
const institutions = [...layout.hospitals.map((h) => ({ id: h.id, jurisdiction: ['330100', h.jurisdiction] })), { id: layout.transport.id, jurisdiction: ['330100'], mobile: true }, { id: layout.disposal.id, jurisdiction: ['330100', layout.disposal.jurisdiction] }];
const DAY = 86_400_000;
const MONTH_START = Date.parse('2026-03-01T00:30:00.000Z'); // 08:30 in Hangzhou
const TRANSPORT_RULES = ['route-deviation', 'abnormal-stop', 'door-opened', 'vehicle-silent', 'missing-in-transit'] as const;

/** A bag sealed at the vehicle's first hospital and picked up when the vehicle leaves its yard. */
function bagPickedUp(vehicleIndex: number, pickedUpMs: number, tag: string, receivedMs?: number): TrailRecord[] {
  const v = layout.transport.vehicles[vehicleIndex]!;
  const h = layout.hospitals.find((x) => x.id === v.route[0])!;
  const dept = h.departments[0]!;
  const at = (ms: number) => new Date(ms).toISOString();
  const hash = (s: string) => s.padEnd(64, '0').slice(0, 64);
  const records: TrailRecord[] = [
    { device: dept.station.deviceId, seq: 1, hash: hash('a1'), time: at(pickedUpMs - 3 * 3_600_000), institution: h.id, stations: ['department'], event: { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: 1200, unit: 'g' }, department: dept.code, staff: dept.nurse.badge } } },
    { device: v.station.deviceId, seq: 1, hash: hash('b1'), time: at(pickedUpMs), institution: layout.transport.id, stations: ['pickup'], event: { type: 'picked-up', body: { bags: [{ tag }], weight: { value: 1200, unit: 'g' }, giver: h.keeper.badge, crew: v.crew.badge, vehicle: v.plate, manifest: `M-${tag.slice(-4)}` } } },
  ];
  if (receivedMs !== undefined) {
    records.push({ device: layout.disposal.station.deviceId, seq: 1, hash: hash('c1'), time: at(receivedMs), institution: layout.disposal.id, stations: ['disposal'], event: { type: 'received', body: { bags: [{ tag }], weight: { value: 1200, unit: 'g' }, operator: layout.disposal.operator.badge, vehicle: v.plate, manifest: `M-${tag.slice(-4)}` } } });
  }
  return records;
}

function drive(vehicleIndex: number, startMs: number, random: () => number, incident?: 'dump-detour' | 'scrapyard-stop') {
  const v = layout.transport.vehicles[vehicleIndex]!;
  const trip = tripFixes(dailyRound(geography, { plate: v.plate, random, ...(incident ? { incident } : {}) }), { startMs, stepSeconds: 10, random, jitterM: 15 });
  return { trip, records: signTrip(trip, { vehicle: v.plate, device: v.tracker.deviceId, institution: layout.transport.id }) };
}

function judge(nowMs: number, records: TrailRecord[], tags: string[] = [], rules: readonly string[] = TRANSPORT_RULES, thresholds = config): AlertCandidate[] {
  const trails = tags.map((tag) => reconstructTrail(records.filter((r) => JSON.stringify(r.event.body).includes(tag)), tag));
  return evaluateRules({ nowMs, config: thresholds, institutions, trails, transport: { tracks: projectVehicleTracks(records), ...reference }, rules: rules as never }).candidates;
}

const metresApart = (position: string | number, at: [number, number]) => {
  const [lat, lon] = String(position).split(',').map(Number) as [number, number];
  return Math.hypot((lat - at[1]) * 111_320, (lon - at[0]) * 111_320 * Math.cos((lat * Math.PI) / 180));
};

describe('transport rules on simulated driving', () => {
  it('a clean month of rounds (3 vehicles, 30 days, GNSS noise, red lights) raises none of them', () => {
    const random = seededRandom(2026);
    const found: AlertCandidate[] = [];
    const redLights: AlertCandidate[] = [];
    let fixes = 0;
    let doors = 0;
    for (let day = 0; day < 30; day++) {
      for (let v = 0; v < layout.transport.vehicles.length; v++) {
        const start = MONTH_START + day * DAY + v * 600_000;
        const { trip, records } = drive(v, start, random);
        fixes += trip.fixes.length;
        doors += trip.doors.length;
        // The vehicle carries a bag from its first hospital to disposal: judged while loaded, every 10 min.
        const firstClose = trip.doors.find((d) => d.action === 'close')!.atMs;
        const disposalOpen = trip.doors.filter((d) => d.action === 'open').at(-1)!.atMs;
        const tag = `epc:3074257bf7194e40${(day * 10 + v).toString(16).padStart(8, '0')}`;
        const bag = bagPickedUp(v, firstClose, tag, disposalOpen);
        for (let now = firstClose; now <= disposalOpen; now += 600_000) {
          const soFar = records.filter((r) => Date.parse(r.time) <= now);
          found.push(...judge(now, [...soFar, ...bag.filter((r) => Date.parse(r.time) <= now)], [tag], ['vehicle-silent']));
        }
        found.push(...judge(trip.endMs + 25 * 3_600_000, [...records, ...bag], [tag]));
        // The same driving under a 1-minute stop limit: the red lights are there, and seen.
        if (day === 0) redLights.push(...judge(trip.endMs, records, [], ['abnormal-stop'], ruleConfig({ defaults: { abnormalStop: { minutes: 1 } } })));
      }
    }
    expect(fixes).toBeGreaterThan(60_000);
    expect(doors).toBeGreaterThan(500);
    expect(found.map((c) => c.message)).toEqual([]);
    expect(redLights.length).toBeGreaterThan(0);
  }, 120_000);

  it('the dump detour raises route deviation and door opened at the dump, then vehicle silent and missing in transit with the last position', () => {
    const { trip, records } = drive(0, MONTH_START, seededRandom(5), 'dump-detour');
    const pickup = trip.doors.find((d) => d.action === 'close')!.atMs;
    const tag = 'epc:3074257bf7194e40000d0e70';
    const bag = bagPickedUp(0, pickup, tag);
    const dump = placeOf(geography, 'dump').position;
    const plate = layout.transport.vehicles[0]!.plate;

    // An hour after the detour: the road alarms (11 min parked at the dump is an abnormal stop too) and
    // the dark, loaded vehicle; not yet missing in transit.
    const soon = judge(trip.endMs + 3_600_000, [...records, ...bag], [tag]);
    expect(soon.map((c) => c.rule).sort()).toEqual(['abnormal-stop', 'door-opened', 'route-deviation', 'vehicle-silent']);
    expect(metresApart(soon.find((c) => c.rule === 'abnormal-stop')!.params.position!, dump)).toBeLessThan(60);
    const deviation = soon.find((c) => c.rule === 'route-deviation')!;
    expect(deviation).toMatchObject({ severity: 'critical', institution: layout.transport.id, params: { vehicle: plate, limitMetres: 100, limitMinutes: 3 } });
    expect(metresApart(deviation.params.position!, dump)).toBeLessThan(60);
    expect(deviation.params.metres).toBeGreaterThan(1000);
    const door = soon.find((c) => c.rule === 'door-opened')!;
    expect(metresApart(door.params.position!, dump)).toBeLessThan(60);
    expect(door.evidence).toHaveLength(1);
    expect(records.find((r) => r.seq === door.evidence[0]!.seq)!.event).toMatchObject({ type: 'door', body: { action: 'open' } });
    expect(soon.find((c) => c.rule === 'vehicle-silent')!.params).toMatchObject({ vehicle: plate, bags: 1, limitMinutes: 15 });

    // After the 24 h limit: missing in transit names where and when the vehicle was last seen.
    const late = judge(pickup + 25 * 3_600_000, [...records, ...bag], [tag]);
    const missing = late.find((c) => c.rule === 'missing-in-transit')!;
    const last = trip.fixes.at(-1)!;
    expect(missing.messageKey).toBe('missing-in-transit.last-seen');
    expect(missing.params.positionAt).toBe(new Date(last.atMs).toISOString());
    expect(metresApart(missing.params.position!, [last.lon, last.lat])).toBeLessThan(1);
    expect(missing.message).toContain(`The vehicle was last seen at ${missing.params.position} at ${missing.params.positionAt}.`);
  });

  it('the scrapyard stop raises an abnormal stop of about 40 minutes at the scrapyard', () => {
    const { records } = drive(1, MONTH_START, seededRandom(6), 'scrapyard-stop');
    const found = judge(MONTH_START + DAY, records);
    const stops = found.filter((c) => c.rule === 'abnormal-stop');
    expect(stops).toHaveLength(1);
    expect(stops[0]!.params.minutes).toBeGreaterThanOrEqual(40);
    expect(stops[0]!.params.minutes).toBeLessThanOrEqual(42);
    expect(metresApart(stops[0]!.params.position!, placeOf(geography, 'scrapyard').position)).toBeLessThan(40);
    // The door stayed shut there: no door alarm.
    expect(found.filter((c) => c.rule === 'door-opened')).toEqual([]);
  });
});

describe("the demo's transport reference data", () => {
  it('registers every vehicle route and the yards of every hospital, the disposal centre and the depot, the same after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-demo-transport-'));
    const store = openSqliteStore(join(dir, 'wastetrail.db'));
    try {
      await seedReferenceData(store, layout);
      await seedReferenceData(store, layout);
      const routes = await store.vehicleRoutes();
      expect(routes.map((r) => r.plate).sort()).toEqual(layout.transport.vehicles.map((v) => v.plate).sort());
      expect(routes.map((r) => ({ vehicle: r.plate, line: r.line }))).toEqual(expect.arrayContaining(reference.routes));
      const fences = await store.geofences();
      expect(fences.map((f) => f.kind).sort()).toEqual([...layout.hospitals.map(() => 'hospital'), 'depot', 'disposal'].sort());
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
