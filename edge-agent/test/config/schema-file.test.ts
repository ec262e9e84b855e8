/**
 * The JSON Schema an editor checks a config file with (config/edge-config.schema.json) lets it leave out
 * what has a default and catches what the agent refuses. That the committed file is what the code writes,
 * and that the example passes both, is scripts/test/config-schemas.test.ts (for every config file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { EDGE_CONFIG_SCHEMA_FILE } from '../../src/config/schema.ts';
import { minimalConfig } from '../support/minimal-config.ts';

const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));
const committed = readFileSync(join(CONFIG_DIR, EDGE_CONFIG_SCHEMA_FILE), 'utf8');

/** The committed schema as an editor (ajv, draft 2020-12) reads it; `x-*` are annotations for people. */
function editorValidator() {
  const ajv = new Ajv2020({ allErrors: true });
  ajv.addKeyword({ keyword: 'x-unit' }).addKeyword({ keyword: 'x-expected' });
  return ajv.compile(JSON.parse(committed) as object);
}

describe('edge-config.schema.json', () => {
  it('lets an editor leave out what has a default and catch what the agent refuses', () => {
    const validate = editorValidator();
    const minimal = minimalConfig();
    expect(validate(minimal), JSON.stringify(validate.errors)).toBe(true);
    const wrong = { ...minimal, serial: { ...minimal.serial, scale: { ...minimal.serial.scale, parity: 'evn' } }, kiosk: { port: 70000 }, logLevel: 'info' };
    expect(validate(wrong)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/kiosk/port maximum', '/serial/scale/parity enum', ' additionalProperties'].sort());
  });
});
