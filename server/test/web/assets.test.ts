/**
 * The UI's files as a browser gets them (the API app with the UI's routes, through inject): the shell
 * and every built asset revalidated by ETag and Last-Modified, 304 while unchanged, the app's security
 * headers on each, and the API's error body for what does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { registerWebUi } from '../../src/web/index.ts';
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

const ASSETS = [
  ['app.js', 'text/javascript; charset=utf-8'],
  ['i18n.js', 'text/javascript; charset=utf-8'],
  ['verify.js', 'text/javascript; charset=utf-8'],
  ['uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
  ['uPlot.min.css', 'text/css; charset=utf-8'],
] as const;

describe('the web UI over HTTP', () => {
  it('the shell at /ui/ is HTML that the browser revalidates every time, with the strict policy', async () => {
    const shell = await app.inject('/ui/');
    expect(shell.statusCode).toBe(200);
    expect(shell.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect(shell.headers['content-security-policy']).toContain("script-src 'self';");
    expect(shell.body).toContain('/ui/assets/app.js');
    const again = await app.inject({ url: '/ui/', headers: { 'if-none-match': String(shell.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // The root leads to the typed app; the old shell keeps its own address until it is removed.
    expect((await app.inject('/')).headers.location).toBe('/app/');
    expect((await app.inject('/ui')).headers.location).toBe('/ui/');
  });

  it.each(ASSETS)('/ui/assets/%s: its type, no-cache with ETag and Last-Modified, 304 while unchanged', async (name, type) => {
    const first = await app.inject(`/ui/assets/${name}`);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe(type);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.body.length).toBeGreaterThan(100);
    const byTag = await app.inject({ url: `/ui/assets/${name}`, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(byTag.statusCode).toBe(304);
    const byDate = await app.inject({ url: `/ui/assets/${name}`, headers: { 'if-modified-since': String(first.headers['last-modified']) } });
    expect(byDate.statusCode).toBe(304);
    // Another version (another ETag) is sent whole.
    const stale = await app.inject({ url: `/ui/assets/${name}`, headers: { 'if-none-match': 'W/"0-0"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('an unknown asset, or a path out of the folder, is NOT_FOUND in the API error shape', async () => {
    const missing = await app.inject('/ui/assets/nope.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /ui/assets/nope.js' } });
    for (const url of ['/ui/assets/../package.json', '/ui/assets/%2e%2e/index.ts', '/ui/assets/']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code, url).toBe('NOT_FOUND');
    }
  });
});
