import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import type { AlertActions } from '../../src/alerting/index.ts';
import { BAG_B, bearer, closeApp, openSeededApp, type SeededAlerts, type TestWorld } from './support.ts';

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
