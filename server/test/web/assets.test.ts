/**
 * The web app's files as a browser gets them (the API app with the web routes, through inject): the page
 * at /app/ revalidated every time (ETag, 304 while unchanged), Vite's content-hashed files cached for
 * good, the strict CSP and the app's security headers on each, the API's error body for what does not
 * exist or lies outside the build, and `/`, `/app`, `/ui`, `/ui/` (old bookmarks) sent to /app/.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { APP_DIR, registerWebUi } from '../../src/web/index.ts';
import { openTestWorld, type TestWorld } from '../api/support.ts';

let w: TestWorld;
let app: ApiInstance;
beforeAll(async () => {
  w = await openTestWorld({ users: false });
  app = await buildApp({ ...w.deps, webRoutes: registerWebUi });
});
afterAll(async () => {
  await app.close();
  await w.cleanup();
});

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('the web app over HTTP', () => {
  it('the page at /app/ is HTML that the browser revalidates every time, under the strict policy, with no inline script', async () => {
    const page = await app.inject('/app/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self';script-src 'self';style-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    // No inline script (the CSP would block it) and nothing from another origin.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/https?:\/\//);
    const again = await app.inject({ url: '/app/', headers: { 'if-none-match': String(page.headers.etag) } });
    expect([again.statusCode, again.body]).toEqual([304, '']);
    const changed = await app.inject({ url: '/app/', headers: { 'if-none-match': 'W/"0-0"' } });
    expect([changed.statusCode, changed.body]).toEqual([200, page.body]);
  });

  it('the files the page loads are there, content-hashed, of their type, cached for good', async () => {
    const page = (await app.inject('/app/')).body;
    const linked = [...page.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(linked.some((u) => u.endsWith('.js'))).toBe(true);
    expect(linked.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of linked) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(200);
      expect(url, 'named by its content').toMatch(/-[\w-]{8}\.(js|css)$/);
      expect(r.headers['content-type'], url).toBe(url.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(r.headers['cache-control'], url).toBe(IMMUTABLE);
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.body.length, url).toBeGreaterThan(100);
    }
    // Every page's lazy chunk is as cacheable as the entry.
    const chunks = readdirSync(join(APP_DIR, 'assets')).filter((n) => n.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(linked.length);
    const chunk = await app.inject(`/app/assets/${chunks[0]}`);
    expect([chunk.statusCode, chunk.headers['cache-control']]).toEqual([200, IMMUTABLE]);
  });

  it('an unknown file, or a path out of the build, is NOT_FOUND in the API error shape', async () => {
    const missing = await app.inject('/app/assets/nope.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /app/assets/nope.js' } });
    for (const url of ['/app/../package.json', '/app/%2e%2e/%2e%2e/package.json', '/app/assets/%2e%2e/%2e%2e/index.ts', '/app/assets/', '/ui/assets/app.js']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code, url).toBe('NOT_FOUND');
    }
  });

  it.each(['/', '/app', '/ui', '/ui/'])('%s leads to the app (the old UI\'s bookmarks too)', async (url) => {
    const r = await app.inject(url);
    expect([r.statusCode, r.headers.location]).toEqual([302, '/app/']);
  });
});
