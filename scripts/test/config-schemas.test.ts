/**
 * The committed JSON Schemas are what the code defines (they cannot drift), and every committed example
 * config passes both the process's own loader and its JSON Schema, the one an editor checks it with.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { ConfigError, parseConfigJson } from '@wastetrail/runtime';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILES, schemaText, WRITE_COMMAND } from '../config-schemas.ts';

/** A validator that knows wastetrail's annotations (`x-unit` and the like carry words for errors, not rules). */
function validatorFor(schemaFile: string) {
  const ajv = new Ajv2020({ allErrors: true });
  ajv.addVocabulary(['x-unit', 'x-expected', 'x-not-here']);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
}

const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'wt-config-schemas-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(CONFIG_SCHEMA_FILES.map((f) => [relative(repo, f.schemaFile), f] as const))('%s', (_name, f) => {
  it('is what the code generates', () => {
    const committed = readFileSync(f.schemaFile, 'utf8');
    expect(committed, `${relative(repo, f.schemaFile)} differs from the code's schema; rewrite it with: ${WRITE_COMMAND}`).toBe(schemaText(f.generate()));
  });

  it.each(f.examples.map((e) => [relative(repo, e), e] as const))('names it in %s, which passes the loader and the JSON Schema', (_example, example) => {
    const json = parseConfigJson(readFileSync(example, 'utf8')) as Record<string, unknown>;
    expect(json.$schema).toBe(`./${basename(f.schemaFile)}`);
    expect(() => f.load(example)).not.toThrow();
    const validate = validatorFor(f.schemaFile);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(f.examples.map((e) => [relative(repo, e), e] as const))('refuses %s with a wrong value, in the loader and in the JSON Schema alike', (_example, example) => {
    const json = parseConfigJson(readFileSync(example, 'utf8')) as Record<string, unknown>;
    const validate = validatorFor(f.schemaFile);
    // The same wrong values, one at a time: a port out of range, a misspelt setting, a string for a number.
    const wrongs: Array<[string, (c: Record<string, unknown>) => void, RegExp]> = [
      ['a port of 70000', (c) => setPort(c, 70000), /port: must be a whole number from 0 to 65535.*got 70000$/],
      ['a misspelt setting', (c) => (c.limts = {}), /limts: is not a setting here/],
      ['an unknown log level', (c) => (c.log = { level: 'loud' }), /log\.level: must be one of "fatal", .*got "loud"$/],
    ];
    for (const [what, spoil, message] of wrongs) {
      const c = structuredClone(json);
      spoil(c);
      expect(validate(c), `${what}: the JSON Schema accepted it`).toBe(false);
      const file = join(scratch, basename(example));
      writeFileSync(file, JSON.stringify(c));
      expect(() => f.load(file), what).toThrow(ConfigError);
      expect(() => f.load(file), what).toThrow(message);
    }
  });
});

/** The example's listening port: the server's http.port, the gateway's tcp.port, the edge agent's kiosk.port. */
function setPort(c: Record<string, unknown>, port: number): void {
  const section = (c.http ?? c.tcp ?? c.kiosk) as Record<string, unknown> | undefined;
  if (!section) throw new Error('the example has no http, tcp or kiosk');
  section.port = port;
}
