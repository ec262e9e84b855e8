/**
 * V1's vehicle station (company T1) on the seeded world's 3 March: a fix a minute from 00:30 to 04:00
 * heading north from H1's yard, one track record per 30 minutes, parked 01:40-01:49, the cargo door
 * opened at 02:00 far from any geofence (and a door-opened alert there); V1's registered route and the
 * geofences of H1 and D1. Bag A's leg (picked up 01:00, received 03:00) lies inside it.
 */
import { alertRow, commit, T1, TestDevice, V1, VEHICLE_IDS, type TestWorld } from './support.ts';

const T0 = Date.parse('2026-03-03T00:30:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** A square ring of about ±150 m around a point. */
const yard = (lon: number, lat: number): [number, number][] => [[lon - 0.0016, lat - 0.0014], [lon + 0.0016, lat - 0.0014], [lon + 0.0016, lat + 0.0014], [lon - 0.0016, lat + 0.0014], [lon - 0.0016, lat - 0.0014]];

/** Returns V1's station, to sign more of its chain. */
export async function seedVehicleTrack(w: TestWorld): Promise<TestDevice> {
  const vehicle = new TestDevice('t001-v1', T1, ['vehicle'], 21);
  await w.store.registerDevice({ id: vehicle.id, institution: T1, stations: vehicle.stations, keys: [{ publicKey: vehicle.publicKey }] });
  await w.store.upsertVehicleRoute({ vehicle: VEHICLE_IDS[V1], line: [[120.16, 30.24], [120.16, 30.36]] });
  await w.store.upsertGeofence({ id: 'h001-yard', institution: 'hz-h001', kind: 'hospital', ring: yard(120.16, 30.2545) });
  await w.store.upsertGeofence({ id: 'd001-yard', institution: 'hz-d001', kind: 'disposal', ring: yard(120.16, 30.3595) });
  const records = [];
  for (let m = 0; m < 210; m += 30) {
    const fixes = [];
    for (let k = m; k < m + 30; k++) {
      const parked = k >= 70 && k < 80;
      const step = parked ? 70 : k;
      fixes.push({ at: iso(T0 + k * 60_000), lat: 30_250_000 + step * 500, lon: 120_160_000, speed: parked ? 0 : 300, quality: 'gps' as const, satellites: 10 });
    }
    records.push(vehicle.sign({ type: 'track', body: { vehicle: V1, fixes, temperatures: [], noFix: 0 } }, iso(T0 + (m + 30) * 60_000)));
    if (m === 60) records.push(vehicle.sign({ type: 'door', body: { vehicle: V1, action: 'open', at: '2026-03-03T02:00:00.000Z', position: { lat: 30_295_000, lon: 120_160_000 } } }, '2026-03-03T02:00:00.000Z'));
  }
  await commit(w.store, records);
  await w.store.insertAlert(
    alertRow({
      rule: 'door-opened',
      dedupeKey: `door-opened:vehicle:${V1}@2026-03-03T02:00:00.000Z`,
      subject: `vehicle:${V1}@2026-03-03T02:00:00.000Z`,
      severity: 'critical',
      currentSeverity: 'critical',
      institution: T1,
      device: vehicle.id,
      messageKey: 'door-opened',
      params: { vehicle: V1, at: '2026-03-03T02:00:00.000Z', position: '30.295000,120.160000' },
      since: '2026-03-03T02:00:00.000Z',
    }),
  );
  return vehicle;
}
