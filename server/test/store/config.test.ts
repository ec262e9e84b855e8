import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerConfig, parseServerConfig, ServerConfigError } from '../../src/config/index.ts';
import { DEFAULT_INGEST_SETTINGS } from '../../src/ingest/index.ts';

const EXAMPLE = new URL('../../config/example.jsonc', import.meta.url).pathname;

describe('the server config file', () => {
  it('reads the committed example: its values are the defaults', () => {
    const c = loadServerConfig(EXAMPLE);
    const base = new URL('../../config/', import.meta.url).pathname;
    expect(c.dataDir).toBe(join(base, 'data'));
    expect(c.storage).toEqual({ driver: 'sqlite', file: join(base, 'data', 'wastetrail.db'), synchronous: 'normal' });
    expect(c.mqtt).toEqual({ mode: 'embedded', gateway: { tcp: { port: 1883 }, limits: { maxPayloadBytes: 262144, rate: { messagesPerSecond: 50, burst: 500 } } } });
    expect(c.ingest).toEqual(DEFAULT_INGEST_SETTINGS);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c).toMatchObject({ demo: false, logLevel: 'info', shutdownTimeoutMs: 10_000 });
    expect(parseServerConfig('{}', base)).toMatchObject({ storage: c.storage, ingest: c.ingest, http: c.http, mqtt: { mode: 'embedded', gateway: {} } });
  });

  it('reads an external broker with a shared subscription group and a password file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-config-'));
    try {
      writeFileSync(join(dir, 'mqtt-password'), 'secret-words\n');
      const c = parseServerConfig(
        `{ "mqtt": { "mode": "external", "url": "mqtt://10.0.0.5:1883", "username": "srv", "passwordFile": "mqtt-password",
           "clientId": "wastetrail_server_1", "persistentSession": true, "sharedGroup": "ingest" },
           "ingest": { "verifyWorkers": 3, "batchMs": 10 }, "storage": { "file": "/var/lib/wt.db", "synchronous": "full" } }`,
        dir,
      );
      expect(c.mqtt).toEqual({ mode: 'external', url: 'mqtt://10.0.0.5:1883', username: 'srv', password: 'secret-words', clientId: 'wastetrail_server_1', persistentSession: true });
      expect(c.ingest).toMatchObject({ sharedGroup: 'ingest', verifyWorkers: 3, batchMs: 10 });
      expect(c.storage).toEqual({ driver: 'sqlite', file: '/var/lib/wt.db', synchronous: 'full' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the load-shedding limits of http, only those given', () => {
    const c = parseServerConfig('{ "http": { "port": 0, "maxEventLoopDelayMs": 0, "maxRssBytes": 2000000000, "retryAfterSeconds": 30 }, "shutdownTimeoutMs": 5000 }', tmpdir());
    expect(c.http).toEqual({ host: '127.0.0.1', port: 0, maxEventLoopDelayMs: 0, maxRssBytes: 2_000_000_000, retryAfterSeconds: 30 });
    expect(c.shutdownTimeoutMs).toBe(5000);
    expect(() => parseServerConfig('{ "http": { "retryAfterSeconds": 0 } }', tmpdir())).toThrow(/^http\.retryAfterSeconds: must be a whole number from 1 to 86400 \(seconds\), got 0; the default is 10$/);
    expect(() => parseServerConfig('{ "http": { "maxHeapUsedBytes": -1 } }', tmpdir())).toThrow(/^http\.maxHeapUsedBytes: must be a whole number from 0 to /);
    expect(() => parseServerConfig('{ "shutdownTimeoutMs": "10s" }', tmpdir())).toThrow(/^shutdownTimeoutMs: must be a whole number from 100 to 600000 \(milliseconds\)/);
  });

  it('reads a PostgreSQL store', () => {
    const c = parseServerConfig('{ "storage": { "driver": "postgres", "url": "postgres://wastetrail@db:5432/wastetrail", "schema": "wastetrail" } }', tmpdir());
    expect(c.storage).toEqual({ driver: 'postgres', url: 'postgres://wastetrail@db:5432/wastetrail', schema: 'wastetrail', poolSize: 10 });
  });

  it('names the field and the fix in every error', () => {
    const bad: Array<[string, RegExp]> = [
      ['{ "ingest": { "batchMs": "5" } }', /^ingest\.batchMs: must be a whole number from 1 to 10000 \(milliseconds\), got "5"; the default is 5$/],
      ['{ "ingest": { "batchSize": 5 } }', /^ingest\.batchSize: is not a setting here; the settings are "batchMs", /],
      ['{ "ingest": { "verifyWorkers": "many" } }', /^ingest\.verifyWorkers: must be "auto" or a number/],
      ['{ "http": { "port": 70000 } }', /^http\.port: must be a whole number from 0 to 65535/],
      ['{ "demo": "yes" }', /^demo: must be true or false \(no quotes\), got "yes"$/],
      ['{ "storage": { "driver": "mysql" } }', /^storage\.driver: must be one of "sqlite", "postgres", got "mysql"$/],
      ['{ "storage": { "driver": "postgres" } }', /^storage\.url: is required; e\.g\. "url": "postgres:\/\//],
      ['{ "storage": { "driver": "postgres", "url": "postgres://h/db", "file": "x.db" } }', /^storage\.file: is not a setting here; the settings are "driver", "url", "schema", "poolSize"$/],
      ['{ "storage": { "driver": "postgres", "url": "postgres://h/db", "schema": "Bad-Name" } }', /^storage\.schema: must be a lower-case SQL identifier/],
      ['{ "mqtt": { "mode": "external" } }', /^mqtt\.url: is required; e\.g\. "url": "mqtt:\/\/127\.0\.0\.1:1883"$/],
      ['{ "mqtt": { "mode": "external", "url": "localhost:1883" } }', /^mqtt\.url: must be a broker URL/],
      ['{ "mqtt": { "mode": "external", "url": "mqtt://h", "clientId": "server-1" } }', /^mqtt\.clientId: must not look like a device id/],
      ['{ "mqtt": { "sharedGroup": "ingest" } }', /^mqtt\.sharedGroup: needs an external broker .* set "mode": "external"/],
      ['{ "mqtt": { "gateway": { "keyringFile": "k.json" } } }', /^mqtt\.gateway\.keyringFile: the server keeps the keyring in its store/],
      ['{ "mqtt": { "gateway": { "tcp": { "port": -1 } } } }', /^mqtt\.gateway: tcp\.port must be an integer from 0 to 65535, got -1/],
      ['{ "mqtt": { "mode": "external", "url": "mqtt://h", "passwordFile": "nope" } }', /^mqtt\.passwordFile: cannot read .*nope/],
      ['[1]', /^the config must be an object/],
      ['{ "http": { "port": 8080 }\n  "demo": true }', /^line 2, column 3: CommaExpected; the file must be JSON/],
    ];
    for (const [text, message] of bad) {
      const run = () => parseServerConfig(text, tmpdir());
      expect(run, text).toThrow(ServerConfigError);
      expect(run, text).toThrow(message);
    }
  });

  it('prefixes errors with the file they are in', () => {
    expect(() => loadServerConfig('/nonexistent/wastetrail.jsonc')).toThrow(/^\/nonexistent\/wastetrail\.jsonc: cannot read the config file/);
  });
});
