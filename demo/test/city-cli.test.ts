/**
 * `wastetrail-demo city` as a user runs it on its own: keys and keyring first (--keys-only), then the
 * gateway alone (`wastetrail-gateway --keyring`, a child process) with that keyring, then the city
 * against it for a few seconds. A stand-in for the server logs in to the gateway as the server,
 * collects the records and acknowledges each one, as the server does once it has stored it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { allDevicesTopic, decodeEnvelope, deviceTopic, parseDeviceTopic, parseKeyring, recordHash, splitEnvelopeLines } from '@wastetrail/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../bin/wastetrail-demo.js', import.meta.url));
const GATEWAY = fileURLToPath(new URL('../../gateway/bin/wastetrail-gateway.js', import.meta.url));
const SERVER_PASSWORD = 'city-cli-test-server-password';

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0).reverse()) await f();
});

function run(bin: string, args: string[], stdin?: string): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('wastetrail-demo city', () => {
  it('writes its keyring, runs against a separately started gateway, and its records are delivered and acknowledged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wt-city-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const data = join(dir, 'data');
    const keyringFile = join(dir, 'keyring.json');

    // 1. Keys and keyring only.
    const keys = run(DEMO, ['city', '--keys-only', '--data', data, '--keyring-out', keyringFile, '--institutions', '1', '--seed', '7']);
    expect(await keys.exited).toBe(0);
    const keyring = parseKeyring(JSON.parse(readFileSync(keyringFile, 'utf8')));
    if (!keyring.ok) throw new Error(keyring.error.message);
    const stations = [...keyring.value.devices.keys()];
    expect(stations.length).toBeGreaterThan(3);
    for (const s of stations) expect(existsSync(join(data, 'devices', s, 'device.key'))).toBe(true);

    // 2. The gateway alone, with that keyring; the city's clock runs ahead of real time (docs/demo.md).
    const hash = run(GATEWAY, ['hash-password'], `${SERVER_PASSWORD}\n`);
    expect(await hash.exited).toBe(0);
    const passwordHash = hash.out().trim();
    const config = join(dir, 'gateway.json');
    await writeFile(config, JSON.stringify({ authSkewMs: 86_400_000, server: { username: 'wastetrail_server', passwordHash } }));
    const gateway = run(GATEWAY, ['--keyring', keyringFile, '--port', '0', '--host', '127.0.0.1', '--config', config, '--log-level', 'warn']);
    await until('the gateway to listen', () => /listening tcp mqtt:\/\/\S+/.test(gateway.out()), 15_000);
    const url = /listening tcp (mqtt:\/\/\S+)/.exec(gateway.out())![1]!;

    // 3. A stand-in for the server: every record received, each acknowledged in chain order.
    const server: MqttClient = await mqtt.connectAsync(url, { clientId: 'wastetrail_server_city_test', username: 'wastetrail_server', password: SERVER_PASSWORD, protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => server.endAsync(true));
    const received = new Map<string, number>();
    server.on('message', (topic, payload) => {
      const device = parseDeviceTopic(topic)?.device;
      if (!device) return;
      for (const line of splitEnvelopeLines(payload.toString())) {
        const env = decodeEnvelope(line);
        if (!env.ok) continue;
        const seq = seqOf(env.value.bytes);
        if (seq !== (received.get(device) ?? 0) + 1) continue;
        received.set(device, seq);
        void server.publishAsync(deviceTopic(device, 'acks'), JSON.stringify({ v: 1, seq, hash: recordHash(env.value.bytes) }), { qos: 1, retain: true });
      }
    });
    await server.subscribeAsync(allDevicesTopic('records'), { qos: 1 });

    // 4. The city for a few seconds, a day a minute, from this morning.
    const city = run(DEMO, ['city', '--mqtt', url, '--data', data, '--institutions', '1', '--seed', '7', '--speed', '1440', '--for', '6']);
    const code = await Promise.race([city.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 90_000))]);
    expect(code, city.err()).toBe(0);
    const total = [...received.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    const summary = /(\d+) records signed, (\d+) acknowledged, (\d+) not acknowledged; sealed (\d+)/.exec(city.out());
    expect(summary, city.out()).not.toBeNull();
    const [, signed, acked, , sealed] = summary!.map(Number);
    expect(signed).toBeGreaterThan(0);
    expect(sealed).toBeGreaterThan(0);
    expect(acked).toBe(signed);
    expect(total).toBe(signed);
    // The progress display ran on stderr.
    expect(city.err()).toMatch(/sealed \d+ +picked-up \d+/);
    expect(city.err()).toMatch(/stations/);
  }, 150_000);

  it('refuses to run without a broker, and names the option', async () => {
    const r = run(DEMO, ['city', '--institutions', '1']);
    expect(await r.exited).toBe(2);
    expect(r.err()).toMatch(/--mqtt/);
  });
});

function seqOf(bytes: Uint8Array): number {
  return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { seq: number }).seq;
}
