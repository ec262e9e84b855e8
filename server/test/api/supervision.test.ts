import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { runDraw, frameHash, type DrawFrame } from '../../src/supervision/index.ts';
import { alertRow, BAG_B, bearer, closeApp, G01, H1, H2, NOW, openSeededApp, PASSWORD, type SeededAlerts, type TestWorld } from './support.ts';

let w: TestWorld, app: ApiInstance, ids: SeededAlerts;

beforeEach(async () => {
  ({ w, app, ids } = await openSeededApp());
});
afterEach(() => closeApp(w, app));

const as = (user: string) => bearer(w, user);
const DAY = 86_400_000;

async function confirm(alert: number, violation: string, note = 'checked on site', user = 'reg-city') {
  return app.inject({ method: 'POST', url: `/api/v1/alerts/${alert}/confirm`, headers: as(user), payload: { violation, note } });
}
const credit = async (inst: string, user = 'reg-city') => (await app.inject({ url: `/api/v1/institutions/${inst}/credit`, headers: as(user) })).json();

const INSPECTORS = [
  { id: 'insp-01', name: '张明 Zhang Ming', conflicts: [H1] },
  { id: 'insp-02', name: '李华 Li Hua', conflicts: [] },
  { id: 'insp-03', name: '王芳 Wang Fang', conflicts: [H2] },
  { id: 'insp-04', name: '赵强 Zhao Qiang', conflicts: [] },
  { id: 'insp-05', name: '陈静 Chen Jing', conflicts: [H1, H2] },
  { id: 'insp-06', name: '刘洋 Liu Yang', conflicts: [] },
];
async function addInspectors(user = 'reg-city') {
  for (const i of INSPECTORS) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/supervision/inspectors', headers: as(user), payload: i });
    expect(r.statusCode, r.body).toBe(201);
  }
}

describe('the points table', () => {
  it('lists a violation type for every alert rule and the inspection-only ones, to any logged-in role', async () => {
    const r = await app.inject({ url: '/api/v1/supervision/violations', headers: as('citizen') });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as Array<{ code: string; points: number; name: { en: string; zh: string } }>;
    expect(items.find((v) => v.code === 'storage-overdue')).toEqual({ code: 'storage-overdue', points: 2, name: { en: 'Waste stored beyond the time limit', zh: '医疗废物暂存超时' } });
    expect(items.map((v) => v.code)).toEqual(expect.arrayContaining(['mass-balance', 'illegal-dumping', 'illegal-sale', 'records-falsified', 'inspection-finding']));
    expect((await app.inject({ url: '/api/v1/supervision/violations' })).statusCode).toBe(401);
  });
});

