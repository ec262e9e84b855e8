import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import type { AlertActions } from '../../src/alerting/index.ts';
import { alertRow, BAG_B, bearer, closeApp, G01, H1, openSeededApp, T2, type SeededAlerts, type TestWorld } from './support.ts';

let w: TestWorld, app: ApiInstance, ids: SeededAlerts;

beforeEach(async () => {
  ({ w, app, ids } = await openSeededApp());
});
afterEach(() => closeApp(w, app));

const as = (user: string) => bearer(w, user);

describe('listing alerts', () => {
  it('filters by status, severity, rule, bag, institution and device', async () => {
    const rules = async (q: string) => ((await app.inject({ url: `/api/v1/alerts${q}`, headers: as('reg-city') })).json().alerts as { rule: string }[]).map((a) => a.rule);
    expect(await rules('')).toEqual(['storage-overdue', 'missing-in-transit', 'device-silent']);
    expect(await rules('?severity=critical')).toEqual(['storage-overdue', 'missing-in-transit']);
    expect(await rules('?rule=device-silent')).toEqual(['device-silent']);
    expect(await rules(`?bag=${encodeURIComponent(BAG_B)}`)).toEqual(['storage-overdue']);
    expect(await rules('?institution=hz-h002')).toEqual(['missing-in-transit']);
    expect(await rules('?device=hz-d001-line-01')).toEqual(['device-silent']);
    expect(await rules('?status=resolved')).toEqual([]);
    expect(await rules('?limit=1&offset=1')).toEqual(['missing-in-transit']);
  });

  it('counts every page in total, and sorts oldest first, newest first or worst first', async () => {
    // Two more at H1: a warning whose condition eased to info, and a resolved critical one.
    const eased = (await w.store.insertAlert(alertRow({ rule: 'storage-climate', dedupeKey: 'c:1', subject: 'room:1', severity: 'warning', currentSeverity: 'info', institution: H1, jurisdiction: G01 })))!;
    const old = (await w.store.insertAlert(alertRow({ rule: 'storage-overdue', dedupeKey: 'c:2', subject: 'bag:x', severity: 'critical', currentSeverity: 'critical', institution: H1, jurisdiction: G01, status: 'resolved' })))!;
    const list = async (q: string, user = 'reg-city') => (await app.inject({ url: `/api/v1/alerts${q}`, headers: as(user) })).json() as { alerts: { id: number }[]; total: number; limit: number; offset: number };
    const idsOf = async (q: string, user?: string) => (await list(q, user)).alerts.map((a) => a.id);
    expect(await idsOf('')).toEqual([ids.storage, ids.transit, ids.silent, eased.id, old.id]);
    expect(await idsOf('?sort=oldest')).toEqual([ids.storage, ids.transit, ids.silent, eased.id, old.id]);
    expect(await idsOf('?sort=newest')).toEqual([old.id, eased.id, ids.silent, ids.transit, ids.storage]);
    // Worst by the severity the alert has now (eased reads info), oldest first within a level.
    expect(await idsOf('?sort=worst')).toEqual([ids.storage, ids.transit, old.id, ids.silent, eased.id]);
    // A page says how many there are in all, whatever its size.
    expect(await list('?sort=worst&limit=2&offset=2')).toMatchObject({ alerts: [{ id: old.id }, { id: ids.silent }], total: 5, limit: 2, offset: 2 });
    expect(await list('?status=open&status=acknowledged&limit=1')).toMatchObject({ total: 4 });
    expect(await list('?severity=critical&status=open')).toMatchObject({ total: 2 });
    expect(await list('?offset=100')).toMatchObject({ alerts: [], total: 5 });
    // Totals stay within the scope: H1's admin counts H1's alerts only; the G01 regulator its grid's.
    expect(await list('', 'admin-h1')).toMatchObject({ total: 3 });
    expect(await list('', 'reg-g01')).toMatchObject({ total: 3 });
    expect(await list('?institution=hz-h002', 'admin-h1')).toMatchObject({ alerts: [], total: 0 });
    // A transport company: its own alerts plus the unresolved ones about bags on its vehicles, counted and sorted together.
    const own = (await w.store.insertAlert(alertRow({ rule: 'vehicle-silent', dedupeKey: 'v:1', subject: 'vehicle:1', severity: 'info', currentSeverity: 'info', institution: T2, jurisdiction: G01 })))!;
    expect(await list('?sort=newest', 'crew-t2')).toMatchObject({ alerts: [{ id: own.id }, { id: ids.transit }], total: 2 });
    expect(await list('?sort=worst&limit=1', 'crew-t2')).toMatchObject({ alerts: [{ id: ids.transit }], total: 2 });
    expect(await list('?status=resolved', 'centre-d1')).toMatchObject({ alerts: [], total: 0 });
    expect(await list('', 'centre-d1')).toMatchObject({ alerts: [{ id: ids.silent }], total: 1 });
  });

  it('refuses an unknown sort', async () => {
    const r = await app.inject({ url: '/api/v1/alerts?sort=loudest', headers: as('reg-city') });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.sort' });
  });

  it('renders the message in the language asked for (lang, else Accept-Language)', async () => {
    const zh = (await app.inject({ url: `/api/v1/alerts/${ids.storage}?lang=zh-CN`, headers: as('admin-h1') })).json();
    expect(zh.message).toBe(`医疗废物袋 ${BAG_B} 已在 hz-h001 暂存间 STORE-1 存放 68 小时（上限 48 小时）。`);
    const accept = (await app.inject({ url: `/api/v1/alerts/${ids.storage}`, headers: { ...as('admin-h1'), 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } })).json();
    expect(accept.message).toBe(zh.message);
    const en = (await app.inject({ url: `/api/v1/alerts/${ids.storage}`, headers: as('admin-h1') })).json();
    expect(en.message).toBe(`Bag ${BAG_B} has been in storage room STORE-1 at hz-h001 for 68 h (limit 48 h).`);
  });

  it('an unknown alert is ALERT_NOT_FOUND', async () => {
    const r = await app.inject({ url: '/api/v1/alerts/999', headers: as('reg-city') });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('ALERT_NOT_FOUND');
  });
});

