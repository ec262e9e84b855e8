/**
 * The web UI: one static HTML shell, one plain-JavaScript client (assets/app.js) and a stylesheet, uPlot,
 * and the in-browser signature verifier, all built into dist/web/public by server/scripts/build-web.mjs
 * (part of `npm run build`). Everything is served from this server, so the UI works on a closed hospital
 * network (no CDN, no external fonts). The client talks to /api/v1 with the session cookie; what a user
 * may see is decided by the API, never here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the old plain-JavaScript UI lives, until its pages have all moved to the typed app. */
export const WEB_ROOT = '/ui/';

/** The built UI: server/dist/web/public, from src/web/ (tests) and from dist/web/ (the compiled server) alike. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../dist/web/public/', import.meta.url));

/** Where the typed app (web/, Vue with Vite) lives, and its build: server/dist/web/app; `/` redirects here. */
export const APP_ROOT = '/app/';
export const APP_DIR = fileURLToPath(new URL('../../dist/web/app/', import.meta.url));

/**
 * Registers the UI's routes on the API's app (AppDeps.webRoutes). Security headers and the CSP come
 * from the app (api/security-headers.ts), as for every response.
 */
export async function registerWebUi(app: FastifyInstance): Promise<void> {
  // A missing build fails the server start, not a user's page.
  if (!existsSync(join(PUBLIC_DIR, 'verify.js'))) throw new Error(`the web UI is not built (${PUBLIC_DIR}): run npm run build`);
  // The files keep their names (the client's modules import each other by name), so a browser must
  // revalidate: no-cache with ETag and Last-Modified, answered 304 while unchanged. An upgrade is
  // seen on the next load, never a mix of old and new modules.
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/ui/assets/',
    index: false,
    // A folder is not a page: NOT_FOUND, as for any unknown asset.
    allowedPath: (path) => !path.endsWith('/'),
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', 'no-cache');
      // The standard type (RFC 9239), not the library's older application/javascript.
      if (path.endsWith('.js')) reply.type('text/javascript; charset=utf-8');
    },
    schemaHide: true,
  });

  // The typed app: Vite names its files by content hash, so they may be cached; its page may not.
  if (!existsSync(join(APP_DIR, 'index.html'))) throw new Error(`the web app is not built (${APP_DIR}): run npm run build`);
  await app.register(fastifyStatic, {
    root: APP_DIR,
    prefix: APP_ROOT,
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      if (path.endsWith('.js')) reply.type('text/javascript; charset=utf-8');
    },
    schemaHide: true,
  });
  app.get('/app', { schema: { hide: true } }, async (_req, reply) => reply.redirect(APP_ROOT));

  // The printed address (the demo's `web and API`) leads to the typed app's login.
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect(APP_ROOT));
  app.get('/ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect(WEB_ROOT));
  // One shell for every page: the client routes on the URL fragment (#/trail, #/alerts, ...).
  app.get(WEB_ROOT, { schema: { hide: true } }, async (_req, reply) => reply.sendFile('index.html'));
}