describe('confirming an alert as a violation', () => {
  it('gives the institution the points, with the alert bag and records as evidence, once', async () => {
    expect((await credit(H1)).points).toBe(0);
    const r = await confirm(ids.storage, 'storage-overdue');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().violation).toMatchObject({ institution: H1, violation: 'storage-overdue', points: 2, alertId: ids.storage, inspectionId: null, note: 'checked on site', confirmedBy: 'reg-city', confirmedAt: new Date(NOW).toISOString(), evidence: { bags: [BAG_B], records: [] } });
    const c = await credit(H1);
    expect(c.points).toBe(2);
    expect(c.violations.map((v: { alertId: number }) => v.alertId)).toEqual([ids.storage]);
    const again = await confirm(ids.storage, 'storage-overdue');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_CONFIRMED');
    expect((await credit(H1)).points).toBe(2);
    const seen = await app.inject({ url: `/api/v1/alerts/${ids.storage}/violation`, headers: as('admin-h1') });
    expect(seen.json().violation.points).toBe(2);
    expect((await app.inject({ url: `/api/v1/alerts/${ids.transit}/violation`, headers: as('admin-h2') })).json()).toEqual({ violation: null });
    expect((await app.inject({ url: `/api/v1/alerts/${ids.transit}/violation`, headers: as('admin-h1') })).statusCode).toBe(403);
  });

  it('keeps the alert evidence records', async () => {
    const a = await w.store.insertAlert(alertRow({ rule: 'integrity', dedupeKey: 'integrity:x', subject: 'device:x', institution: H1, jurisdiction: G01, evidence: [{ device: 'hz-h001-kiosk-01', seq: 3, hash: 'ab'.repeat(32) }, { device: 'hz-h001-kiosk-01', seq: 4 }] }));
    const r = await confirm(a!.id, 'records-falsified');
    expect(r.json().violation.evidence).toEqual({ bags: [], records: [{ device: 'hz-h001-kiosk-01', seq: 3, hash: 'ab'.repeat(32) }, { device: 'hz-h001-kiosk-01', seq: 4 }] });
  });

  it('refuses with the named errors', async () => {
    const code = async (r: Awaited<ReturnType<typeof confirm>>) => [r.statusCode, r.json().error?.code];
    expect(await code(await confirm(9999, 'storage-overdue'))).toEqual([404, 'ALERT_NOT_FOUND']);
    expect(await code(await confirm(ids.storage, 'jaywalking'))).toEqual([400, 'UNKNOWN_VIOLATION']);
    expect(await code(await confirm(ids.storage, 'storage-overdue', '   '))).toEqual([400, 'NOTE_REQUIRED']);
    expect(await code(await confirm(ids.storage, 'storage-overdue', 'x', 'admin-h1'))).toEqual([403, 'FORBIDDEN']);
    expect(await code(await confirm(ids.storage, 'storage-overdue', 'x', 'reg-yuhang'))).toEqual([403, 'FORBIDDEN']);
    const orphan = await w.store.insertAlert(alertRow({ rule: 'integrity', dedupeKey: 'integrity:orphan', subject: 'device:unknown', jurisdiction: G01 }));
    expect(await code(await confirm(orphan!.id, 'integrity'))).toEqual([409, 'NOT_ABOUT_AN_INSTITUTION']);
  });
});

describe('credit and risk classes', () => {
  it('follow confirmed violations, and the window lets them go', async () => {
    // One alert (storage overdue) in 90 days over 2 bags sealed: the rate's denominator is at least 100 bags.
    const before = await credit(H1);
    expect(before).toMatchObject({ institution: H1, windowDays: 365, points: 0, alertRate: { alerts: 1, bagsSealed: 2, per1000Bags: 10 }, score: 5, riskClass: 'B', inspectionsPerYear: 2, drawWeight: 2 });
    expect(before.formula.en).toContain('points of violations confirmed in the last 365 days');
    expect(before.formula.zh).toContain('近365天');
    await confirm(ids.storage, 'storage-overdue');
    expect(await credit(H1)).toMatchObject({ points: 2, score: 7, riskClass: 'B' });
    await confirm(ids.transit, 'illegal-dumping', 'bag found by the river');
    expect(await credit(H2)).toMatchObject({ points: 12, riskClass: 'D', inspectionsPerYear: 12, drawWeight: 8 });
    const classes = (await app.inject({ url: '/api/v1/supervision/classes', headers: as('reg-city') })).json();
    expect(classes.items.map((i: { institution: string; riskClass: string }) => [i.institution, i.riskClass])).toEqual([
      [H1, 'B'],
      [H2, 'D'],
    ]);
    // A year and a day later: no points, no alerts in the window.
    w.clock.now = NOW + 366 * DAY;
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'reg-city', password: PASSWORD } });
    const later = await app.inject({ url: `/api/v1/institutions/${H2}/credit`, headers: { authorization: `Bearer ${login.json().token}` } });
    expect(later.json()).toMatchObject({ points: 0, score: 0, riskClass: 'A', violations: [] });
  });

  it('an institution admin sees its own credit only; the public none', async () => {
    expect((await app.inject({ url: `/api/v1/institutions/${H1}/credit`, headers: as('admin-h1') })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/institutions/${H2}/credit`, headers: as('admin-h1') })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/institutions/${H1}/credit`, headers: as('citizen') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/institutions/nope/credit', headers: as('reg-city') })).json().error.code).toBe('INSTITUTION_NOT_FOUND');
    expect((await app.inject({ url: '/api/v1/supervision/classes', headers: as('admin-h1') })).statusCode).toBe(403);
  });
});

