/**
 * A storage room's climate over the API: the readings the projection kept from signed climate records,
 * over a window, for the hospital owning the room and the regulators over it, and nobody else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import type { ClimateSampleRow } from '../../src/store/index.ts';
import { bearer, H1, H2, openTestWorld, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;

const row = (seq: number, sample: number, time: string, temperature: number, outdoor: number | null = null): ClimateSampleRow => ({
  device: 'hz-h001-kiosk-01',
  seq,
  sample,
  hash: seq.toString(16).padStart(64, '0'),
  institution: H1,
  room: 'STORE-1',
  time,
  temperature,
  humidity: 612,
  outdoor,
});

beforeAll(async () => {
  w = await openTestWorld();
  await w.store.addClimateSamples([row(5, 0, '2026-03-04T15:50:00.000Z', 181, 95), row(5, 1, '2026-03-04T16:10:00.000Z', 236), row(6, 0, '2026-03-04T23:50:00.000Z', -12)]);
  app = await buildApp(w.deps);
});
afterAll(async () => {
  await app.close();
  await w.cleanup();
});

const get = (url: string, user: string) => app.inject({ url, headers: bearer(w, user) });

describe('storage room climate', () => {
  it("the hospital's rooms with a sensor, and one room's readings over the last 24 h by default", async () => {
    expect((await get(`/api/v1/institutions/${H1}/rooms`, 'admin-h1')).json()).toEqual({ rooms: [{ room: 'STORE-1', lastReadingAt: '2026-03-04T23:50:00.000Z' }] });
    const r = await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate`, 'admin-h1');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      institution: H1,
      room: 'STORE-1',
      from: '2026-03-04T00:00:00.000Z',
      to: '2026-03-05T00:00:00.000Z',
      samples: [
        { time: '2026-03-04T15:50:00.000Z', temperature: 181, humidity: 612, outdoor: 95, device: 'hz-h001-kiosk-01', seq: 5 },
        { time: '2026-03-04T16:10:00.000Z', temperature: 236, humidity: 612, outdoor: null, device: 'hz-h001-kiosk-01', seq: 5 },
        { time: '2026-03-04T23:50:00.000Z', temperature: -12, humidity: 612, outdoor: null, device: 'hz-h001-kiosk-01', seq: 6 },
      ],
      truncated: false,
      lastReadingAt: '2026-03-04T23:50:00.000Z',
    });
  });

  it('a local day counts whole (Asia/Shanghai by default); an instant window is exclusive at `to`', async () => {
    const day = (await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate?from=2026-03-05&to=2026-03-05`, 'reg-xihu')).json();
    expect(day).toMatchObject({ from: '2026-03-04T16:00:00.000Z', to: '2026-03-05T16:00:00.000Z' });
    expect(day.samples.map((s: { temperature: number }) => s.temperature)).toEqual([236, -12]);
    const instants = (await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate?from=2026-03-04T15:50:00Z&to=2026-03-04T16:10:00Z`, 'reg-city')).json();
    expect(instants.samples.map((s: { temperature: number }) => s.temperature)).toEqual([181]);
  });

  it('a room without a sensor: no samples and no last reading', async () => {
    expect((await get(`/api/v1/institutions/${H1}/rooms/STORE-9/climate`, 'admin-h1')).json()).toMatchObject({ samples: [], lastReadingAt: null });
  });

  it('scope: another hospital, a regulator of another district, carriers, disposal and the public are refused', async () => {
    expect((await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate`, 'admin-h2')).json().error.code).toBe('FORBIDDEN');
    expect((await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate`, 'reg-yuhang')).json().error.code).toBe('FORBIDDEN');
    for (const user of ['crew-t1', 'centre-d1', 'citizen']) expect((await get(`/api/v1/institutions/${H1}/rooms`, user)).statusCode).toBe(403);
    expect((await get(`/api/v1/institutions/${H2}/rooms`, 'admin-h2')).json()).toEqual({ rooms: [] });
    expect((await get('/api/v1/institutions/hz-x999/rooms', 'reg-city')).json().error.code).toBe('INSTITUTION_NOT_FOUND');
  });

  it('bad windows are refused with the field named, not coerced', async () => {
    const backwards = await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate?from=2026-03-05T00:00:00Z&to=2026-03-04T00:00:00Z`, 'admin-h1');
    expect(backwards.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.from' });
    const garbage = await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate?from=yesterday`, 'admin-h1');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.code).toBe('VALIDATION_FAILED');
    const extra = await get(`/api/v1/institutions/${H1}/rooms/STORE-1/climate?limit=5`, 'admin-h1');
    expect(extra.statusCode).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/institutions/{id}/rooms', '/api/v1/institutions/{id}/rooms/{room}/climate']));
  });
});
