import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type MqttClient } from 'mqtt';
import { allDevicesTopic, deviceTopic } from '@wastetrail/firmware-protocol';
import { hashPassword } from '../src/auth/password.ts';
import { endAll, keyringJson, makeDevice, tokenFor, waitFor } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/wastetrail-gateway.js', import.meta.url));
const SERVER_PASSWORD = 'standalone server password';
const dev = makeDevice('furnace-line-2');

function hasMosquittoPub(): boolean {
  try {
    execFileSync('mosquitto_pub', ['--help'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // --help exits non-zero on some versions; only a missing binary matters.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const r: Running = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout.on('data', (d: Buffer) => (r.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
  return r;
}

async function listeningPort(r: Running): Promise<number> {
  await waitFor(() => /listening tcp mqtt:\/\/\S+:\d+\n/.test(r.stdout) || r.child.exitCode !== null, 15_000, 'the gateway to listen');
  const m = /listening tcp mqtt:\/\/\S+:(\d+)\n/.exec(r.stdout);
  if (!m) throw new Error(`gateway did not start:\n${r.stderr}`);
  return Number(m[1]);
}

function mosquittoPub(port: number, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-q', '1', ...args], { timeout: 10_000 }, (err, _out, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
    );
  });
}

describe('standalone gateway (bin) with a stock mosquitto_pub', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(hasMosquittoPub())) throw new Error('mosquitto_pub is not installed (Debian package mosquitto-clients; .ci/run installs it)');
  });
  let dir: string;
  let keyringFile: string;
  let gateway: Running;
  let port: number;
  let metricsUrl: string;
  let server: MqttClient;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wt-gateway-cli-'));
    keyringFile = join(dir, 'keyring.json');
    writeFileSync(keyringFile, keyringJson([dev]));
    writeFileSync(
      join(dir, 'gateway.json'),
      JSON.stringify({
        server: { username: 'wastetrail_server', passwordHash: await hashPassword(SERVER_PASSWORD, { log2N: 10 }) },
        log: { level: 'info' },
        limits: { loginFailures: { logIntervalMs: 200 } },
      }),
    );
    gateway = run(['--port', '0', '--keyring', keyringFile, '--config', join(dir, 'gateway.json'), '--metrics-port', '0']);
    port = await listeningPort(gateway);
    // The metrics line follows the MQTT ones: wait for it rather than read stdout once.
    await waitFor(() => /listening metrics (\S+)\n/.test(gateway.stdout), 10_000, 'the metrics listener');
    metricsUrl = /listening metrics (\S+)\n/.exec(gateway.stdout)![1]!;
    server = connect(`mqtt://127.0.0.1:${port}`, {
      clientId: 'wastetrail_server_test',
      username: 'wastetrail_server',
      password: SERVER_PASSWORD,
      reconnectPeriod: 0,
    });
    server.on('message', (_t, p) => received.push(p.toString()));
    await new Promise((resolve, reject) => server.once('connect', resolve).once('error', reject));
    await server.subscribeAsync(allDevicesTopic('status'), { qos: 1 });
  });

  afterAll(async () => {
    await endAll(server);
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await gateway.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses mosquitto_pub without credentials (5, not authorised)', async () => {
    const r = await mosquittoPub(port, ['-t', deviceTopic(dev.id, 'status'), '-m', 'anonymous']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not authorised');
  });

  it('refuses mosquitto_pub with a password that is not a valid token (4)', async () => {
    const r = await mosquittoPub(port, ['-i', dev.id, '-u', dev.id, '-P', 'letmein', '-t', deviceTopic(dev.id, 'status'), '-m', 'guess']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bad user name or password');
  });

  it('serves /metrics over HTTP: a refused connection is counted by reason and logged as JSON lines', async () => {
    const failures = async () => Number(/^wastetrail_gateway_auth_failures_total\{reason="anonymous"\} (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1]);
    const before = await failures();
    expect(before).toBeGreaterThanOrEqual(0);
    expect((await mosquittoPub(port, ['-t', deviceTopic(dev.id, 'status'), '-m', 'anonymous'])).code).not.toBe(0);
    expect(await failures()).toBe(before + 1);
    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('wastetrail_gateway_connected_server_clients 1\n');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    const lines = () =>
      gateway.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The first refusal from an address in an interval is logged in full (the earlier test's bad
    // password, or this one); later ones in one summary line when the interval (200 ms here) ends.
    const refusal = () => lines().find((l) => l.msg === 'connection refused' && String(l.remote).endsWith('127.0.0.1'));
    const summarised = () => lines().find((l) => l.msg === 'more connections refused (summary)' && (l.byReason as Record<string, number>).anonymous === 1);
    await waitFor(() => refusal() !== undefined && (refusal()!.reason === 'anonymous' || summarised() !== undefined), 5000, 'the refusal in the log');
    expect(refusal()).toMatchObject({ name: 'wastetrail-gateway', level: 40, connack: expect.any(Number) });
  });

  it('accepts mosquitto_pub with a valid token, and the message reaches the server', async () => {
    const r = await mosquittoPub(port, ['-i', dev.id, '-u', dev.id, '-P', tokenFor(dev), '-t', deviceTopic(dev.id, 'status'), '-m', 'hello from mosquitto_pub']);
    expect(r).toEqual({ code: 0, stderr: '' });
    await waitFor(() => received.includes('hello from mosquitto_pub'), 2000, 'the message');
    expect(received).toEqual(['hello from mosquitto_pub']);
  });

  it('re-reads the keyring on SIGHUP: a revoked device is refused from then on', async () => {
    writeFileSync(keyringFile, keyringJson([dev], { revoked: [dev.id] }));
    gateway.child.kill('SIGHUP');
    await waitFor(() => gateway.stderr.includes('keyring loaded'), 5000, 'the reload');
    const r = await mosquittoPub(port, ['-i', dev.id, '-u', dev.id, '-P', tokenFor(dev), '-t', deviceTopic(dev.id, 'status'), '-m', 'after revocation']);
    expect(r.stderr).toContain('not authorised');
  });

  it('fails with a clear message when its port is taken', async () => {
    const second = run(['--port', String(port), '--keyring', keyringFile]);
    expect(await second.exited).toBe(1);
    expect(second.stderr).toContain(`port ${port} is in use; choose another with --port`);
    expect(second.stdout).toBe('');
  });

  it('refuses a config file with a wrong value with exit code 2, naming the file, the field and the value', async () => {
    const file = join(dir, 'bad.jsonc');
    writeFileSync(file, '{ "tcp": { "port": 70000 } }');
    const bad = run(['--keyring', keyringFile, '--config', file]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toBe(`wastetrail-gateway: ${file}: tcp.port: must be a whole number from 0 to 65535, got 70000\n`);
    expect(bad.stdout).toBe('');
  });

  it('shuts down on SIGTERM with exit code 0', async () => {
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });
});
