import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword } from '../src/auth/password.ts';
import { DEFAULT_LIMITS, GatewayConfigError, parseGatewayConfigFile, readGatewayConfigFile, resolveGatewayConfig } from '../src/config.ts';

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
    expect(c.authSkewMs).toBe(300_000);
  });

  it('merges partial limits', () => {
    const c = resolveGatewayConfig({ limits: { maxPayloadBytes: 1000, rate: { burst: 5 } } });
    expect(c.limits.maxPayloadBytes).toBe(1000);
    expect(c.limits.rate).toEqual({ ...DEFAULT_LIMITS.rate, burst: 5 });
  });

  it('refuses a server username a device could claim, and a plain-text password hash', () => {
    expect(() => resolveGatewayConfig({ server: { username: 'ingest-server' } })).toThrow(GatewayConfigError);
    expect(() => resolveGatewayConfig({ server: { username: 'wastetrail_server', passwordHash: 'hunter2' } })).toThrow(/hash-password/);
  });

  it('needs both halves of a TLS key pair', () => {
    expect(() => resolveGatewayConfig({ tls: { port: 8883, cert: 'x' } })).toThrow(/private key/);
    expect(() => resolveGatewayConfig({ tls: { port: 8883, certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } })).toThrow(/cannot read/);
  });
});

describe('parseGatewayConfigFile', () => {
  it('reads the documented example and resolves paths against the file', () => {
    const c = parseGatewayConfigFile(
      {
        keyringFile: 'keyring.json',
        tcp: { port: 1883, host: '0.0.0.0' },
        tls: { port: 8883, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' },
        websocket: { port: 8080, path: '/mqtt' },
        server: { username: 'wastetrail_server', passwordHash: '$scrypt$...' },
        authSkewMs: 120000,
        limits: { maxPayloadBytes: 262144, maxConnections: 5000, rate: { messagesPerSecond: 50, burst: 500, maxDelayMs: 10000 } },
      },
      '/etc/wastetrail',
    );
    expect(c.keyringFile).toBe('/etc/wastetrail/keyring.json');
    expect(c.tls).toEqual({ port: 8883, certFile: '/etc/wastetrail/tls/cert.pem', keyFile: '/etc/wastetrail/tls/key.pem' });
    expect(c.websocket).toEqual({ port: 8080, path: '/mqtt' });
    expect(c.limits?.rate?.burst).toBe(500);
  });

  it('reads the log and metrics sections: a log file relative to the config file, metrics on 127.0.0.1 unless told', () => {
    const c = parseGatewayConfigFile({ log: { level: 'debug', destination: 'log/gateway.jsonl' }, metrics: { port: 9464 } }, '/etc/wastetrail');
    expect(c.log).toEqual({ level: 'debug', destination: '/etc/wastetrail/log/gateway.jsonl' });
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseGatewayConfigFile({ log: { destination: 'stderr', format: 'pretty' } }, '/etc').log).toEqual({ destination: 'stderr', format: 'pretty' });
    expect(() => parseGatewayConfigFile({ log: { level: 'verbose' } }, '/')).toThrow(/log\.level/);
    expect(() => parseGatewayConfigFile({ logLevel: 'info' }, '/')).toThrow(/logLevel is not a field/);
  });

  it('names a misspelt or out-of-range field', () => {
    expect(() => parseGatewayConfigFile({ limts: {} }, '/')).toThrow(/limts is not a field/);
    expect(() => parseGatewayConfigFile({ tcp: { port: 70000 } }, '/')).toThrow(/tcp\.port must be an integer from 0 to 65535/);
  });
});

describe('the committed example configuration', () => {
  it('parses, with paths resolved next to it', () => {
    const file = fileURLToPath(new URL('../../docs/gateway/gateway.example.json', import.meta.url));
    const c = readGatewayConfigFile(file);
    expect(c.keyringFile).toBe(join(dirname(file), 'keyring.json'));
    expect(c.limits).toEqual({ ...DEFAULT_LIMITS, rate: DEFAULT_LIMITS.rate });
    expect(c.tcp).toEqual({ port: 1883 });
  });
});
