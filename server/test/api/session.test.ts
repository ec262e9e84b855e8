import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { LOGIN_ATTEMPTS, LOGIN_WINDOW_MS } from '../../src/api/login-limit.ts';
import { SESSION_COOKIE, tokenHash } from '../../src/auth/index.ts';
import { pgLoginWindows } from '../../src/cluster/index.ts';
import { freshSchema } from '../cluster/support.ts';
import { openTestWorld, PASSWORD, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;

beforeEach(async () => {
  w = await openTestWorld();
  app = await buildApp({ ...w.deps, serveMetrics: true });
});
afterEach(async () => {
  await app.close();
  await w.cleanup();
});

const login = (username: string, password = PASSWORD, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress });

describe('POST /api/v1/session', () => {
  it('sets an HttpOnly, SameSite=Strict cookie and returns the same token for Bearer use', async () => {
    const r = await login('admin-h1');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.user).toEqual({ id: expect.any(Number), username: 'admin-h1', role: 'institution_admin', scope: 'hz-h001', createdAt: '2026-03-05T00:00:00.000Z' });
    expect(body.expiresAt).toBe('2026-03-05T12:00:00.000Z');
    expect(JSON.stringify(body)).not.toContain('scrypt');
    const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.secure).toBeFalsy();
    // The store keeps the hash only.
    expect(await w.store.session(body.token)).toBeUndefined();
    expect(await w.store.session(tokenHash(body.token))).toBeDefined();

    const byCookie = await app.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: body.token } });
    expect(byCookie.json().user.username).toBe('admin-h1');
    const byBearer = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(byBearer.json()).toMatchObject({ user: { username: 'admin-h1' }, scopeName: '市第一人民医院 City Hospital No. 1' });
  });

  it('the cookie is Secure only on an https connection: a forwarded header alone is not trusted', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin-h1', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    // Without trustProxy the forwarded protocol is ignored: the cookie follows the connection itself.
    expect(r.cookies.find((c) => c.name === SESSION_COOKIE)!.secure).toBeFalsy();
  });

  it('behind a trusted proxy (http.trustProxy) the cookie is Secure when the proxy says https; from an untrusted address it is not', async () => {
    const viaProxy = (a: ApiInstance, remoteAddress: string, proto: string) =>
      a.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin-h1', password: PASSWORD }, headers: { 'x-forwarded-proto': proto }, remoteAddress });
    const sessionCookie = (r: Awaited<ReturnType<typeof viaProxy>>) => r.cookies.find((c) => c.name === SESSION_COOKIE)!;
    const settings: Array<boolean | number | string[]> = [true, 1, ['10.9.0.0/16']];
    for (const trustProxy of settings) {
      const proxied = await buildApp({ ...w.deps, trustProxy });
      const secure = sessionCookie(await viaProxy(proxied, '10.9.0.7', 'https'));
      expect({ trustProxy, secure: secure.secure }).toEqual({ trustProxy, secure: true });
      expect(secure).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(sessionCookie(await viaProxy(proxied, '10.9.0.7', 'http')).secure).toBeFalsy();
      await proxied.close();
    }
    // Only the listed proxies are believed: a client elsewhere claiming https gets no Secure cookie.
    const listed = await buildApp({ ...w.deps, trustProxy: ['10.9.0.0/16'] });
    expect(sessionCookie(await viaProxy(listed, '192.0.2.4', 'https')).secure).toBeFalsy();
    await listed.close();
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    for (const r of [await login('admin-h1', 'wrong password!'), await login('nobody')]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'unknown username or wrong password' } });
      expect(r.cookies).toHaveLength(0);
    }
  });

  it('validates the body and names the field', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin-h1' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.password' });
    const extra = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'a', password: 'b', role: 'regulator' } });
    expect(extra.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.role' });
    const notJson = await app.inject({ method: 'POST', url: '/api/v1/session', payload: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('MALFORMED_REQUEST');
    const form = await app.inject({ method: 'POST', url: '/api/v1/session', payload: 'username=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it(`allows ${LOGIN_ATTEMPTS} attempts a minute per address and username, then RATE_LIMITED with Retry-After`, async () => {
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) expect((await login('admin-h1', 'guess number ' + i)).statusCode).toBe(401);
    const limited = await login('admin-h1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('60');
    // Another user from the same address, and the same user from another address, are not held back.
    expect((await login('admin-h2')).statusCode).toBe(200);
    expect((await login('admin-h1', PASSWORD, '10.0.0.2')).statusCode).toBe(200);
    // Case does not make a new username.
    expect((await login('ADMIN-H1')).statusCode).toBe(429);
    // The window follows the app's clock.
    w.clock.now += LOGIN_WINDOW_MS;
    expect((await login('admin-h1')).statusCode).toBe(200);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('wastetrail_api_logins_total{outcome="rate_limited"} 2');
    expect(metrics).toContain('wastetrail_api_logins_total{outcome="failure"} 5');
  });
});

describe('the login limit with several server processes (windows in PostgreSQL)', () => {
  it('counts the attempts made at every process: the sixth is refused whichever process gets it', async () => {
    const db = await freshSchema();
    // Two processes: two apps over the same store, each with its own pool to the shared windows.
    const apps = [await buildApp({ ...w.deps, loginWindows: pgLoginWindows(db.pool()) }), await buildApp({ ...w.deps, loginWindows: pgLoginWindows(db.pool()) })];
    try {
      const at = (i: number, username: string, password: string) => apps[i % 2]!.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress: '10.0.0.1' });
      for (let i = 0; i < LOGIN_ATTEMPTS; i++) expect((await at(i, 'admin-h1', 'guess ' + i)).statusCode).toBe(401);
      for (const i of [0, 1]) {
        const limited = await at(i, 'admin-h1', PASSWORD);
        expect(limited.statusCode).toBe(429);
        expect(limited.json().error.code).toBe('RATE_LIMITED');
      }
      expect((await at(0, 'admin-h2', PASSWORD)).statusCode).toBe(200);
      w.clock.now += LOGIN_WINDOW_MS;
      expect((await at(1, 'admin-h1', PASSWORD)).statusCode).toBe(200);
    } finally {
      for (const a of apps) await a.close();
      await db.cleanup();
    }
  });
});

