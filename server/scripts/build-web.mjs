#!/usr/bin/env node
/**
 * Builds the web UI's static files into server/dist/web/public, which the server serves as they are:
 * the hand-written pages and styles (src/web/assets), uPlot's files from node_modules, and the in-browser
 * signature verifier (src/web/client/verify.js with @noble/curves and @noble/hashes) bundled by esbuild
 * into one self-contained module. Run by `npm run build` (and so by npm start and npm test), after tsc.
 * The server needs nothing of esbuild at run time.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(SERVER, 'dist', 'web', 'public');
mkdirSync(OUT, { recursive: true });

const assets = join(SERVER, 'src', 'web', 'assets');
for (const name of readdirSync(assets)) copyFileSync(join(assets, name), join(OUT, name));

// uplot's export map does not expose package.json: resolve its entry and walk up to dist/.
const require = createRequire(join(SERVER, 'package.json'));
let dist = dirname(require.resolve('uplot'));
while (!dist.endsWith('dist') && dirname(dist) !== dist) dist = dirname(dist);
for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) copyFileSync(join(dist, name), join(OUT, name));

await build({
  entryPoints: [join(SERVER, 'src', 'web', 'client', 'verify.js')],
  outfile: join(OUT, 'verify.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
});
