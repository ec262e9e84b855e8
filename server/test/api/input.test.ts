/**
 * Issue #18: input is refused, never coerced. Ids in paths are plain decimal integers, query numbers too;
 * bodies must hold the types they declare (a seed stays exactly what was sent); names are not blank; and
 * every refusal by the framework itself (414, 413, 415, bad JSON, a bad escape, 404) has the API's shape.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { bearer, closeApp, openSeededApp, type SeededAlerts, type TestWorld } from './support.ts';

let w: TestWorld, app: ApiInstance, ids: SeededAlerts;

beforeEach(async () => {
  ({ w, app, ids } = await openSeededApp());
});
afterEach(() => closeApp(w, app));

const as = (user: string) => bearer(w, user);
const refusal = (r: { statusCode: number; json(): { error: unknown } }) => [r.statusCode, r.json().error];

describe('numbers in paths and queries', () => {
  it('an alert id written any way but plain decimal is refused, and the alert stays open', async () => {
    const n = ids.storage;
    const spellings = [`0x${n.toString(16)}`, `0b${n.toString(2)}`, `${n / 10}e1`, `+${n}`, `0${n}`, `${n}.0`, ' 1', '9007199254740993', '0'];
    for (const id of spellings) {
      const r = await app.inject({ method: 'POST', url: `/api/v1/alerts/${encodeURIComponent(id)}/resolve`, headers: as('reg-city'), payload: { note: 'closed by a trick' } });
      expect(refusal(r), id).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'params.id' })]);
      expect((await app.inject({ url: `/api/v1/alerts/${encodeURIComponent(id)}`, headers: as('reg-city') })).statusCode, id).toBe(400);
    }
    const alert = await app.inject({ url: `/api/v1/alerts/${n}`, headers: as('reg-city') });
    expect(alert.json()).toMatchObject({ id: n, status: 'open' });
    expect((await app.inject({ url: '/api/v1/supervision/draws/0x1', headers: as('reg-city') })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'params.id' });
  });

  it('query numbers are plain decimal too; a parameter given once still makes a list', async () => {
    for (const limit of ['1e1', '0x10', '+5', '05', '5.0', '']) {
      const r = await app.inject({ url: `/api/v1/bags?limit=${encodeURIComponent(limit)}`, headers: as('reg-city') });
      expect(refusal(r), limit).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'query.limit' })]);
    }
    const ok = await app.inject({ url: '/api/v1/bags?limit=10&offset=0&state=stored', headers: as('reg-city') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ limit: 10, offset: 0 });
    expect(ok.json().bags.map((b: { state: string }) => b.state)).toEqual(['stored']);
    const twice = await app.inject({ url: '/api/v1/alerts?rule=storage-overdue&rule=device-silent', headers: as('reg-city') });
    expect(refusal(twice)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'query.rule' })]);
  });
});

describe('bodies are taken as sent', () => {
  const announce = (payload: string) =>
    app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: { ...as('reg-city'), 'content-type': 'application/json' }, payload });

  it('a draw with a boolean ratio, a listed seed or a numeric seed is refused; a seed is stored exactly as sent', async () => {
    for (let i = 1; i <= 6; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/supervision/inspectors', headers: as('reg-city'), payload: { id: `insp-0${i}`, name: `Inspector ${i}`, conflicts: [] } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const cases: Array<[string, string]> = [
      ['{"period":"2026-Q2","ratio":true,"seed":"x"}', 'body.ratio'],
      ['{"period":"2026-Q2","ratio":"0.5","seed":"x"}', 'body.ratio'],
      ['{"period":"2026-Q2","ratio":0.5,"seed":["x"]}', 'body.seed'],
      ['{"period":"2026-Q2","ratio":0.5,"seed":9007199254740993}', 'body.seed'],
      ['{"period":"2026-Q2","ratio":0.5,"seed":"x","inspectorsPerInstitution":"2"}', 'body.inspectorsPerInstitution'],
    ];
    for (const [payload, field] of cases) expect(refusal(await announce(payload)), payload).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field })]);
    expect((await app.inject({ url: '/api/v1/supervision/draws', headers: as('reg-city') })).json().items).toEqual([]);

    const exact = await announce('{"period":"2026-Q2","ratio":0.5,"seed":"9007199254740993"}');
    expect(exact.statusCode, exact.body).toBe(201);
    expect(exact.json().draw.seed).toBe('9007199254740993');
    expect((await app.inject({ url: '/api/v1/public/draws' })).json().items[0].seed).toBe('9007199254740993');
  });

  it('a blank inspector name is refused, not stored empty', async () => {
    for (const name of ['   ', '\t\n']) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/supervision/inspectors', headers: as('reg-city'), payload: { id: 'insp-09', name, conflicts: [] } });
      expect(refusal(r), JSON.stringify(name)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'body.name' })]);
    }
    expect((await app.inject({ url: '/api/v1/supervision/inspectors', headers: as('reg-city') })).json().items).toEqual([]);
  });

  it('notes and logins must be text', async () => {
    const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/acknowledge`, headers: as('reg-city'), payload: { note: 5 } });
    expect(refusal(ack)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'body.note' })]);
    const resolve = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/resolve`, headers: as('reg-city'), payload: { note: ['done'] } });
    expect(refusal(resolve)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'body.note' })]);
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: ['reg-city'], password: 'correct horse battery' } });
    expect(refusal(login)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'body.username' })]);
    expect((await app.inject({ url: `/api/v1/alerts/${ids.storage}`, headers: as('reg-city') })).json().status).toBe('open');
  });
});

describe("the framework's own refusals", () => {
  it('answer in the API shape with a stable code: 414, 413, 415, bad JSON, a bad escape, 404', async () => {
    const h = as('reg-city');
    const long = await app.inject({ url: `/api/v1/labels/${'A'.repeat(1100)}`, headers: h });
    expect(refusal(long)).toEqual([414, { code: 'URI_TOO_LONG', message: expect.any(String) }]);
    const big = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/resolve`, headers: h, payload: { note: 'x'.repeat(70_000) } });
    expect(refusal(big)).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) }]);
    for (const type of ['text/plain', 'application/xml']) {
      const other = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/resolve`, headers: { ...h, 'content-type': type }, payload: 'done' });
      expect(refusal(other), type).toEqual([415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) }]);
    }
    const broken = await app.inject({ method: 'POST', url: `/api/v1/alerts/${ids.storage}/resolve`, headers: { ...h, 'content-type': 'application/json' }, payload: '{"note": "done"' });
    expect(refusal(broken)).toEqual([400, { code: 'MALFORMED_REQUEST', message: expect.any(String) }]);
    const escape = await app.inject({ url: '/api/v1/labels/%E0%A4%A', headers: h });
    expect(refusal(escape)).toEqual([400, { code: 'MALFORMED_REQUEST', message: expect.any(String) }]);
    const nowhere = await app.inject({ url: '/nowhere', headers: h });
    expect(refusal(nowhere)).toEqual([404, { code: 'NOT_FOUND', message: 'no route GET /nowhere' }]);
  });

  it('a label of 101 characters reaches the label route; over 200 the schema refuses it', async () => {
    const h = as('reg-city');
    const r101 = await app.inject({ url: `/api/v1/labels/${'A'.repeat(101)}`, headers: h });
    expect(refusal(r101)).toEqual([404, expect.objectContaining({ code: 'BAG_NOT_FOUND' })]);
    const r201 = await app.inject({ url: `/api/v1/labels/${'A'.repeat(201)}`, headers: h });
    expect(refusal(r201)).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'params.label' })]);
    const tag = await app.inject({ url: `/api/v1/tags/qr:${'A'.repeat(200)}`, headers: h });
    expect(refusal(tag)).toEqual([404, expect.objectContaining({ code: 'BAG_NOT_FOUND' })]);
  });
});