describe('acknowledge and resolve', () => {
  it('acknowledge: who and the note are kept; twice is ALREADY_ACKNOWLEDGED', async () => {
    w.clock.now += 60_000;
    const r = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/acknowledge`, headers: as('admin-h1'), payload: { note: '  porter called  ' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'admin-h1', acknowledgedAt: '2026-03-05T00:01:00.000Z', acknowledgeNote: 'porter called' });
    const again = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/acknowledge`, headers: as('reg-g01'), payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_ACKNOWLEDGED');
    // No body at all is an acknowledgement without a note.
    const bare = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.transit}/acknowledge`, headers: as('admin-h2') });
    expect(bare.json()).toMatchObject({ status: 'acknowledged', acknowledgeNote: null });
  });

  it('resolve needs a note; resolving twice is ALREADY_RESOLVED', async () => {
    const url = `/api/v1/alerts/${ids.storage}/resolve`;
    const blank = await app.inject({ method: 'POST', url, headers: as('admin-h1'), payload: { note: '   ' } });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error).toMatchObject({ code: 'NOTE_REQUIRED', field: 'body.note' });
    const none = await app.inject({ method: 'POST', url, headers: as('admin-h1'), payload: {} });
    expect(none.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.note' });
    const done = await app.inject({ method: 'POST', url, headers: as('admin-h1'), payload: { note: 'picked up by the night crew' } });
    expect(done.statusCode).toBe(200);
    // Resolving an open alert acknowledges it at the same moment.
    expect(done.json()).toMatchObject({ status: 'resolved', resolvedBy: 'admin-h1', note: 'picked up by the night crew', acknowledgedBy: 'admin-h1' });
    const twice = await app.inject({ method: 'POST', url, headers: as('admin-h1'), payload: { note: 'again' } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('ALREADY_RESOLVED');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/alerts/999/resolve', headers: as('reg-city'), payload: { note: 'x' } });
    expect(missing.json().error.code).toBe('ALERT_NOT_FOUND');
  });

  it("uses the running alerting service's actions when the composition root passes them", async () => {
    const calls: string[] = [];
    const stored = (await w.store.alert(ids.silent))!;
    const alerts: AlertActions = {
      acknowledge: async (id, by, note) => {
        calls.push(`ack ${id} ${by} ${note}`);
        return { ok: true, alert: { ...stored, status: 'acknowledged', acknowledgedBy: by } };
      },
      resolve: async (id, by) => {
        calls.push(`resolve ${id} ${by}`);
        return { ok: false, error: { code: 'NOTE_REQUIRED', message: 'say what was done' } };
      },
      explain: async (id, by, note) => {
        calls.push(`explain ${id} ${by} ${note}`);
        return { ok: true, alert: stored };
      },
    };
    const withService = await buildApp({ ...w.deps, alerts });
    const ack = await withService.inject({ method: 'POST', url: `/api/v1/alerts/${ids.silent}/acknowledge`, headers: as('centre-d1'), payload: { note: 'n' } });
    expect(ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'centre-d1' });
    const res = await withService.inject({ method: 'POST', url: `/api/v1/alerts/${ids.silent}/resolve`, headers: as('centre-d1'), payload: { note: 'x' } });
    expect(res.json().error).toEqual({ code: 'NOTE_REQUIRED', message: 'say what was done', field: 'body.note' });
    const explained = await withService.inject({ method: 'POST', url: `/api/v1/alerts/${ids.silent}/explain`, headers: as('centre-d1'), payload: { note: 'power cut' } });
    expect(explained.statusCode).toBe(200);
    expect(calls).toEqual([`ack ${ids.silent} centre-d1 n`, `resolve ${ids.silent} centre-d1`, `explain ${ids.silent} centre-d1 power cut`]);
    await withService.close();
  });
});
