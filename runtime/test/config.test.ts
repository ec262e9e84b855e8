import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfig, ConfigError, editorSchema, LogSettingsSchema, parseConfigJson, readConfigFile } from '../src/index.ts';

const Example = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      },
      { additionalProperties: false, default: {} },
    ),
    batchMs: Type.Integer({ minimum: 1, maximum: 1000, default: 25, 'x-unit': 'ms' }),
    demo: Type.Boolean({ default: false }),
    url: Type.String({ pattern: '^postgres://', 'x-expected': 'a URL like "postgres://user@host/db"' }),
    webhooks: Type.Array(Type.Object({ url: Type.String({ minLength: 1 }) }, { additionalProperties: false }), { default: [] }),
    log: LogSettingsSchema,
  },
  { additionalProperties: false },
);

const problem = (value: unknown) => {
  try {
    checkConfig(Example, value);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('accepted');
};

describe('checkConfig', () => {
  it('fills in defaults and returns the typed value', () => {
    const c = checkConfig(Example, { url: 'postgres://x' });
    expect(c).toEqual({ http: { host: '127.0.0.1', port: 8080 }, batchMs: 25, demo: false, url: 'postgres://x', webhooks: [], log: { level: 'info', destination: 'stderr', format: 'json' } });
  });

  it('does not change the value it was given', () => {
    const given = { url: 'postgres://x', http: {} };
    checkConfig(Example, given);
    expect(given).toEqual({ url: 'postgres://x', http: {} });
  });

  it('names the field, what it must be and what was given; nothing is coerced', () => {
    expect(problem({ url: 'postgres://x', batchMs: '5' })).toBe('batchMs: must be a whole number from 1 to 1000 (ms); the default is 25, got "5"');
    expect(problem({ url: 'postgres://x', batchMs: 0 })).toBe('batchMs: must be a whole number from 1 to 1000 (ms); the default is 25, got 0');
    expect(problem({ url: 'postgres://x', demo: 'yes' })).toBe('demo: must be true or false (no quotes); the default is false, got "yes"');
    expect(problem({ url: 'postgres://x', http: { port: 70000 } })).toBe('http.port: must be a whole number from 0 to 65535; the default is 8080, got 70000');
    expect(problem({ url: 'mysql://x' })).toBe('url: must be a URL like "postgres://user@host/db", got "mysql://x"');
    expect(problem({ url: 'postgres://x', log: { level: 'loud' } })).toBe('log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"; the default is "info", got "loud"');
    expect(problem({ url: 'postgres://x', webhooks: [{ url: 'a' }, { url: '' }] })).toBe('webhooks[1].url: must be a non-empty string, got ""');
  });

  it('says "above" when the lower bound itself is refused, and names null', () => {
    const Hours = Type.Object({ hours: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 8760, 'x-unit': 'hours' }), Type.Null()]) }, { additionalProperties: false });
    expect(() => checkConfig(Hours, { hours: 0 })).toThrow(/^hours: must be a number above 0 and at most 8760 \(hours\), or null, got 0$/);
    expect(checkConfig(Hours, { hours: null }).hours).toBeNull();
  });

  it('says what a name must be in a map keyed by names the user chooses', () => {
    const Map = Type.Object({ byCode: Type.Record(Type.String(), Type.Integer(), { propertyNames: { pattern: '^[a-z]+$', 'x-expected': 'lower-case letters' } }) });
    expect(checkConfig(Map, { byCode: { ok: 1 } })).toEqual({ byCode: { ok: 1 } });
    const ById = Type.Object({ byId: Type.Record(Type.String(), Type.Integer({ minimum: 0 })) });
    expect(() => checkConfig(ById, { byId: { '330100': -1 } })).toThrow(/^byId\.330100: must be a whole number of at least 0, got -1$/);
    expect(() => checkConfig(Map, { byCode: { ok: 1, 'Not OK': 2 } })).toThrow(/^byCode\.Not OK: is not a valid name here; a name must be lower-case letters$/);
  });

  it('says a list must hold different items when they must be unique', () => {
    const Days = Type.Object({ days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { uniqueItems: true }) });
    expect(() => checkConfig(Days, { days: [1, 1] })).toThrow(/^days: must be a list of different whole numbers from 1 to 7, got \[1,1\]$/);
  });

  it('settles a choice between kinds of section by its tag, then fills in and checks that kind', () => {
    const Storage = Type.Object(
      {
        storage: Type.Union(
          [
            Type.Object({ driver: Type.Literal('sqlite', { default: 'sqlite' }), file: Type.String({ default: 'wt.db' }) }, { additionalProperties: false }),
            Type.Object({ driver: Type.Literal('postgres'), url: Type.String({ minLength: 1, examples: ['postgres://h/db'] }), poolSize: Type.Integer({ minimum: 1, default: 10 }) }, { additionalProperties: false }),
          ],
          { default: {} },
        ),
      },
      { additionalProperties: false, 'x-not-here': { logLevel: 'is now "log": { "level": ... }' } },
    );
    expect(checkConfig(Storage, {})).toEqual({ storage: { driver: 'sqlite', file: 'wt.db' } });
    expect(checkConfig(Storage, { storage: { driver: 'postgres', url: 'postgres://h/db' } })).toEqual({ storage: { driver: 'postgres', url: 'postgres://h/db', poolSize: 10 } });
    const refused = (v: unknown) => () => checkConfig(Storage, v);
    expect(refused({ storage: { driver: 'postgres' } })).toThrow(/^storage\.url: is required; must be a non-empty string, e\.g\. "postgres:\/\/h\/db"$/);
    expect(refused({ storage: { driver: 'postgres', url: 'x', file: 'a.db' } })).toThrow(/^storage\.file: is not a setting here; the settings are "driver", "url", "poolSize"$/);
    expect(refused({ storage: { driver: 'mysql' } })).toThrow(/^storage\.driver: must be one of "sqlite", "postgres", got "mysql"$/);
    expect(refused({ storage: { driver: 'postgres', url: 'x', poolSize: 0 } })).toThrow(/^storage\.poolSize: must be a whole number of at least 1; the default is 10, got 0$/);
    expect(refused({ logLevel: 'info' })).toThrow(/^logLevel: is now "log": \{ "level": \.\.\. \}$/);
  });

  it('checks an object given for a union of an object and other types against the object', () => {
    const Points = Type.Object({ points: Type.Union([Type.Integer({ minimum: 1, maximum: 12 }), Type.Object({ points: Type.Integer({ minimum: 1, maximum: 12 }), en: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })]) });
    expect(() => checkConfig(Points, { points: { points: 2, en: '' } })).toThrow(/^points\.en: must be a non-empty string, got ""$/);
    expect(() => checkConfig(Points, { points: 13 })).toThrow(/^points: must be a whole number from 1 to 12, or an object \{ \.\.\. \}, got 13$/);
    expect(() => checkConfig(Points, { points: 'x' })).toThrow(/^points: must be a whole number from 1 to 12, or an object \{ \.\.\. \}, got "x"$/);
  });

  it('refuses unknown fields, naming the ones that exist', () => {
    expect(problem({ url: 'postgres://x', http: { prot: 1 } })).toBe('http.prot: is not a setting here; the settings are "host", "port"');
  });

  it('says what a missing required field must be', () => {
    expect(problem({})).toBe('url: is required; must be a URL like "postgres://user@host/db"');
  });

  it('ignores $schema (it is for editors)', () => {
    expect(checkConfig(Example, { $schema: './x.schema.json', url: 'postgres://x' }).url).toBe('postgres://x');
  });
});

