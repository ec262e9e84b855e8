/**
 * Random and mutated MQTT payloads at ingest: a running server (embedded gateway, ingest, alerting,
 * SQLite, in this process) and logged-in devices publishing them on their records and status topics
 * (QoS 1, many in flight). A payload is random bytes, a mutated genuine payload (one or more envelope
 * lines of the devices' own signed records), or random JSON. Counted: payloads, exceptions in the
 * process (must be 0), records stored that are not the devices' genuine ones (must be 0), and at the
 * end the server must still take a genuine record and answer its health check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceAuthToken, deviceTopic, encodeEnvelope, seededRandom, utf8 } from '@wastetrail/firmware-protocol';
import { parseServerConfig, startServer, type SqliteStore } from '@wastetrail/server';
import { CAMPAIGN_RATE } from '../campaign-config.ts';
import { extendChain, newDevice, type Device } from '../tamper/forge.ts';
import { int, mutate, randomBytes, randomJson } from './mutate.ts';

export interface MqttFuzzResult {
  payloads: number;
  byKind: Record<string, number>;
  exceptions: string[];
  /** Stored records that are not one of the devices' genuine records. */
  foreignStored: number;
  quarantined: number;
  /** A genuine record published after the fuzzing: acknowledged and stored. */
  stillTakesRecords: boolean;
  healthStatus: number;
  payloadsPerSecond: number;
}

const DEVICES = 10;

const ENVELOPE_KEYS = ['record', 'sig', 'v', 'seq', 'device', '__proto__', 'constructor'];

export async function fuzzMqtt(o: { payloads: number; seed: number; log: (line: string) => void; onException: (handler: (err: unknown) => void) => () => void }): Promise<MqttFuzzResult> {
  const random = seededRandom(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'wastetrail-fuzz-mqtt-'));
  const exceptions: string[] = [];
  const stopWatching = o.onException((err) => exceptions.length < 20 && exceptions.push((err as Error)?.stack ?? String(err)));
  const config = parseServerConfig(
    JSON.stringify({ dataDir: join(dir, 'server'), mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' }, limits: CAMPAIGN_RATE } }, http: { host: '127.0.0.1', port: 0 }, log: { level: 'fatal' } }),
    dir,
  );
  const server = await startServer(config);
  const store = server.store as SqliteStore;
  const clients: MqttClient[] = [];
  try {
    await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
    await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
    const devices: Device[] = Array.from({ length: DEVICES }, (_, i) => newDevice(`fuzz-${i}`));
    for (const d of devices) await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: d.publicKey }] });
    await server.reloadKeyring();
    // Genuine chains: the seeds of the mutations (published in pieces, mutated, out of order).
    for (const d of devices) extendChain(d, 40, Date.now() - 3600_000);
    const genuine = new Set(devices.flatMap((d) => d.chain.map((r) => r.hash)));
    const seeds = devices.flatMap((d) => d.chain.map((r) => utf8(encodeEnvelope(r))));
    const connections = await Promise.all(
      devices.map(async (d) => {
        const c = await mqtt.connectAsync(server.mqttUrl!, { clientId: d.id, username: d.id, password: deviceAuthToken(d.id, d.signer, Date.now()), protocolVersion: 4, reconnectPeriod: 0 });
        clients.push(c);
        return c;
      }),
    );
    const byKind: Record<string, number> = {};
    const started = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    for (let n = 0; n < o.payloads; n++) {
      const i = int(random, DEVICES);
      const d = devices[i]!;
      let kind: string;
      let payload: Uint8Array;
      const r = random();
      if (r < 0.15) {
        kind = 'random bytes';
        payload = randomBytes(random, int(random, 600));
      } else if (r < 0.3) {
        kind = 'random JSON';
        payload = utf8(JSON.stringify(randomJson(random, ENVELOPE_KEYS)) ?? 'null');
      } else if (r < 0.45) {
        kind = 'lines of genuine envelopes, mutated';
        const lines = Array.from({ length: 1 + int(random, 5) }, () => seeds[int(random, seeds.length)]!);
        payload = mutate(random, Uint8Array.from(lines.flatMap((l) => [...l, 0x0a])), seeds, 8192);
      } else {
        kind = 'genuine envelope, mutated';
        payload = mutate(random, seeds[int(random, seeds.length)]!, seeds, 2048);
      }
      const topic = random() < 0.1 ? deviceTopic(d.id, 'status') : deviceTopic(d.id, 'records');
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      const p = connections[i]!.publishAsync(topic, Buffer.from(payload), { qos: 1 });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 1000) await Promise.race(inFlight);
      if ((n + 1) % 100_000 === 0) o.log(`mqtt: ${(n + 1).toLocaleString('en')} payloads, ${Math.round(process.memoryUsage().rss / 1e6)} MB RSS`);
    }
    await Promise.all(inFlight);
    await server.ingest.drain();
    const seconds = (performance.now() - started) / 1000;

    // Still working: each device's next genuine record is taken.
    const head = (d: Device) => store.db.$client.prepare('SELECT max(seq) FROM records WHERE device = ?').pluck().get(d.id) as number | null;
    const d0 = devices[0]!;
    const before = head(d0) ?? 0;
    const next = d0.chain.slice(before, before + 1);
    if (next.length === 1) await connections[0]!.publishAsync(deviceTopic(d0.id, 'records'), encodeEnvelope(next[0]!), { qos: 1 });
    const end = Date.now() + 30_000;
    while ((head(d0) ?? 0) <= before && next.length === 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const stored = store.db.$client.prepare('SELECT hash FROM records').pluck().all() as string[];
    const health = await fetch(new URL('/healthz', server.httpUrl)).then((r) => r.status, () => 0);
    return {
      payloads: o.payloads,
      byKind,
      exceptions,
      foreignStored: stored.filter((h) => !genuine.has(h)).length,
      quarantined: store.db.$client.prepare('SELECT count(*) FROM quarantine').pluck().get() as number,
      stillTakesRecords: next.length === 0 || (head(d0) ?? 0) > before,
      healthStatus: health,
      payloadsPerSecond: o.payloads / seconds,
    };
  } finally {
    stopWatching();
    for (const c of clients) await c.endAsync(true).catch(() => {});
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
