/**
 * The JSON Schema an editor checks a config file with (config/edge-config.schema.json) is the schema the
 * agent checks it with: the committed file is what the code writes, and the example configs pass both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkConfig, parseConfigJson } from '@wastetrail/runtime';
import { describe, expect, it } from 'vitest';
import { EDGE_CONFIG_SCHEMA_FILE, EdgeConfigSchema, edgeConfigSchemaText } from '../../src/config/schema.ts';
import { minimalConfig } from '../support/minimal-config.ts';

const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));
const committed = readFileSync(join(CONFIG_DIR, EDGE_CONFIG_SCHEMA_FILE), 'utf8');
const examples = readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.jsonc'));

/** The committed schema as an editor (ajv, draft 2020-12) reads it; `x-*` are annotations for people. */
function editorValidator() {
  const ajv = new Ajv2020({ allErrors: true });
  ajv.addKeyword({ keyword: 'x-unit' }).addKeyword({ keyword: 'x-expected' });
  return ajv.compile(JSON.parse(committed) as object);
}

describe('edge-config.schema.json', () => {
  it('is what the code generates (run `npm run config-schema -w edge-agent` after changing the schema)', () => {
    expect(committed).toBe(edgeConfigSchemaText());
  });

  it.each(examples)('%s names the schema and passes both the agent and the editor', (name) => {
    const value = parseConfigJson(readFileSync(join(CONFIG_DIR, name), 'utf8')) as Record<string, unknown>;
    expect(value.$schema).toBe(`./${EDGE_CONFIG_SCHEMA_FILE}`);
    expect(() => checkConfig(EdgeConfigSchema, value)).not.toThrow();
    const validate = editorValidator();
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });

  it('lets an editor leave out what has a default and catch what the agent refuses', () => {
    const validate = editorValidator();
    const minimal = minimalConfig();
    expect(validate(minimal), JSON.stringify(validate.errors)).toBe(true);
    const wrong = { ...minimal, serial: { ...minimal.serial, scale: { ...minimal.serial.scale, parity: 'evn' } }, kiosk: { port: 70000 }, logLevel: 'info' };
    expect(validate(wrong)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/kiosk/port maximum', '/serial/scale/parity enum', ' additionalProperties'].sort());
  });
});