describe('parseConfigJson', () => {
  it('takes comments and trailing commas', () => {
    expect(parseConfigJson('// c\n{ "a": 1, /* b */ }')).toEqual({ a: 1 });
  });
  it('names the line and column of a syntax error', () => {
    expect(() => parseConfigJson('{ "a": 1\n  "b": 2 }')).toThrow(/^line 2, column 3: CommaExpected; the file must be JSON/);
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wt-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('puts the file name before every error', () => {
    const file = join(dir, 'bad.jsonc');
    writeFileSync(file, '{ "url": "postgres://x", "batchMs": "5" }');
    expect(() => readConfigFile(Example, file)).toThrow(new RegExp(`^${file}: batchMs: must be a whole number`));
    expect(() => readConfigFile(Example, join(dir, 'missing.jsonc'))).toThrow(/missing\.jsonc: cannot read the config file/);
  });
  it('runs the checks across fields after the schema, with the file name before their errors too', () => {
    const file = join(dir, 'cross.jsonc');
    writeFileSync(file, '{ "url": "postgres://x", "batchMs": 900 }');
    const finish = (c: { batchMs: number }, folder: string) => {
      if (c.batchMs > 500) throw ConfigError.at('batchMs', `must be at most 500 here, got ${c.batchMs}`);
      return { ...c, folder };
    };
    expect(() => readConfigFile(Example, file, finish)).toThrow(new RegExp(`^${file}: batchMs: must be at most 500 here, got 900$`));
    writeFileSync(file, '{ "url": "postgres://x", "batchMs": 5 }');
    expect(readConfigFile(Example, file, finish).value).toMatchObject({ batchMs: 5, folder: dir });
  });

  it('returns the value with the file and its folder', () => {
    const file = join(dir, 'good.jsonc');
    writeFileSync(file, '{ "url": "postgres://x" }');
    expect(readConfigFile(Example, file)).toMatchObject({ file, dir, value: { url: 'postgres://x', batchMs: 25 } });
  });
});

describe('editorSchema', () => {
  it('makes settings with defaults optional, allows $schema, and is plain JSON Schema', () => {
    const s = editorSchema(Example, { id: 'https://wastetrail.example/x.schema.json', title: 'x' }) as { required: string[]; properties: Record<string, { required?: string[] }> };
    expect(s.required).toEqual(['url']);
    expect(s.properties.http!.required).toBeUndefined();
    expect(Object.keys(s.properties)).toContain('$schema');
    expect(JSON.stringify(s)).not.toMatch(/~kind|Symbol/);
  });
});