describe('sessions', () => {
  it('DELETE /api/v1/session ends the session for the cookie and the token alike', async () => {
    const { token } = (await login('reg-city')).json();
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { [SESSION_COOKIE]: token } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    const after = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('a session expires after 12 hours of the app clock', async () => {
    const { token } = (await login('reg-city')).json();
    w.clock.now += 12 * 3_600_000 - 1;
    expect((await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    w.clock.now += 1;
    expect((await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it('with a sessionClock (the demo: a fast simulated clock), sessions and login limits follow it, not the app clock', async () => {
    const people = { now: w.clock.now };
    const demoApp = await buildApp({ ...w.deps, sessionClock: () => people.now });
    try {
      const r = await demoApp.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'reg-city', password: PASSWORD }, remoteAddress: '10.0.0.9' });
      const { token, expiresAt } = r.json();
      expect(expiresAt).toBe(new Date(people.now + 12 * 3_600_000).toISOString());
      const me = () => demoApp.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      // A simulated day passes in the app's clock: still logged in.
      w.clock.now += 24 * 3_600_000;
      expect((await me()).statusCode).toBe(200);
      people.now += 12 * 3_600_000;
      expect((await me()).statusCode).toBe(401);
    } finally {
      await demoApp.close();
    }
  });

  it('a malformed Authorization header or an unknown token is no session', async () => {
    for (const authorization of ['Bearer', 'Basic YTpi', `Bearer ${'x'.repeat(43)}`, 'Bearer a b']) {
      const r = await app.inject({ url: '/api/v1/me', headers: { authorization } });
      expect(r.statusCode, authorization).toBe(401);
    }
  });
});
