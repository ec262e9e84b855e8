/**
 * (c) Latency from a record's creation to the moment the HTTP API returns it, at a steady rate.
 * The server runs as in the ingest bench (startServer in a child process, embedded gateway, SQLite in a
 * temp dir, verifyWorkers "auto"). `devices` simulated devices (plain MQTT clients, device-token
 * login, each with its own registered key) together create `rate` records per second, paced by a 5 ms
 * scheduler, not in bursts: record k is due at k / rate seconds, and each device signs its record (a
 * new bag sealed) when it is due and publishes it at once (QoS 1, one record per message, as a live
 * edge agent does). One record in `sampleEvery` is timed: from just before it is signed (its creation)
 * until the first GET /api/v1/tags/<its tag> (a regulator's bearer token, keep-alive) that returns the
 * bag with its sealed step. Sampled records are polled every `pollMs` ms, so a figure includes up to
 * one poll interval plus one request's time beyond the true moment: the method's resolution. The
 * first `warmupSeconds` are not sampled.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  deviceAuthToken,
  deviceTopic,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  GENESIS_PREV,
  parseAck,
  signRecord,
  toBase64,
  type Ed25519Signer,
} from '@wastetrail/firmware-protocol';
import { createUser } from '../server/src/auth/index.ts';
import { openSqliteStore } from '../server/src/store/index.ts';
import { percentile, progress, type Row } from './harness.ts';
import { killServerProcess, startServerProcess, type ServerProcess } from './ingest.bench.ts';

export interface LatencyBenchOptions {
  seconds: number;
  rate: number;
  devices: number;
  sampleEvery: number;
  pollMs: number;
  warmupSeconds: number;
}

export const DEFAULT_LATENCY: Omit<LatencyBenchOptions, 'seconds'> = { rate: 500, devices: 50, sampleEvery: 50, pollMs: 5, warmupSeconds: 3 };

interface Dev {
  id: string;
  signer: Ed25519Signer;
  seq: number;
  prev: string;
  client?: MqttClient;
}

const USER = { username: 'bench-latency', password: 'latency-bench-secret-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchLatency(o: LatencyBenchOptions): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-latency-'));
  const prefix = `bench-l${randomBytes(3).toString('hex')}`;
  const devices: Dev[] = Array.from({ length: o.devices }, (_, d) => {
    const seed = new Uint8Array(32);
    seed.set(randomBytes(32));
    return { id: `${prefix}-${String(d).padStart(4, '0')}`, signer: ed25519Signer(ed25519KeyPairFromSeed(seed).privateKeyPem), seq: 0, prev: GENESIS_PREV };
  });
  let server: ServerProcess | undefined;
  try {
    const store = openSqliteStore(join(dir, 'wastetrail.db'));
    try {
      await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
      await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
      for (const d of devices) await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: toBase64(d.signer.publicKeySpki) }] });
      const made = await createUser(store, { ...USER, role: 'regulator', scope: 'hz' });
      if (!made.ok) throw new Error(`latency bench: ${made.error.message}`);
    } finally {
      await store.close();
    }
    const config = { dataDir: dir, storage: { driver: 'sqlite', file: 'wastetrail.db' }, mqtt: { mode: 'embedded', gateway: { tcp: { host: '127.0.0.1', port: 0 } } }, http: { host: '127.0.0.1', port: 0 }, ingest: { verifyWorkers: 'auto' } };
    progress('latency: starting the server process');
    server = await startServerProcess(config, dir);
    const base = server.httpUrl.replace(/\/$/, '');
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER) });
    if (!login.ok) throw new Error(`latency bench: login failed: ${login.status} ${await login.text()}`);
    const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };

    let acked = 0;
    for (const d of devices) {
      const client = await mqtt.connectAsync(server.mqttUrl!, { clientId: d.id, username: d.id, password: deviceAuthToken(d.id, d.signer, Date.now()), protocolVersion: 4, reconnectPeriod: 0, clean: true });
      await client.subscribeAsync([deviceTopic(d.id, 'acks'), deviceTopic(d.id, 'commands')], { qos: 1 });
      client.on('message', (topic, payload) => {
        if (topic.endsWith('/acks')) if (parseAck(payload.toString())) acked++;
      });
      d.client = client;
    }

    const latencies: number[] = [];
    const pending = new Set<Promise<void>>();
    let polls = 0;
    let failures = 0;
    const poll = async (tag: string, created: number) => {
      for (;;) {
        polls++;
        const res = await fetch(`${base}/api/v1/tags/${encodeURIComponent(tag)}`, { headers });
        if (res.status === 200) {
          const body = (await res.json()) as { steps?: Array<{ step: string }> };
          if (body.steps?.some((s) => s.step === 'sealed')) {
            latencies.push(performance.now() - created);
            return;
          }
        } else await res.arrayBuffer();
        if (res.status !== 404 && res.status !== 200) failures++;
        if (performance.now() - created > 60_000) throw new Error(`latency bench: ${tag} not queryable after 60 s (last status ${res.status})`);
        await sleep(o.pollMs);
      }
    };

    progress(`latency: ${o.devices} devices create ${o.rate} records/s for ${o.seconds} s (+${o.warmupSeconds} s warm-up); 1 in ${o.sampleEvery} polled every ${o.pollMs} ms`);
    const total = Math.round(o.rate * (o.seconds + o.warmupSeconds));
    const warmup = Math.round(o.rate * o.warmupSeconds);
    let k = 0;
    let lag = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - t0) / 1000) * o.rate));
        lag = Math.max(lag, due - k);
        for (; k < due; k++) {
          const d = devices[k % devices.length]!;
          const tag = `epc:31${(k + 1).toString(16).padStart(22, '0')}`;
          const created = performance.now();
          const r = signRecord(
            { device: d.id, seq: ++d.seq, prev: d.prev, time: new Date().toISOString(), event: { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: 1000 + (k % 4000), unit: 'g' }, department: 'ICU', staff: 'badge-0101' } } },
            d.signer,
          );
          d.prev = r.hash;
          d.client!.publish(deviceTopic(d.id, 'records'), encodeEnvelope(r), { qos: 1 });
          if (k >= warmup && k % o.sampleEvery === 0) {
            const p = poll(tag, created).finally(() => pending.delete(p));
            pending.add(p);
          }
        }
        if (k >= total) {
          clearInterval(tick);
          resolve();
        }
        if (Math.floor((now - t0) / 5000) !== Math.floor((now - t0 - 5) / 5000)) progress(`  latency: ${k.toLocaleString('en')} records created, ${latencies.length} samples, ${((now - t0) / 1000).toFixed(0)} s`);
      }, 5);
    });
    const elapsed = (performance.now() - t0) / 1000;
    await Promise.all([...pending]);
    await Promise.all(devices.map((d) => d.client!.endAsync()));
    const s = server;
    server = undefined;
    const stats = await s.stop();
    if (stats.accepted !== total) throw new Error(`latency bench: the server stored ${String(stats.accepted)} of ${total} records`);
    latencies.sort((a, b) => a - b);
    progress(`latency: ${total} records in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)}/s, scheduler backlog at most ${lag}); ${acked} ack messages; ${latencies.length} samples, ${polls} polls, ${failures} failed polls; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`);
    const what = `${o.rate} records/s steady for ${o.seconds} s, ${o.devices} devices, ${latencies.length} sampled records`;
    return [
      { name: `latency record creation -> queryable via GET /api/v1/tags/:tag, p50, ${what}`, value: percentile(latencies, 50), unit: 'ms' },
      { name: `latency record creation -> queryable via GET /api/v1/tags/:tag, p99, ${what}`, value: percentile(latencies, 99), unit: 'ms', limit: { name: 'target p99', value: 250 }, target: '<= 1 (p99 <= 250 ms)', note: `max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms` },
      { name: `server peak RSS during the steady ${o.rate} records/s run`, value: s.peakRssMb(), unit: 'MB', limit: { name: 'target', value: 300 }, target: '<= 1 (<= 300 MB)' },
    ];
  } finally {
    await Promise.all(devices.map((d) => d.client?.endAsync(true)));
    await killServerProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
