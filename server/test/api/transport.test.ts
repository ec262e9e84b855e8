/**
 * /api/v1/vehicles/:plate/track and /api/v1/transit on the seeded world: V1 (company T1) carries bag A
 * from H1 (picked up 01:00) to D1 (received 03:00); its vehicle station signed a track from 00:30 to
 * 04:00 with a door opened on the way at 02:00, far from any geofence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { appFor, BAG_A, BAG_B, BAG_D, bearer, closeApp, openTestWorld, seedBags, V1, type TestWorld } from './support.ts';
import { seedVehicleTrack } from './transport-support.ts';

let w: TestWorld;
let app: ApiInstance;
const as = (user: string) => bearer(w, user);

beforeEach(async () => {
  w = await openTestWorld();
  await seedBags(w);
  await seedVehicleTrack(w);
  app = await appFor(w);
});
afterEach(() => closeApp(w, app));

const get = (url: string, user: string) => app.inject({ method: 'GET', url, headers: as(user) });

describe("a vehicle's track", () => {
  const url = `/api/v1/vehicles/${encodeURIComponent(V1)}/track?from=2026-03-03T00:00:00Z&to=2026-03-03T05:00:00Z`;

  it('gives its company every fix, the door opening, the stop and the alert with its position', async () => {
    const res = await get(url, 'crew-t1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.points).toHaveLength(210);
    expect(body.points[0]).toEqual({ at: '2026-03-03T00:30:00.000Z', lat: 30.25, lon: 120.16, speedKmh: 30 });
    expect(body.doors).toEqual([{ at: '2026-03-03T02:00:00.000Z', action: 'open', lat: 30.295, lon: 120.16 }]);
    expect(body.stops).toEqual([{ from: '2026-03-03T01:40:00.000Z', to: '2026-03-03T01:49:00.000Z', minutes: 9, lat: 30.285, lon: 120.16 }]);
    expect(body.alerts).toMatchObject([{ rule: 'door-opened', severity: 'critical', lat: 30.295, lon: 120.16 }]);
    expect(body.route).toEqual([[120.16, 30.24], [120.16, 30.36]]);
    expect(body.geofences.map((g: { id: string; kind: string }) => [g.id, g.kind])).toEqual([['d001-yard', 'disposal'], ['h001-yard', 'hospital']]);
  });

  it('is for its company and the regulators over it, not for another company, a hospital, a narrower regulator or the public', async () => {
    expect((await get(url, 'reg-city')).statusCode).toBe(200);
    for (const user of ['crew-t2', 'reg-g01']) expect((await get(url, user)).json().error.code, user).toBe('FORBIDDEN');
    for (const user of ['admin-h1', 'centre-d1', 'citizen']) expect((await get(url, user)).statusCode, user).toBe(403);
  });

  it('refuses an unknown plate, a reversed or over-long window', async () => {
    expect((await get('/api/v1/vehicles/%E6%B5%99Z0000/track?from=2026-03-03&to=2026-03-04', 'crew-t1')).json().error.code).toBe('VEHICLE_NOT_FOUND');
    expect((await get(`/api/v1/vehicles/${encodeURIComponent(V1)}/track?from=2026-03-05&to=2026-03-03`, 'crew-t1')).json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.to' });
    expect((await get(`/api/v1/vehicles/${encodeURIComponent(V1)}/track?from=2026-03-01&to=2026-03-09`, 'crew-t1')).json().error.code).toBe('VALIDATION_FAILED');
    expect((await get(`/api/v1/vehicles/${encodeURIComponent(V1)}/track?from=2026-03-01`, 'crew-t1')).json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('the transit leg of a bag or a manifest', () => {
  it('shows the hospital the leg that carried its bag, pickup to receipt, and nothing before or after', async () => {
    const res = await get(`/api/v1/transit?bag=${BAG_A}`, 'admin-h1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ bag: BAG_A, vehicle: V1, manifest: 'HZ2026030300017', received: true, from: '2026-03-03T01:00:00.000Z', to: '2026-03-03T03:00:00.000Z' });
    expect(body.points).toHaveLength(121);
    expect(body.points[0].at).toBe('2026-03-03T01:00:00.000Z');
    expect(body.points.at(-1).at).toBe('2026-03-03T03:00:00.000Z');
    expect(body.doors).toHaveLength(1);
  });

  it('finds the leg by manifest for the disposal centre, and refuses what the caller may not see', async () => {
    const res = await get('/api/v1/transit?manifest=HZ2026030300017', 'centre-d1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ vehicle: V1, received: true });
    expect((await get(`/api/v1/transit?bag=${BAG_A}`, 'admin-h2')).json().error.code).toBe('FORBIDDEN');
    // The same manifest carried H2's bag D: H2 sees that bag's leg, never bag A.
    expect((await get('/api/v1/transit?manifest=HZ2026030300017', 'admin-h2')).json()).toMatchObject({ bag: BAG_D, vehicle: V1, from: '2026-03-03T01:30:00.000Z' });
    expect((await get('/api/v1/transit?manifest=HZ2026030300017', 'crew-t2')).json().error.code).toBe('TRANSIT_NOT_FOUND');
    expect((await get(`/api/v1/transit?bag=${BAG_A}`, 'citizen')).statusCode).toBe(403);
  });

  it('says there is no leg for a bag never picked up, and wants exactly one of bag or manifest', async () => {
    expect((await get(`/api/v1/transit?bag=${encodeURIComponent(BAG_B)}`, 'admin-h1')).json().error.code).toBe('TRANSIT_NOT_FOUND');
    expect((await get('/api/v1/transit', 'admin-h1')).json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query' });
    expect((await get(`/api/v1/transit?bag=${BAG_A}&manifest=HZ2026030300017`, 'admin-h1')).json().error.code).toBe('VALIDATION_FAILED');
  });
});
