import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@wastetrail/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword } from '../src/auth/password.ts';
import { DEFAULT_LIMITS, readGatewayConfigFile, resolveGatewayConfig } from '../src/config.ts';

describe('server password hash', () => {
  it('verifies the right password and refuses others', async () => {
    const stored = parsePasswordHash(await hashPassword('s3cret-enough', { log2N: 10 }))!;
    expect(stored.log2N).toBe(10);
    expect(await verifyPassword(stored, Buffer.from('s3cret-enough'))).toBe(true);
    expect(await verifyPassword(stored, Buffer.from('s3cret-enougH'))).toBe(false);
    expect(await verifyPassword(stored, Buffer.from(''))).toBe(false);
  });

  it('refuses hashes that are not ours or ask for absurd costs', () => {
    expect(parsePasswordHash('plaintext')).toBeUndefined();
    expect(parsePasswordHash('$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(parsePasswordHash('$scrypt$ln=14,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeDefined();
  });
});

describe('resolveGatewayConfig', () => {
  it('defaults to TCP on 1883 and the documented limits', () => {
    const c = resolveGatewayConfig({});
    expect(c.tcp).toEqual({ port: 1883 });
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toEqual({ maxPayloadBytes: 262144, maxConnections: 10000, connectTimeoutMs: 10000, rate: { messagesPerSecond: 50, burst: 500, maxDelayMs: 10000 }, loginFailures: { maxFailures: 20, windowMs: 60000, lockoutMs: 60000, logIntervalMs: 60000 } });
    expect(c.authSkewMs).toBe(300_000);
    expect(resolveGatewayConfig({ tcp: false }).tcp).toBeUndefined();
  });

  it('merges partial limits', () => {
    const c = resolveGatewayConfig({ limits: { maxPayloadBytes: 1000, rate: { burst: 5 } } });
    expect(c.limits.maxPayloadBytes).toBe(1000);
    expect(c.limits.rate).toEqual({ ...DEFAULT_LIMITS.rate, burst: 5 });
  });

  it('checks settings from code against the same schema as the file', () => {
    expect(() => resolveGatewayConfig({ limits: { rate: { burst: 0 } } })).toThrow(/^limits\.rate\.burst: must be a whole number from 1 to 1000000 \(messages\); the default is 500, got 0$/);
    expect(() => resolveGatewayConfig({ tcp: { port: 65536 } })).toThrow(/^tcp\.port: must be a whole number from 0 to 65535, got 65536$/);
  });

  it('refuses a server username a device could claim, and a plain-text password hash', () => {
    expect(() => resolveGatewayConfig({ server: { username: 'ingest-server' } })).toThrow(ConfigError);
    expect(() => resolveGatewayConfig({ server: { username: 'ingest-server' } })).toThrow(/^server\.username: must not look like a device id .*got "ingest-server"$/);
    expect(() => resolveGatewayConfig({ server: { username: 'wastetrail_server', passwordHash: 'hunter2' } })).toThrow(/^server\.passwordHash: must be a hash from `wastetrail-gateway hash-password`/);
  });

  it('needs both halves of a TLS key pair', () => {
    expect(() => resolveGatewayConfig({ tls: { port: 8883, cert: 'x' } })).toThrow(/^tls: needs both a certificate \(certFile\) and its private key \(keyFile\)$/);
    expect(() => resolveGatewayConfig({ tls: { port: 8883, certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } })).toThrow(/^tls\.certFile: cannot read \/nonexistent\/cert\.pem/);
  });
});

describe('the --config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wt-gateway-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (text: string) => {
    const file = join(dir, 'gateway.jsonc');
    writeFileSync(file, text);
    return readGatewayConfigFile(file).value;
  };

  it('reads every setting, fills in the defaults and resolves paths against the file', () => {
    const c = read(`{
      // comments are allowed
      "keyringFile": "keyring.json",
      "log": { "level": "debug" },
      "tcp": { "port": 1883, "host": "0.0.0.0" },
      "tls": { "port": 8883, "certFile": "tls/cert.pem", "keyFile": "/etc/tls/key.pem" },
      "websocket": { "port": 8080, "path": "/mqtt" },
      "server": { "passwordHash": "$scrypt$ln=14,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      "authSkewMs": 120000,
      "limits": { "maxConnections": 5000, "rate": { "burst": 600 } },
    }`);
    expect(c.keyringFile).toBe(join(dir, 'keyring.json'));
    expect(c.log).toEqual({ level: 'debug', destination: 'stderr', format: 'json' });
    expect(c.tls).toEqual({ port: 8883, certFile: join(dir, 'tls/cert.pem'), keyFile: '/etc/tls/key.pem' });
    expect(c.websocket).toEqual({ port: 8080, path: '/mqtt' });
    expect(c.server.username).toBe('wastetrail_server');
    expect(c.limits).toEqual({ ...DEFAULT_LIMITS, maxConnections: 5000, rate: { ...DEFAULT_LIMITS.rate, burst: 600 } });
  });

  it('reads the metrics listener: 127.0.0.1 unless told', () => {
    expect(read('{ "metrics": { "port": 9464 } }').metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(read('{}').metrics).toBeUndefined();
  });

  it('names the file, the field, what it must be and what was given', () => {
    const file = join(dir, 'gateway.jsonc');
    const refused = (text: string) => {
      try {
        read(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).message.slice(file.length + 2);
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(refused('{ "limts": {} }')).toMatch(/^limts: is not a setting here; the settings are "keyringFile", "log", "metrics", "tcp", /);
    expect(refused('{ "tcp": { "port": 70000 } }')).toBe('tcp.port: must be a whole number from 0 to 65535, got 70000');
    expect(refused('{ "metrics": { "host": "127.0.0.1" } }')).toMatch(/^metrics\.port: is required; must be a whole number from 0 to 65535/);
    expect(refused('{ "logLevel": "info" }')).toBe('logLevel: is now "log": { "level": "info" } (levels fatal, error, warn, info, debug, trace, silent)');
    expect(refused('{ "log": { "level": "loud" } }')).toBe('log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"; the default is "info", got "loud"');
    expect(refused('{ "websocket": { "port": 8080, "path": "mqtt" } }')).toBe('websocket.path: must be a URL path starting with /, e.g. "/mqtt", got "mqtt"');
    expect(refused('{ "tls": { "port": 8883, "certFile": "c.pem" } }')).toBe('tls: needs both "certFile" and "keyFile" (PEM files)');
    expect(refused('{ "server": { "username": "ingest-server" } }')).toMatch(/^server\.username: must not look like a device id/);
    expect(refused('{ "limits": { "rate": { "messagesPerSecond": 0.5 } } }')).toBe('limits.rate.messagesPerSecond: must be a whole number from 1 to 1000000 (messages/s); the default is 50, got 0.5');
    expect(refused('{ "tcp": { "port": 1883 }\n  "authSkewMs": 1 }')).toMatch(/^line 2, column 3: CommaExpected/);
  });
});

describe('the committed example configuration', () => {
  it('passes the loader, with paths resolved next to it and the defaults it states', () => {
    const file = fileURLToPath(new URL('../config/example.jsonc', import.meta.url));
    const c = readGatewayConfigFile(file).value;
    expect(c.keyringFile).toBe(join(dirname(file), 'keyring.json'));
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.tcp).toEqual({ port: 1883 });
    expect(c.log).toEqual({ level: 'info', destination: 'stderr', format: 'json' });
    expect(c.tls).toEqual({ port: 8883, certFile: join(dirname(file), 'tls/gateway.crt'), keyFile: join(dirname(file), 'tls/gateway.key') });
  });
});
