/**
 * The server's log as an operator reads it: a failed request is findable by the id its client saw, with
 * the error's stack; a login's password and the session cookie are never written, even at debug.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { buildApp, REQUEST_ID_HEADER } from '../../src/api/app.ts';
import { SESSION_COOKIE } from '../../src/auth/index.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { bearer, openTestWorld, PASSWORD, type TestWorld } from '../api/support.ts';

let w: TestWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

describe('the HTTP log', () => {
  it('logs a 500 at error with the request id the client got, the error and its stack', async () => {
    w = await openTestWorld();
    const log = createCapturingLogger('info');
    // The store fails under the route, as a lost database connection would.
    const failing: CustodyStore = Object.create(w.store, { institutions: { value: async () => Promise.reject(new TypeError('connection to the database lost')) } });
    const app = await buildApp({ ...w.deps, store: failing, logger: log.child({ component: 'http' }) });
    try {
      const r = await app.inject({ url: '/api/v1/institutions', headers: bearer(w, 'reg-city') });
      expect(r.statusCode).toBe(500);
      const id = r.headers[REQUEST_ID_HEADER];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const body = r.json() as { error: { code: string; message: string; requestId: string } };
      expect(body.error).toMatchObject({ code: 'INTERNAL', requestId: id });
      expect(body.error.message).toContain(String(id));
      // Nothing of the failure reaches the client.
      expect(r.body).not.toContain('database');

      const failure = log.lines.find((l) => l.level === 50 && l.reqId === id);
      expect(failure).toMatchObject({ component: 'http', msg: 'request failed', method: 'GET', url: '/api/v1/institutions', err: { type: 'TypeError', message: 'connection to the database lost' } });
      expect((failure!.err as { stack: string }).stack).toMatch(/^TypeError: connection to the database lost\n\s+at /);
      // Fastify's own request lines carry the same id.
      expect(log.lines.filter((l) => l.reqId === id).map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    } finally {
      await app.close();
    }
  });

  it('every response names its request, and two requests never share an id', async () => {
    w = await openTestWorld();
    const app = await buildApp(w.deps);
    try {
      const [a, b] = await Promise.all([app.inject('/healthz'), app.inject('/nowhere')]);
      expect(a.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers[REQUEST_ID_HEADER]).not.toBe(b.headers[REQUEST_ID_HEADER]);
    } finally {
      await app.close();
    }
  });

  it("never writes a login's password or the session cookie, even at debug", async () => {
    w = await openTestWorld();
    const log = createCapturingLogger('trace');
    const app = await buildApp({ ...w.deps, logger: log });
    try {
      const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'reg-city', password: PASSWORD } });
      expect(login.statusCode).toBe(200);
      const cookie = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(String(login.headers['set-cookie']))?.[1];
      expect(cookie).toBeTruthy();
      const wrong = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'reg-city', password: 'a wrong password' } });
      expect(wrong.statusCode).toBe(401);
      const me = await app.inject({ url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${cookie}`, authorization: `Bearer ${w.tokens['reg-xihu']}` } });
      expect(me.statusCode).toBe(200);

      const text = JSON.stringify(log.lines);
      expect(log.lines.length).toBeGreaterThanOrEqual(6);
      for (const secret of [PASSWORD, 'a wrong password', cookie!, w.tokens['reg-xihu']!]) expect(text).not.toContain(secret);
    } finally {
      await app.close();
    }
  });
});
