/**
 * /api/v1/vehicles (where the vehicles in scope were last, loaded or not) and /api/v1/dashboard/daily
 * (the dashboard's trends and control index) on the seeded world at NOW (5 March 08:00 in Shanghai):
 * bags A and B sealed at H1 and C and D at H2 on 2 March; A, C, D picked up 24 h later, B still waiting
 * (71 h); A and D received within the tolerance; V1's station last fixed at 03:59 on 3 March, V2 never,
 * C still on V2.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import type { NewAlert } from '../../src/store/index.ts';
import { alertRow, appFor, bearer, closeApp, commit, D1, G01, H1, H2, openTestWorld, seedBags, T1, T2, V1, V2, XIHU, type TestDevice, type TestWorld } from './support.ts';
import { seedVehicleTrack } from './transport-support.ts';

let w: TestWorld;
let app: ApiInstance;
let station: TestDevice;

beforeEach(async () => {
  w = await openTestWorld();
  await seedBags(w);
  station = await seedVehicleTrack(w);
  app = await appFor(w);
});
afterEach(() => closeApp(w, app));

const get = (url: string, user: string) => app.inject({ method: 'GET', url, headers: bearer(w, user) });

describe('the vehicles at their last position', () => {
  it("gives a city regulator every company's vehicles: the newest fix, and whether bags are on board", async () => {
    const res = await get('/api/v1/vehicles', 'reg-city');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      asOf: '2026-03-05T00:00:00.000Z',
      vehicles: [
        // A and D were picked up on V1 and received: it is empty.
        { plate: V1, company: T1, companyName: '杭州医废转运 Hangzhou Waste Transport', lastFix: { at: '2026-03-03T03:59:00.000Z', lat: 30.3545, lon: 120.16, speedKmh: 30 }, bagsInTransit: 0, loaded: false },
        // C is still on V2, whose station never sent a fix.
        { plate: V2, company: T2, companyName: '西湖转运 Xihu Transport', lastFix: null, bagsInTransit: 1, loaded: true },
      ],
    });
  });

  it('gives a company its own vehicles and a district regulator those of the companies in its district', async () => {
    expect((await get('/api/v1/vehicles', 'crew-t1')).json().vehicles.map((v: { plate: string }) => v.plate)).toEqual([V1]);
    expect((await get('/api/v1/vehicles', 'reg-xihu')).json().vehicles.map((v: { plate: string }) => v.plate)).toEqual([V2]);
    expect((await get('/api/v1/vehicles', 'reg-yuhang')).json().vehicles).toEqual([]);
    for (const user of ['admin-h1', 'centre-d1', 'citizen']) expect((await get('/api/v1/vehicles', user)).statusCode, user).toBe(403);
  });

  it('falls back to the last fix before a newest span that had none (a tunnel)', async () => {
    const tunnel = station.sign({ type: 'track', body: { vehicle: V1, fixes: [], temperatures: [], noFix: 60 } }, '2026-03-03T05:00:00.000Z');
    await commit(w.store, [tunnel]);
    expect((await w.store.latestVehicleTracks([V1]))[0]?.seq).toBe(tunnel.record.seq);
    const [v1] = (await get('/api/v1/vehicles', 'crew-t1')).json().vehicles;
    expect(v1.lastFix).toEqual({ at: '2026-03-03T03:59:00.000Z', lat: 30.3545, lon: 120.16, speedKmh: 30 });
  });
});

describe('the daily figures', () => {
  const alert = (key: string, over: Partial<NewAlert>) => w.store.insertAlert(alertRow({ rule: 'device-silent', dedupeKey: key, subject: key, ...over }));

  beforeEach(async () => {
    // 18:00 local on 3 March at H1, resolved after 10 h: in time.
    await alert('a1', { institution: H1, jurisdiction: G01, openedAt: '2026-03-03T10:00:00.000Z', status: 'resolved', resolvedAt: '2026-03-03T20:00:00.000Z' });
    // 00:30 local on 3 March (still 2 March in UTC) at H2, resolved after 31.5 h: late.
    await alert('a2', { severity: 'critical', institution: H2, openedAt: '2026-03-02T16:30:00.000Z', status: 'resolved', resolvedAt: '2026-03-04T00:00:00.000Z' });
    // At the disposal centre (Yuhang), open for 47 h: late.
    await alert('a3', { severity: 'critical', institution: D1, openedAt: '2026-03-03T01:00:00.000Z' });
    // Routed to Xihu itself, open for 12 h: not due.
    await alert('a4', { severity: 'info', jurisdiction: XIHU, openedAt: '2026-03-04T12:00:00.000Z' });
  });

  it('gives a city regulator every day of the window: kg sealed and received, alerts opened by level, the control index', async () => {
    const res = await get('/api/v1/dashboard/daily?days=7', 'reg-city');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ from: '2026-02-27', to: '2026-03-05', timeZone: 'Asia/Shanghai', thresholds: { handoverHours: 48, weightPercent: 10, weightMinGrams: 50, alertCloseHours: 24 }, weights: { handover: 0.4, weight: 0.3, alerts: 0.3 } });
    const days = body.city.days as Array<{ day: string }>;
    expect(days.map((d) => d.day)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    const day = (d: string) => days.find((x) => x.day === d);
    // A 1250 g, B 830 g, C 2000 g, D 900 g; A and D received (1246 g, 898 g); B waited 71 h.
    expect(day('2026-03-02')).toEqual({
      day: '2026-03-02', bags: 4, sealedGrams: 4980, received: 2, receivedGrams: 2144, alertsOpened: { critical: 0, warning: 0, info: 0 },
      handoverDue: 4, handedOverInTime: 3, weighed: 2, reconciled: 2, closeDue: 0, closedInTime: 0,
      control: { index: 85.7, handover: 0.75, weight: 1, alerts: null },
    });
    expect(day('2026-03-03')).toMatchObject({ bags: 0, alertsOpened: { critical: 2, warning: 1, info: 0 }, closeDue: 3, closedInTime: 1, control: { index: 33.3 } });
    // a4, not due, and the seeded door-opened alert of T1's vehicle, opened 24 h before now and open: late.
    expect(day('2026-03-04')).toMatchObject({ alertsOpened: { critical: 1, warning: 0, info: 1 }, closeDue: 1, closedInTime: 0, control: { index: 0 } });
    // The window: 0.4 * 3/4 + 0.3 * 1 + 0.3 * 1/4.
    expect(body.city.window.control).toEqual({ index: 67.5, handover: 0.75, weight: 1, alerts: 0.25 });
    const h1 = body.institutions.find((i: { institution: string }) => i.institution === H1);
    expect(h1.name).toBe('市第一人民医院 City Hospital No. 1');
    // A in time, B late; A reconciled; a1 closed in time: (0.4 * 1/2 + 0.3 + 0.3) / 1.
    expect(h1.window).toMatchObject({ bags: 2, sealedGrams: 2080, handoverDue: 2, handedOverInTime: 1, control: { index: 80 } });
  });

  it('gives a district regulator its institutions and its own alerts, an institution admin its institution, and no one else anything', async () => {
    const xihu = (await get('/api/v1/dashboard/daily?days=7', 'reg-xihu')).json();
    expect(xihu.institutions.map((i: { institution: string }) => i.institution).sort()).toEqual([H1, H2, T2].sort());
    // a3 (Yuhang) is not Xihu's; a4 (routed to Xihu) is.
    expect(xihu.city.window.alertsOpened).toEqual({ critical: 1, warning: 1, info: 1 });
    const h1 = (await get('/api/v1/dashboard/daily', 'admin-h1')).json();
    expect(h1.city.days).toHaveLength(30);
    expect(h1.institutions.map((i: { institution: string }) => i.institution)).toEqual([H1]);
    expect(h1.city.window).toMatchObject({ bags: 2, alertsOpened: { critical: 0, warning: 1, info: 0 } });
    for (const user of ['crew-t1', 'centre-d1', 'citizen']) expect((await get('/api/v1/dashboard/daily', user)).statusCode, user).toBe(403);
  });

  it('refuses a window of no days, of more than 90, not a whole number, or a parameter it does not take', async () => {
    for (const query of ['days=0', 'days=91', 'days=week', 'days=7.5', 'days=7&from=2026-03-01']) {
      const res = await get(`/api/v1/dashboard/daily?${query}`, 'reg-city');
      expect([res.statusCode, res.json().error.code], query).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
