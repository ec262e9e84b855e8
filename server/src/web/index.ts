/**
 * The web UI: one static HTML shell, one plain-JavaScript client (assets/app.js, no build step) and a
 * stylesheet, uPlot from node_modules/uplot/dist, and the in-browser signature verifier (client/verify.js,
 * bundled with @noble/curves by esbuild at start). Everything is served from this server, so the UI
 * works on a closed hospital network (no CDN, no external fonts). The client talks to /api/v1 with the
 * session cookie; what a user may see is decided by the API, never here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the UI lives; `/` redirects here. */
export const WEB_ROOT = '/ui/';

const ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'assets');

/** Scripts and styles only from this origin; no inline script, no framing, no third-party anything. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  body: Buffer;
  type: string;
}

function uplotDist(): string {
  const require = createRequire(import.meta.url);
  // uplot's export map does not expose package.json: resolve its entry and walk up to dist/.
  const entry = require.resolve('uplot');
  let dir = dirname(entry);
  while (!dir.endsWith('dist') && dirname(dir) !== dir) dir = dirname(dir);
  return dir.endsWith('dist') ? dir : join(dirname(entry), 'dist');
}

/**
 * The in-browser verifier (client/verify.js with @noble/curves and @noble/hashes), bundled once at start
 * by esbuild into one self-contained module.
 */
async function bundleVerifier(): Promise<Buffer> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'client', 'verify.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no verifier bundle');
  return Buffer.from(file.contents);
}

/** Every asset, read once at start: a missing file fails the server start, not a user's page. */
export async function loadWebAssets(): Promise<Map<string, Asset>> {
  const dist = uplotDist();
  const files: Array<[string, string, string]> = [
    ['app.js', join(ASSETS_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
    ['i18n.js', join(ASSETS_DIR, 'i18n.js'), 'text/javascript; charset=utf-8'],
    ['supervision.js', join(ASSETS_DIR, 'supervision.js'), 'text/javascript; charset=utf-8'],
    ['disclosure.js', join(ASSETS_DIR, 'disclosure.js'), 'text/javascript; charset=utf-8'],
    ['app.css', join(ASSETS_DIR, 'app.css'), 'text/css; charset=utf-8'],
    ['uPlot.iife.min.js', join(dist, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['uPlot.min.css', join(dist, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const assets = new Map<string, Asset>(files.map(([name, path, type]) => [name, { body: readFileSync(path), type }]));
  assets.set('verify.js', { body: await bundleVerifier(), type: 'text/javascript; charset=utf-8' });
  return assets;
}

function shell(): string {
  return readFileSync(join(ASSETS_DIR, 'index.html'), 'utf8');
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
