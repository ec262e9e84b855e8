/**
 * The web UI: one static HTML shell, one plain-JavaScript client (assets/app.js) and a stylesheet, uPlot,
 * and the in-browser signature verifier, all built into dist/web/public by server/scripts/build-web.mjs
 * (part of `npm run build`). Everything is served from this server, so the UI works on a closed hospital
 * network (no CDN, no external fonts). The client talks to /api/v1 with the session cookie; what a user
 * may see is decided by the API, never here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the UI lives; `/` redirects here. */
export const WEB_ROOT = '/ui/';

/** The built UI: server/dist/web/public, from src/web/ (tests) and from dist/web/ (the compiled server) alike. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../dist/web/public/', import.meta.url));

/** Scripts and styles only from this origin; no inline script, no framing, no third-party anything. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** Every built asset, read once at start: a missing build fails the server start, not a user's page. */
export async function loadWebAssets(): Promise<Map<string, Asset>> {
  if (!existsSync(join(PUBLIC_DIR, 'verify.js'))) throw new Error(`the web UI is not built (${PUBLIC_DIR}): run npm run build`);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    const type = TYPES[extname(name)];
    if (type && name !== 'index.html') assets.set(name, { body: readFileSync(join(PUBLIC_DIR, name)), type });
  }
  return assets;
}

function shell(): string {
  return readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8');
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** Registers the UI's routes on the API's app (AppDeps.webRoutes). */
export async function registerWebUi(app: FastifyInstance): Promise<void> {
  const assets = await loadWebAssets();
  const html = shell();

  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect(WEB_ROOT));
  app.get('/ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect(WEB_ROOT));
  // One shell for every page: the client routes on the URL fragment (#/trail, #/alerts, ...).
  app.get(WEB_ROOT, { schema: { hide: true } }, async (_req, reply) => secure(reply).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html));
  app.get<{ Params: { name: string } }>('/ui/assets/:name', { schema: { hide: true } }, async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (!asset) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no asset ${req.params.name}` } });
    }
    return secure(reply).type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
}
