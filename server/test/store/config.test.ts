import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LOG_SETTINGS } from '@wastetrail/runtime';
import { cosigner, cosignerKeyString, ed25519KeyPairFromSeed, ed25519Signer, noteSigner, verifierKeyString } from '@wastetrail/firmware-protocol';
import { DEFAULT_LIMITS } from '@wastetrail/gateway';
import { loadServerConfig, parseServerConfig } from '../../src/config/index.ts';
import { DEFAULT_INGEST_SETTINGS } from '../../src/ingest/index.ts';

const EXAMPLE = new URL('../../config/example.jsonc', import.meta.url).pathname;

describe('the server config file', () => {
  it('reads the committed example: its values are the defaults', () => {
    const c = loadServerConfig(EXAMPLE);
    const base = new URL('../../config/', import.meta.url).pathname;
    expect(c.dataDir).toBe(join(base, 'data'));
    expect(c.storage).toEqual({ driver: 'sqlite', file: join(base, 'data', 'wastetrail.db'), synchronous: 'normal' });
    expect(c.mqtt).toEqual({ mode: 'embedded', gateway: { tcp: { port: 1883 }, server: { username: 'wastetrail_server' }, authSkewMs: 300_000, limits: DEFAULT_LIMITS } });
    expect(c.ingest).toEqual(DEFAULT_INGEST_SETTINGS);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false, serveMetrics: false });
    expect(c.metrics).toBeUndefined();
    expect(c.alerting).toEqual({ tickMs: 60_000 });
    expect(c).toMatchObject({ demo: false, log: DEFAULT_LOG_SETTINGS, shutdownTimeoutMs: 10_000 });
    const { file: _file, ...fromExample } = c;
    expect(parseServerConfig('{}', base)).toEqual(fromExample);
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
    expect(c.http).toEqual({ host: '127.0.0.1', port: 0, maxEventLoopDelayMs: 0, maxRssBytes: 2_000_000_000, retryAfterSeconds: 30, trustProxy: false, serveMetrics: false });
    expect(c.shutdownTimeoutMs).toBe(5000);
    expect(() => parseServerConfig('{ "http": { "retryAfterSeconds": 0 } }', tmpdir())).toThrow(/^http\.retryAfterSeconds: must be a whole number from 1 to 86400 \(s\), got 0$/);
    expect(() => parseServerConfig('{ "http": { "maxHeapUsedBytes": -1 } }', tmpdir())).toThrow(/^http\.maxHeapUsedBytes: must be a whole number of at least 0 \(bytes\), got -1$/);
    expect(() => parseServerConfig('{ "shutdownTimeoutMs": "10s" }', tmpdir())).toThrow(/^shutdownTimeoutMs: must be a whole number from 100 to 600000 \(ms\); the default is 10000, got "10s"$/);
  });

  it('reads the proxy trust and where metrics are served', () => {
    const c = parseServerConfig('{ "http": { "trustProxy": ["127.0.0.1", "10.0.0.0/8"], "serveMetrics": true }, "metrics": { "port": 9464 } }', tmpdir());
    expect(c.http).toMatchObject({ trustProxy: ['127.0.0.1', '10.0.0.0/8'], serveMetrics: true });
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseServerConfig('{ "http": { "trustProxy": 2 } }', tmpdir()).http.trustProxy).toBe(2);
    expect(() => parseServerConfig('{ "http": { "trustProxy": "yes" } }', tmpdir())).toThrow(/^http\.trustProxy: /);
  });

  it('reads the witnesses of the verifiable log as keys; a log key or a broken one names the entry', () => {
    const witness = cosigner('witness.example/w1', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(4)).privateKeyPem));
    const vkey = cosignerKeyString(witness);
    const c = parseServerConfig(JSON.stringify({ verifiableLog: { witnesses: [vkey] } }), tmpdir());
    expect(c.verifiableLog.witnesses).toEqual([{ name: witness.name, keyId: witness.keyId, publicKey: witness.publicKey }]);
    const logKey = verifierKeyString(noteSigner('witness.example/w1', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(4)).privateKeyPem)));
    expect(() => parseServerConfig(JSON.stringify({ verifiableLog: { witnesses: [vkey, logKey] } }), tmpdir())).toThrow(/^verifiableLog\.witnesses\[1\]: is not a witness key \(signature type 0x01 is not the one expected here/);
    expect(() => parseServerConfig(JSON.stringify({ verifiableLog: { witnesses: ['nope'] } }), tmpdir())).toThrow(ConfigError);
    // The quorum: 0 unless given, never more than the witnesses listed.
    expect(c.verifiableLog.quorum).toBe(0);
    expect(parseServerConfig(JSON.stringify({ verifiableLog: { witnesses: [vkey], quorum: 1 } }), tmpdir()).verifiableLog.quorum).toBe(1);
    expect(() => parseServerConfig(JSON.stringify({ verifiableLog: { witnesses: [vkey], quorum: 2 } }), tmpdir())).toThrow(/^verifiableLog\.quorum: is 2, more than the 1 witness\(es\) configured/);
    expect(() => parseServerConfig(JSON.stringify({ verifiableLog: { quorum: -1 } }), tmpdir())).toThrow(/^verifiableLog\.quorum: /);
  });

  it('reads a PostgreSQL store', () => {
    const c = parseServerConfig('{ "storage": { "driver": "postgres", "url": "postgres://wastetrail@db:5432/wastetrail", "schema": "wastetrail" } }', tmpdir());
    expect(c.storage).toEqual({ driver: 'postgres', url: 'postgres://wastetrail@db:5432/wastetrail', schema: 'wastetrail', poolSize: 10 });
  });

  it('names the field, what it must be and what was given in every error', () => {
    const bad: Array<[string, RegExp]> = [
      ['{ "ingest": { "batchMs": "5" } }', /^ingest\.batchMs: must be a whole number from 1 to 10000 \(ms\); the default is 5, got "5"$/],
      ['{ "ingest": { "batchSize": 5 } }', /^ingest\.batchSize: is not a setting here; the settings are "batchMs", /],
      ['{ "ingest": { "verifyWorkers": "many" } }', /^ingest\.verifyWorkers: must be "auto" or a number of worker threads from 0 to 256 \(0 verifies on the main thread\); the default is "auto", got "many"$/],
      ['{ "http": { "port": 70000 } }', /^http\.port: must be a whole number from 0 to 65535; the default is 8080, got 70000$/],
      ['{ "demo": "yes" }', /^demo: must be true or false \(no quotes\); the default is false, got "yes"$/],
      ['{ "logLevel": "info" }', /^logLevel: is now "log": \{ "level": "info" \}/],
      ['{ "mqtt": { "gateway": { "log": { "level": "debug" } } } }', /^mqtt\.gateway\.log: the gateway logs through the server: set the top-level "log"$/],
      ['{ "mqtt": { "gateway": { "metrics": { "port": 9464 } } } }', /^mqtt\.gateway\.metrics: is not a setting here; /],
      ['{ "log": { "level": "verbose" } }', /^log\.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"; the default is "info", got "verbose"$/],
      ['{ "storage": { "driver": "mysql" } }', /^storage\.driver: must be one of "sqlite", "postgres", got "mysql"$/],
      ['{ "storage": { "driver": "postgres" } }', /^storage\.url: is required; must be a URL like "postgres:\/\/user@host:5432\/database"/],
      ['{ "storage": { "driver": "postgres", "url": "postgres://h/db", "file": "x.db" } }', /^storage\.file: is not a setting here; the settings are "driver", "url", "schema", "poolSize"$/],
      ['{ "storage": { "driver": "postgres", "url": "postgres://h/db", "schema": "Bad-Name" } }', /^storage\.schema: must be a lower-case SQL identifier, e\.g\. "wastetrail"; the default is "public", got "Bad-Name"$/],
      ['{ "mqtt": { "mode": "external" } }', /^mqtt\.url: is required; must be a broker URL such as "mqtt:\/\/127\.0\.0\.1:1883" \(mqtt, mqtts, ws or wss\)$/],
      ['{ "mqtt": { "mode": "external", "url": "localhost:1883" } }', /^mqtt\.url: must be a broker URL such as .*, got "localhost:1883"$/],
      ['{ "mqtt": { "mode": "external", "url": "mqtt://h", "clientId": "server-1" } }', /^mqtt\.clientId: must not look like a device id .*got "server-1"$/],
      ['{ "mqtt": { "mode": "external", "url": "mqtt://h", "password": "a", "passwordFile": "b" } }', /^mqtt\.passwordFile: give either "password" or "passwordFile", not both$/],
      ['{ "mqtt": { "sharedGroup": "ingest" } }', /^mqtt\.sharedGroup: needs an external broker .* set "mode": "external" and "url"$/],
      ['{ "mqtt": { "gateway": { "keyringFile": "k.json" } } }', /^mqtt\.gateway\.keyringFile: the server keeps the keyring in its store/],
      ['{ "mqtt": { "gateway": { "tcp": { "port": -1 } } } }', /^mqtt\.gateway\.tcp\.port: must be a whole number from 0 to 65535, got -1$/],
      ['{ "mqtt": { "gateway": { "server": { "username": "ingest-1" } } } }', /^mqtt\.gateway\.server\.username: must not look like a device id/],
      ['{ "mqtt": { "mode": "external", "url": "mqtt://h", "passwordFile": "nope" } }', /^mqtt\.passwordFile: cannot read .*nope/],
      ['{ "alerting": { "tickMs": 10 } }', /^alerting\.tickMs: must be a whole number from 100 to 3600000 \(ms\); the default is 60000, got 10$/],
      ['[1]', /^the config: must be an object \{ \.\.\. \}, got \[1\]$/],
      ['{ "http": { "port": 8080 }\n  "demo": true }', /^line 2, column 3: CommaExpected; the file must be JSON/],
    ];
    for (const [text, message] of bad) {
      const run = () => parseServerConfig(text, tmpdir());
      expect(run, text).toThrow(ConfigError);
      expect(run, text).toThrow(message);
    }
  });

  it('prefixes errors with the file they are in', () => {
    expect(() => loadServerConfig('/nonexistent/wastetrail.jsonc')).toThrow(/^\/nonexistent\/wastetrail\.jsonc: cannot read the config file/);
  });
});
