import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry } from '@wastetrail/runtime';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { API_ERRORS } from '../../src/api/errors.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { bearer, openTestWorld, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;

beforeEach(async () => {
  // The process's registry, with something another component counted on it.
  const registry = createMetricsRegistry();
  new Counter({ name: 'wastetrail_ingest_records_accepted_total', help: 'records stored', registers: [registry] }).inc(42);
  w = await openTestWorld({ deps: { metrics: registry } });
  app = await buildApp({ ...w.deps, serveMetrics: true });
});
afterEach(async () => {
  await app.close();
  await w.cleanup();
});

describe('operations', () => {
  it('GET /healthz answers without a session and checks the store', async () => {
    const ok = await app.inject('/healthz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      status: 'ok',
      store: 'ok',
      time: '2026-03-05T00:00:00.000Z',
      load: { overloaded: false, eventLoopDelayMs: expect.any(Number), heapUsedBytes: expect.any(Number), rssBytes: expect.any(Number) },
    });

    const broken: CustodyStore = Object.create(w.store, { institution: { value: async () => Promise.reject(new Error('disk gone')) } });
    const down = await buildApp({ ...w.deps, store: broken });
    const r = await down.inject('/healthz');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'unavailable', store: 'unavailable' });
    await down.close();
  });

  it("GET /metrics: the API's counters on the process's registry, beside what others counted there", async () => {
    await app.inject('/healthz');
    await app.inject({ url: '/api/v1/me', ...{ headers: bearer(w, 'reg-city') } });
    const r = await app.inject('/metrics');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body).toContain('wastetrail_api_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(r.body).toContain('wastetrail_api_requests_total{method="GET",route="/api/v1/me",status="200"} 1');
    expect(r.body).toContain('wastetrail_api_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1');
    expect(r.body).toContain('wastetrail_ingest_records_accepted_total 42\n');
    expect(r.body).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('GET /metrics is not served on the app unless asked for (serveMetrics): a 404 like any unknown path', async () => {
    const closedApp = await buildApp(w.deps);
    const r = await closedApp.inject('/metrics');
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('NOT_FOUND');
    expect(r.body).not.toContain('wastetrail_');
    await closedApp.close();
  });

  it('serves the OpenAPI document and Swagger UI from the package itself (no CDN)', async () => {
    const spec = (await app.inject('/docs/json')).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/api/v1/bags/{id}/bundle');
    // Every operation declares its success response schema and the uniform error body.
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        expect(codes.some((c) => c.startsWith('2')), `${method} ${path}`).toBe(true);
        expect(codes, `${method} ${path}`).toContain('500');
      }
    }
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\/(?:cdn|unpkg|cdnjs)/);
    const asset = await app.inject('/docs/static/swagger-ui-bundle.js');
    expect(asset.statusCode).toBe(200);
  });
});

describe('security headers', () => {
  it('every response carries them: API answers, errors, the documentation', async () => {
    const responses = [
      await app.inject('/healthz'),
      await app.inject({ url: '/api/v1/me', headers: bearer(w, 'reg-city') }),
      await app.inject('/api/v1/bags'),
      await app.inject('/api/v1/nope'),
      await app.inject('/docs/'),
      await app.inject('/docs/static/swagger-ui-bundle.js'),
    ];
    const csp = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';font-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";
    for (const r of responses) {
      const at = `${r.statusCode} ${r.raw.req.url}`;
      // Swagger UI sets an inline style: its pages alone may.
      const docs = r.raw.req.url?.startsWith('/docs/');
      expect(r.headers['content-security-policy'], at).toBe(docs ? csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") : csp);
      expect(r.headers['x-frame-options'], at).toBe('DENY');
      expect(r.headers['x-content-type-options'], at).toBe('nosniff');
      expect(r.headers['referrer-policy'], at).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy'], at).toBe('same-origin');
      // HSTS is for whoever terminates TLS in front of the server.
      expect(r.headers['strict-transport-security'], at).toBeUndefined();
    }
  });
});

describe('errors', () => {
  it('every error has the uniform body with a stable code', async () => {
    const missing = await app.inject('/api/v1/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/v1/nope' } });
    const anon = await app.inject('/api/v1/bags');
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('a body over 64 KiB is PAYLOAD_TOO_LARGE; a failing store is INTERNAL, without its message', async () => {
    const big = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'a', password: 'x'.repeat(70_000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const broken: CustodyStore = Object.create(w.store, { institutions: { value: async () => Promise.reject(new Error('SQLITE_CORRUPT: secret path /var/lib/x')) } });
    const failing = await buildApp({ ...w.deps, store: broken });
    const r = await failing.inject({ url: '/api/v1/institutions', headers: bearer(w, 'reg-city') });
    expect(r.statusCode).toBe(500);
    const id = r.headers['x-request-id'];
    expect(r.json()).toEqual({ error: { code: 'INTERNAL', message: `the server failed; the log has the details under request id ${id}`, requestId: id } });
    await failing.close();
  });

  it('validation errors name the field', async () => {
    const h = bearer(w, 'reg-city');
    const cases: Array<[string, string]> = [
      ['/api/v1/bags?limit=0', 'query.limit'],
      ['/api/v1/bags?state=lost', 'query.state.0'],
      ['/api/v1/bags?colour=red', 'query.colour'],
      ['/api/v1/bags?from=yesterday', 'query.from'],
      ['/api/v1/bags?from=2026-02-30', 'query.from'],
      ['/api/v1/bags?timeZone=Mars/Olympus', 'query.timeZone'],
      ['/api/v1/bags/not-a-tag', 'params.id'],
      ['/api/v1/alerts/abc', 'params.id'],
      ['/api/v1/institutions/hz-h001?from=2026-03-05&to=2026-03-01', 'query.from'],
    ];
    for (const [url, field] of cases) {
      const r = await app.inject({ url, headers: h });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error, url).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
  });

  it('an anonymous caller gets UNAUTHENTICATED before any validation, a wrong role FORBIDDEN', async () => {
    expect((await app.inject('/api/v1/bags?limit=0')).json().error.code).toBe('UNAUTHENTICATED');
    expect((await app.inject({ url: '/api/v1/bags?limit=0', headers: bearer(w, 'citizen') })).json().error.code).toBe('FORBIDDEN');
  });

  it('every code of the catalogue has an error status, a meaning, and its row in docs/server/api.md', () => {
    const doc = readFileSync(new URL('../../../docs/server/api.md', import.meta.url), 'utf8');
    for (const [code, e] of Object.entries(API_ERRORS)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.meaning.length).toBeGreaterThan(10);
      expect(doc, code).toContain(`| \`${code}\` | ${e.status} |`);
    }
  });
});

describe('the web UI hook', () => {
  it('registers after the API and sees who is signed in', async () => {
    const web = await buildApp({
      ...w.deps,
      webRoutes: async (instance) => {
        instance.get('/', async (req) => ({ hello: req.principal?.username ?? 'stranger' }));
      },
    });
    expect((await web.inject('/')).json()).toEqual({ hello: 'stranger' });
    expect((await web.inject({ url: '/', headers: bearer(w, 'admin-h1') })).json()).toEqual({ hello: 'admin-h1' });
    await web.close();
  });
});
