import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { bearer, CITY, D1, G01, H1, H2, openTestWorld, seedBags, XIHU, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;

beforeAll(async () => {
  w = await openTestWorld();
  await seedBags(w);
  await w.store.upsertDeviceStatus('hz-h001-kiosk-01', { state: 'online', stateAt: '2026-03-04T23:00:00.000Z', lastSeenAt: '2026-03-04T23:59:00.000Z', backlog: 0 });
  app = await buildApp(w.deps);
});
afterAll(async () => {
  await app.close();
  await w.cleanup();
});

describe('institutions', () => {
  it('a list with each jurisdiction path, filtered by kind', async () => {
    const r = (await app.inject({ url: '/api/v1/institutions?kind=hospital', headers: bearer(w, 'reg-city') })).json();
    expect(r.institutions.map((i: { id: string }) => i.id)).toEqual([H1, H2]);
    expect(r.institutions[0].jurisdictionPath).toEqual([
      { id: CITY, name: '杭州市 Hangzhou' },
      { id: XIHU, name: '西湖区 Xihu' },
      { id: G01, name: 'Xihu grid 1' },
    ]);
  });

  it('the daily mass balance: kg sealed against kg received, by local sealing day (the public sees it too)', async () => {
    const r = await app.inject({ url: `/api/v1/institutions/${H2}?from=2026-03-01&to=2026-03-04`, headers: bearer(w, 'citizen') });
    expect(r.statusCode).toBe(200);
    expect(r.json().massBalance).toEqual({
      from: '2026-03-01',
      to: '2026-03-04',
      // C (2000 g) still in transit, D (900 g) received at 898 g.
      days: [{ day: '2026-03-02', bags: 2, sealedGrams: 2900, received: 1, receivedGrams: 898 }],
      total: { bags: 2, sealedGrams: 2900, received: 1, receivedGrams: 898 },
    });
    const byDefault = (await app.inject({ url: `/api/v1/institutions/${H1}`, headers: bearer(w, 'admin-h1') })).json();
    expect(byDefault.massBalance).toMatchObject({ from: '2026-02-04', to: '2026-03-05' });
    expect(byDefault.departments).toEqual([{ code: 'ICU', name: '重症监护室 ICU' }]);
  });

  it('an unknown institution is INSTITUTION_NOT_FOUND; a span over a year is refused', async () => {
    expect((await app.inject({ url: '/api/v1/institutions/hz-x999', headers: bearer(w, 'reg-city') })).json().error.code).toBe('INSTITUTION_NOT_FOUND');
    const long = await app.inject({ url: `/api/v1/institutions/${H1}?from=2024-01-01&to=2026-01-01`, headers: bearer(w, 'reg-city') });
    expect(long.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.from' });
  });
});

describe('devices', () => {
  it('keys with their ids and the last known status', async () => {
    const r = (await app.inject({ url: `/api/v1/devices?institution=${H1}`, headers: bearer(w, 'reg-city') })).json();
    expect(r.devices).toEqual([
      {
        id: 'hz-h001-kiosk-01',
        institution: H1,
        stations: ['department', 'collection', 'storage'],
        site: null,
        keys: [{ kid: expect.stringMatching(/^[0-9a-f]{16}$/), publicKey: w.devices.h1.publicKey, revokedAt: null }],
        status: { state: 'online', stateAt: '2026-03-04T23:00:00.000Z', lastSeenAt: '2026-03-04T23:59:00.000Z', agent: null, backlog: 0, ackedSeq: null, ackedHash: null },
      },
    ]);
    expect(r).toMatchObject({ total: 1, limit: 100, offset: 0 });
    const one = await app.inject({ url: '/api/v1/devices/hz-d001-line-01', headers: bearer(w, 'centre-d1') });
    expect(one.json()).toMatchObject({ id: 'hz-d001-line-01', institution: D1, status: null });
    expect((await app.inject({ url: '/api/v1/devices/nope-01', headers: bearer(w, 'reg-city') })).json().error.code).toBe('DEVICE_NOT_FOUND');
  });
});

describe('the device list', () => {
  const list = async (q: string, user = 'reg-city') => (await app.inject({ url: `/api/v1/devices${q}`, headers: bearer(w, user) })).json();
  it('pages in id order with the total of the caller\'s scope, and filters by state', async () => {
    const all = await list('');
    const allIds = all.devices.map((d: { id: string }) => d.id);
    expect(allIds).toEqual([...allIds].sort());
    expect(all.total).toBe(allIds.length);
    expect(allIds.length).toBeGreaterThan(2);
    const second = await list('?limit=2&offset=1');
    expect(second).toMatchObject({ total: all.total, limit: 2, offset: 1 });
    expect(second.devices.map((d: { id: string }) => d.id)).toEqual(allIds.slice(1, 3));
    const online = await list('?state=online');
    expect(online.devices.length).toBeGreaterThan(0);
    expect(online.devices.every((d: { status: { state: string } | null }) => d.status?.state === 'online')).toBe(true);
    expect(online.total).toBe(all.devices.filter((d: { status: { state: string } | null }) => d.status?.state === 'online').length);
    // A disposal centre counts only its own devices.
    const centre = await list('', 'centre-d1');
    expect(centre.devices.map((d: { institution: string }) => d.institution)).toEqual(centre.devices.map(() => D1));
    expect(centre.total).toBe(centre.devices.length);
  });

  it('refuses a bad state or page', async () => {
    for (const q of ['?state=asleep', '?limit=0', '?limit=501', '?offset=-1']) {
      const r = await app.inject({ url: `/api/v1/devices${q}`, headers: bearer(w, 'reg-city') });
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.code, q).toBe('VALIDATION_FAILED');
    }
  });
});

describe('ingest statistics', () => {
  it('NOT_AVAILABLE when the server runs no ingest; the stats otherwise', async () => {
    const r = await app.inject({ url: '/api/v1/ingest/stats', headers: bearer(w, 'reg-city') });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('NOT_AVAILABLE');
    const withIngest = await buildApp({ ...w.deps, ingestStats: () => ({ accepted: 7, quarantined: { BAD_SIGNATURE: 1 } }) });
    expect((await withIngest.inject({ url: '/api/v1/ingest/stats', headers: bearer(w, 'reg-g01') })).json()).toEqual({ stats: { accepted: 7, quarantined: { BAD_SIGNATURE: 1 } } });
    await withIngest.close();
  });
});
