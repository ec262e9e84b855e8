import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/index.ts';
import { serverAddresses, spawnServer } from './support.ts';
import { DeviceClient, eventually, openTestStore, provision, TestDevice, uniqueId } from '../ingest/support.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed test must not leave its server running.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(config: string) {
  const s = spawnServer(config);
  children.push(s.child);
  return s;
}
const addresses = serverAddresses;

/**
 * A login whose body has not arrived yet: the server has its headers (it answered 100 Continue), so
 * the request is in flight until `finish()` sends the body; `finish()` resolves with the raw response
 * once the server has closed the connection.
 */
async function requestInFlight(http: URL): Promise<{ socket: Socket; finish(): Promise<string> }> {
  const body = JSON.stringify({ username: 'nobody', password: 'not a password' });
  const socket = connect(Number(http.port), http.hostname);
  let received = '';
  socket.setEncoding('utf8').on('data', (d: string) => (received += d));
  socket.write(`POST /api/v1/session HTTP/1.1\r\nHost: ${http.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
  await eventually(() => received.startsWith('HTTP/1.1 100 Continue'), 'the server to take the request');
  received = '';
  return {
    socket,
    finish: () =>
      new Promise<string>((resolve) => {
        socket.on('end', () => resolve(received));
        socket.write(body);
      }),
  };
}

/** Whether a new TCP connection to `http` is refused. */
function refusesConnections(http: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(Number(http.port), http.hostname);
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('wastetrail server --config', () => {
  it('starts the embedded gateway with the SQLite store, refuses an anonymous client, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.jsonc'), `// test\n{ "dataDir": "./data", "mqtt": { "mode": "embedded", "gateway": { "tcp": { "port": 0, "host": "127.0.0.1" } } }, "http": { "port": 0 } }`);
    const s = start(join(dir, 'server.jsonc'));
    const first = await s.nextLine();
    expect(first).toMatch(/^listening mqtt mqtt:\/\/127\.0\.0\.1:\d+$/);
    const url = first.split(' ')[2]!;
    const second = await s.nextLine();
    expect(second).toMatch(/^listening http http:\/\/127\.0\.0\.1:\d+\/$/);
    const health = await fetch(new URL('/healthz', second.split(' ')[2]!));
    expect(health.status).toBe(200);
    const unauthenticated = await fetch(new URL('/api/v1/bags', second.split(' ')[2]!));
    expect(unauthenticated.status).toBe(401);
    const refused = await new Promise<string>((resolve) => {
      const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000 });
      c.on('error', (e) => {
        c.end(true);
        resolve(e.message);
      });
    });
    expect(refused).toMatch(/Not authorized|Bad username or password/i);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(logLines(s.stderr())).toContainEqual(expect.objectContaining({ level: 30, msg: 'shutting down', signal: 'SIGTERM' }));
  });

  it('SIGTERM drains: the request in flight is answered, new connections are refused, records received are committed and projected, parts close in order; exit 0', async () => {
    // A store with one provisioned device; the server runs on it with a commit every 10 s at most, so the
    // records below are still pending when SIGTERM comes.
    const t = await openTestStore();
    dirs.push(dirname(t.file));
    const device = new TestDevice(uniqueId('hz-h001-kiosk'));
    await provision(t.store, device);
    await t.store.close();
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    const config = { dataDir: './data', storage: { file: t.file }, ingest: { batchMs: 10_000 }, mqtt: { gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } };
    writeFileSync(join(dir, 'server.jsonc'), JSON.stringify(config));
    const s = start(join(dir, 'server.jsonc'));
    const at = await addresses(s);

    const client = await DeviceClient.connect(at.mqtt, device, 'token');
    try {
      await client.publish(device.seal(3));
      const login = await requestInFlight(at.http);
      // Not acknowledged: the records wait for their commit.
      expect(client.acks).toEqual([]);
      s.child.kill('SIGTERM');

      await eventually(() => refusesConnections(at.http), 'new connections refused');
      const answer = await login.finish();
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer).toContain('"code":"INVALID_CREDENTIALS"');
      expect(await s.exited, s.stderr()).toBe(0);
    } finally {
      await client.client.endAsync(true);
    }

    const closing = logLines(s.stderr()).filter((l) => l.msg.startsWith('closing '));
    expect(closing.map((l) => l.msg.slice('closing '.length))).toEqual(['http', 'ingest', 'mqtt client', 'gateway', 'alerting', 'change delivery', 'checkpoints', 'store']);
    const store = openSqliteStore(t.file);
    try {
      expect(await store.countRecords()).toBe(3);
      // Alerting closed after ingest, so the last commit's bags are projected too.
      expect((await store.searchBags({ limit: 10 })).total).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('a shutdown that does not finish within shutdownTimeoutMs exits 1 and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.jsonc'), JSON.stringify({ dataDir: './data', shutdownTimeoutMs: 500, mqtt: { gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } }));
    const s = start(join(dir, 'server.jsonc'));
    const at = await addresses(s);
    // A request whose body never comes holds the HTTP close open.
    const stuck = await requestInFlight(at.http);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(1);
    expect(logLines(s.stderr())).toContainEqual(expect.objectContaining({ level: 60, msg: 'not closed after 500 ms: exiting before everything is closed' }));
    stuck.socket.destroy();
  });

  it('prints the log key it made (kept 0600 under dataDir, never logged) and serves the same key and a signed checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    const config = { dataDir: './data', verifiableLog: { origin: 'log.wastetrail.example/serve-test' }, mqtt: { gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } };
    writeFileSync(join(dir, 'server.jsonc'), JSON.stringify(config));
    const s = start(join(dir, 'server.jsonc'));
    const at = await addresses(s);
    const keyLine = await s.nextLine();
    expect(keyLine).toMatch(/^log key log\.wastetrail\.example\/serve-test\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const served = await fetch(new URL('/log/v1/key', at.http));
    expect((await served.text()).trim()).toBe(keyLine.slice('log key '.length));
    const checkpoint = await (await fetch(new URL('/log/v1/checkpoint', at.http))).text();
    expect(checkpoint).toMatch(/^log\.wastetrail\.example\/serve-test\n0\n47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u2014 log\.wastetrail\.example\/serve-test /);
    expect(statSync(join(dir, 'data', 'log', 'log-key.pem')).mode & 0o777).toBe(0o600);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).not.toContain('PRIVATE KEY');
    expect(logLines(s.stderr())).toContainEqual(expect.objectContaining({ msg: keyLine, verifierKey: keyLine.slice('log key '.length), created: true }));
  });

  it('a bad configuration names the field: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.jsonc'), `{ "ingest": { "batchMs": "5" } }`);
    const s = start(join(dir, 'server.jsonc'));
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toBe(`wastetrail server: ${join(dir, 'server.jsonc')}: ingest.batchMs: must be a whole number from 1 to 10000 (ms); the default is 5, got "5"\n`);
    writeFileSync(join(dir, 'server.jsonc'), `{ "rules": { "storageOverdue": { "criticalHours": "two days" } } }`);
    const r = start(join(dir, 'server.jsonc'));
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/: rules\.storageOverdue: is a threshold: put it under "defaults" \(or under a jurisdiction in "jurisdictions"\)\n$/);
  });
});

/** The server's log: JSON lines (pino) on stderr by default. */
function logLines(stderr: string): Array<{ level: number; msg: string; [field: string]: unknown }> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });
}
