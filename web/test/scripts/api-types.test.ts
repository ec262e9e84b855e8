/**
 * The web app's API types (web/src/api-types.ts) are what the server's OpenAPI document says today: a
 * route, field or type changed on the server without regenerating them (`npm run api-types -w web`)
 * fails here, and the app's code is then typed against the new document.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.ts';

describe('the web app\'s API types', () => {
  it('match the OpenAPI document the server builds', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const generated = await apiTypesSource();
    // The routes the dashboard reads are there (a sanity check that the document is the real one).
    for (const route of ['"/api/v1/me"', '"/api/v1/alerts"', '"/api/v1/institutions"', '"/api/v1/institutions/{id}"']) expect(generated).toContain(route);
    expect(committed === generated, 'web/src/api-types.ts is stale: run `npm run api-types -w web` and commit it').toBe(true);
  });

  // vue-tsc does not run on TypeScript 7 yet, so the app keeps its logic in .ts modules (api.ts,
  // dashboard.ts, i18n.ts), which tsc checks against the generated types.
  it('type the app\'s TypeScript modules without error', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const project = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '-p', project], { encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
});
