/**
 * The web app: the typed Vue app in web/, built by Vite into server/dist/web/app (part of `npm run build`)
 * and served here at /app/. Everything is served from this server, so the app works on a closed hospital
 * network (no CDN, no external fonts). The app talks to /api/v1 with the session cookie; what a user may
 * see is decided by the API, never here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the app lives, and its build: server/dist/web/app, from src/web/ (tests) and dist/web/ alike. */
export const APP_ROOT = '/app/';
export const APP_DIR = fileURLToPath(new URL('../../dist/web/app/', import.meta.url));

/**
 * Registers the app's routes on the API's app (AppDeps.webRoutes). Security headers and the CSP come
 * from the app (api/security-headers.ts), as for every response.
 */
export async function registerWebUi(app: FastifyInstance): Promise<void> {
  // A missing build fails the server start, not a user's page.
  if (!existsSync(join(APP_DIR, 'index.html'))) throw new Error(`the web app is not built (${APP_DIR}): run npm run build`);
  // Vite names its files by content hash, so they may be cached for good; the page may not (an upgrade
  // is seen on the next load).
  await app.register(fastifyStatic, {
    root: APP_DIR,
    prefix: APP_ROOT,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      // The standard type (RFC 9239), not the library's older application/javascript.
      if (path.endsWith('.js')) reply.type('text/javascript; charset=utf-8');
    },
    schemaHide: true,
  });
  app.get('/app', { schema: { hide: true } }, async (_req, reply) => reply.redirect(APP_ROOT));

  // The printed address (the demo's `web and API`) leads to the app's login; so do old bookmarks of
  // the plain-JavaScript UI that the app replaced (/ui/#/...).
  for (const url of ['/', '/ui', '/ui/']) app.get(url, { schema: { hide: true } }, async (_req, reply) => reply.redirect(APP_ROOT));
}