describe('inspectors and the draw', () => {
  it('announces with a frozen frame, runs once, reproducibly, and publishes without names', async () => {
    await addInspectors();
    const pool = (await app.inject({ url: '/api/v1/supervision/inspectors', headers: as('reg-city') })).json().items;
    expect(pool).toHaveLength(6);
    expect(pool[0]).toEqual({ id: 'insp-01', name: '张明 Zhang Ming', jurisdiction: '330100', conflicts: [H1] });
    const announced = await app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: as('reg-city'), payload: { period: '2026-Q2', ratio: 0.5, seed: 'lottery 2026-03-31 #123' } });
    expect(announced.statusCode, announced.body).toBe(201);
    const draw = announced.json().draw;
    expect(draw).toMatchObject({ status: 'announced', jurisdiction: '330100', period: '2026-Q2', ratio: 0.5, seed: 'lottery 2026-03-31 #123', result: null, resultHash: null, drawnAt: null });
    expect(draw.frame.institutions).toEqual([
      { id: H1, riskClass: 'B', weight: 2 },
      { id: H2, riskClass: 'B', weight: 2 },
    ]);
    expect(draw.frame.inspectors[0]).toEqual({ id: 'insp-01', conflicts: [H1] });
    expect(draw.frameHash).toBe(frameHash(draw.frame as DrawFrame));

    const run = await app.inject({ method: 'POST', url: `/api/v1/supervision/draws/${draw.id}/run`, headers: as('reg-city') });
    expect(run.statusCode, run.body).toBe(200);
    const drawn = run.json().draw;
    expect(drawn.status).toBe('drawn');
    expect(drawn.result).toEqual(runDraw(draw.frame, draw.seed));
    expect(drawn.result.picks).toHaveLength(1);
    const pick = drawn.result.picks[0];
    expect(pick.inspectors).toHaveLength(2);
    for (const id of pick.inspectors) expect(INSPECTORS.find((i) => i.id === id)!.conflicts).not.toContain(pick.institution);
    const again = await app.inject({ method: 'POST', url: `/api/v1/supervision/draws/${draw.id}/run`, headers: as('reg-city') });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'DRAW_ALREADY_RUN']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/supervision/draws/999/run', headers: as('reg-city') })).json().error.code).toBe('DRAW_NOT_FOUND');
    expect((await app.inject({ url: `/api/v1/supervision/draws/${draw.id}`, headers: as('reg-yuhang') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/supervision/draws', headers: as('reg-city') })).json().items.map((d: { id: number }) => d.id)).toEqual([draw.id]);

    const published = await app.inject({ url: '/api/v1/public/draws' });
    expect(published.statusCode).toBe(200);
    expect(published.json().items[0].result).toEqual(drawn.result);
    expect(published.body).not.toMatch(/Zhang|张明|reg-city/);
  });

  it('a seed changes the draw; the draw leans toward higher risk', async () => {
    await addInspectors();
    await confirm(ids.transit, 'illegal-dumping');
    const frame = (await app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: as('reg-city'), payload: { period: '2026', ratio: 0.5, seed: 's' } })).json().draw.frame as DrawFrame;
    expect(frame.institutions).toEqual([
      { id: H1, riskClass: 'B', weight: 2 },
      { id: H2, riskClass: 'D', weight: 8 },
    ]);
    let h2 = 0;
    for (let i = 0; i < 400; i++) if (runDraw(frame, `seed-${i}`).picks[0]!.institution === H2) h2++;
    // Expected 8 / 10 of the draws.
    expect(h2).toBeGreaterThan(280);
    expect(h2).toBeLessThan(360);
  });

  it('refuses a draw that some institution could not be inspected in, and bad input', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: as('reg-city'), payload: { period: '2026-Q2', ratio: 0.5, seed: 'x' } });
    expect([r.statusCode, r.json().error.code]).toEqual([409, 'NOT_ENOUGH_INSPECTORS']);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: as('reg-city'), payload: { period: '2026-Q2', ratio: 0.12345, seed: 'x' } });
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.ratio' });
    const conflict = await app.inject({ method: 'POST', url: '/api/v1/supervision/inspectors', headers: as('reg-city'), payload: { id: 'i9', name: 'n', conflicts: ['nowhere'] } });
    expect(conflict.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.conflicts' });
    expect((await app.inject({ url: '/api/v1/supervision/draws', headers: as('admin-h1') })).statusCode).toBe(403);
  });
});

describe('inspections', () => {
  const inspect = (payload: object, user = 'reg-city') => app.inject({ method: 'POST', url: '/api/v1/supervision/inspections', headers: as(user), payload });

  it('records results; findings feed the points and the class', async () => {
    await addInspectors();
    const pass = await inspect({ institution: H1, inspectors: ['insp-02', 'insp-04'], date: '2026-03-04', outcome: 'pass', findings: [] });
    expect(pass.statusCode, pass.body).toBe(201);
    expect((await credit(H1)).points).toBe(0);
    const found = await inspect({ institution: H1, inspectors: ['insp-02'], date: '2026-03-05', outcome: 'violations', findings: [{ violation: 'inspection-finding', note: 'no temperature log' }, { violation: 'records-falsified', note: 'register rewritten' }] });
    expect(found.statusCode, found.body).toBe(201);
    expect(found.json().inspection).toMatchObject({ institution: H1, drawId: null, outcome: 'violations', findings: [{ violation: 'inspection-finding', points: 3, note: 'no temperature log' }, { violation: 'records-falsified', points: 12, note: 'register rewritten' }], recordedBy: 'reg-city' });
    const c = await credit(H1);
    expect(c).toMatchObject({ points: 15, riskClass: 'D' });
    expect(c.inspections.map((i: { date: string }) => i.date)).toEqual(['2026-03-05', '2026-03-04']);
    const classes = (await app.inject({ url: '/api/v1/supervision/classes', headers: as('reg-city') })).json();
    expect(classes.items[0]).toMatchObject({ institution: H1, riskClass: 'D', lastInspection: '2026-03-05' });
    const own = (await app.inject({ url: '/api/v1/supervision/inspections', headers: as('admin-h1') })).json().items;
    expect(own).toHaveLength(2);
    expect((await app.inject({ url: `/api/v1/supervision/inspections?institution=${H1}`, headers: as('admin-h2') })).json().items).toEqual([]);
  });

  it('lists them a page at a time, with the total and the filters', async () => {
    await addInspectors();
    for (const date of ['2026-03-01', '2026-03-02', '2026-03-03']) expect((await inspect({ institution: H1, inspectors: ['insp-02'], date, outcome: 'pass' })).statusCode).toBe(201);
    expect((await inspect({ institution: H1, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'violations', findings: [{ violation: 'inspection-finding', note: 'x' }] })).statusCode).toBe(201);
    const list = async (query: string, user = 'reg-city') => (await app.inject({ url: `/api/v1/supervision/inspections${query}`, headers: as(user) })).json();
    const first = await list('?limit=2');
    expect([first.total, first.limit, first.offset, first.items.map((i: { date: string }) => i.date)]).toEqual([4, 2, 0, ['2026-03-04', '2026-03-03']]);
    const second = await list('?limit=2&offset=2');
    expect([second.total, second.items.map((i: { date: string }) => i.date)]).toEqual([4, ['2026-03-02', '2026-03-01']]);
    const passes = await list(`?outcome=pass&institution=${H1}`);
    expect([passes.total, passes.limit, passes.items.length]).toEqual([3, 100, 3]);
    expect((await list('?outcome=violations')).total).toBe(1);
    // An institution outside the caller's scope counts nothing.
    expect(await list(`?institution=${H1}`, 'admin-h2')).toEqual({ items: [], total: 0, limit: 100, offset: 0 });
    for (const bad of ['?limit=0', '?limit=501', '?offset=-1', '?outcome=maybe', '?limit=2x']) {
      const r = await app.inject({ url: `/api/v1/supervision/inspections${bad}`, headers: as('reg-city') });
      expect([bad, r.statusCode, r.json().error.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });

  it('refuses results that do not hold together', async () => {
    await addInspectors();
    const code = async (payload: object) => (await inspect(payload)).json().error.code;
    expect(await code({ institution: H1, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'pass', findings: [{ violation: 'inspection-finding', note: 'x' }] })).toBe('INVALID_INSPECTION');
    expect(await code({ institution: H1, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'violations', findings: [] })).toBe('INVALID_INSPECTION');
    expect(await code({ institution: H1, inspectors: ['insp-01'], date: '2026-03-04', outcome: 'pass' })).toBe('INVALID_INSPECTION');
    expect(await code({ institution: H1, inspectors: ['nobody'], date: '2026-03-04', outcome: 'pass' })).toBe('INVALID_INSPECTION');
    expect(await code({ institution: H1, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'violations', findings: [{ violation: 'nope', note: '' }] })).toBe('UNKNOWN_VIOLATION');
    expect(await code({ institution: H1, drawId: 77, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'pass' })).toBe('INVALID_INSPECTION');
    expect((await inspect({ institution: H1, inspectors: ['insp-02'], date: '2026-03-04', outcome: 'pass' }, 'reg-yuhang')).statusCode).toBe(403);
  });
});

describe('public disclosure', () => {
  const PERSONAL = /badge|staff|username|inspector|crew|operator|keeper|confirmedBy|recordedBy|announcedBy/i;

  it('per hospital per month: kg sealed, kg disposed, share handed over within 48 h, violations, class', async () => {
    await confirm(ids.storage, 'storage-overdue');
    const r = await app.inject({ url: '/api/v1/public/disclosure?month=2026-03' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.month).toBe('2026-03');
    expect(body.institutions).toEqual([
      { institution: H1, name: '市第一人民医院 City Hospital No. 1', kind: 'hospital', jurisdiction: G01, bagsSealed: 2, kgSealed: 2.08, bagsDisposed: 1, kgDisposed: 1.246, handedOverWithin48hShare: 0.5, confirmedViolations: 1, riskClass: 'B' },
      { institution: H2, name: '西湖区中医院 Xihu TCM Hospital', kind: 'hospital', jurisdiction: '330106-g02', bagsSealed: 2, kgSealed: 2.9, bagsDisposed: 0, kgDisposed: 0, handedOverWithin48hShare: 1, confirmedViolations: 0, riskClass: 'B' },
    ]);
    // The default month is the current local month.
    expect((await app.inject({ url: '/api/v1/public/disclosure' })).json().month).toBe('2026-03');
    const feb = (await app.inject({ url: '/api/v1/public/disclosure?month=2026-02' })).json();
    expect(feb.institutions[0]).toMatchObject({ bagsSealed: 0, kgSealed: 0, handedOverWithin48hShare: null, confirmedViolations: 0 });
    expect((await app.inject({ url: '/api/v1/public/disclosure?month=2026-13' })).json().error.code).toBe('VALIDATION_FAILED');
  });

  it('holds no personal data, in JSON or CSV', async () => {
    await addInspectors();
    await confirm(ids.storage, 'storage-overdue');
    const json = await app.inject({ url: '/api/v1/public/disclosure?month=2026-03' });
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (keys.add(k), walk(x));
    };
    walk(json.json());
    for (const k of keys) expect(k).not.toMatch(PERSONAL);
    for (const text of ['badge-0101', 'crew-5501', 'op-7001', 'reg-city', 'Zhang', 'insp-01']) expect(json.body).not.toContain(text);

    const csv = await app.inject({ url: '/api/v1/public/disclosure.csv?month=2026-03' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('month,institution,name,kind,jurisdiction,bags_sealed,kg_sealed,bags_disposed,kg_disposed,handed_over_within_48h_share,confirmed_violations,risk_class');
    expect(lines[1]).toBe('2026-03,hz-h001,市第一人民医院 City Hospital No. 1,hospital,330106-g01,2,2.08,1,1.246,0.5,1,B');
    expect(lines[0]).not.toMatch(PERSONAL);
    for (const text of ['badge-0101', 'crew-5501', 'op-7001', 'reg-city', 'Zhang', 'insp-01']) expect(csv.body).not.toContain(text);
  });
});
