/**
 * End-to-end ingest: many simulated edge devices (plain MQTT clients, each with its own registered key)
 * -> broker -> server (startServer in a child process: SQLite in a temp dir, verifyWorkers "auto") ->
 * verified, stored, acknowledged. Compared with the limit measured in the same run: raw Ed25519
 * verification on all cores (one worker thread per core). The same run again through Mosquitto
 * (127.0.0.1:1883) when it is reachable. bench/cluster.bench.ts runs it on several server processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import {
  deviceAuthToken,
  deviceTopic,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  GENESIS_PREV,
  parseAck,
  parseCommand,
  signRecord,
  toBase64,
  type Ed25519Signer,
} from '@wastetrail/firmware-protocol';
import { openSqliteStore } from '../server/src/store/index.ts';
import { progress, rate, type Row } from './harness.ts';
import { logShareOfIngestRows } from './log.bench.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const MOSQUITTO = { host: '127.0.0.1', port: 1883 };

export interface IngestBenchOptions {
  seconds: number;
  devices: number;
  recordsPerDevice: number;
  /** Envelopes per MQTT message (one payload carries several, newline-separated). */
  perMessage: number;
  /** Messages a device has sent beyond its last ack (as a device with a bounded outbox would). */
  window: number;
}

// ---- (a) the limit: raw Ed25519 verification on every core ----

const VERIFY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { generateKeyPairSync, sign, verify } = require('node:crypto');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const msg = Buffer.alloc(340, 120);
const sig = sign(null, msg, privateKey);
const warm = performance.now() + 300;
while (performance.now() < warm) verify(null, msg, publicKey, sig);
const start = performance.now();
const end = start + workerData.seconds * 1000;
let n = 0;
while (performance.now() < end) { for (let b = 0; b < 200; b++) verify(null, msg, publicKey, sig); n += 200; }
parentPort.postMessage(n / ((performance.now() - start) / 1000));
`;

/** One round: every core verifies for `seconds`; the sum of their rates. */
async function verifyRound(seconds: number, cores: number): Promise<number> {
  const rates = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(VERIFY_WORKER, { eval: true, workerData: { seconds } });
          w.once('message', (r: number) => {
            resolve(r);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** The best of three rounds: a limit is what the machine can do, and shared machines are noisy. */
export async function rawVerifyAllCores(seconds: number): Promise<{ rate: number; cores: number }> {
  const cores = availableParallelism();
  let best = 0;
  for (let round = 0; round < 3; round++) best = Math.max(best, await verifyRound(seconds, cores));
  return { rate: best, cores };
}

/**
 * CPU time of one raw Ed25519 verify on this thread (node:crypto, cached key, 340-byte message), in ms:
 * process CPU time (user + system) over a timed loop, so a busy machine stretches the wall time but not
 * this figure. The unit of the server-CPU-per-record ratio (issue #17).
 */
export function rawVerifyCpuMs(seconds: number): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const msg = Buffer.alloc(340, 120);
  const sig = sign(null, msg, privateKey);
  let calls = 0;
  const before = process.cpuUsage();
  rate(() => {
    verify(null, msg, publicKey, sig);
    calls++;
  }, seconds);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / calls;
}

// ---- devices ----

interface BenchDevice {
  id: string;
  signer: Ed25519Signer;
  publicKey: string;
  /** Pre-signed envelopes, envelopes[seq - 1]. */
  envelopes: string[];
  /** The same, several envelopes per payload. */
  payloads: string[];
}

function makeDevices(o: IngestBenchOptions, prefix: string): BenchDevice[] {
  // Recent times, one second apart, ending now: old ones would make every bag overdue for the time-based
  // rules, and the run would measure alert writing instead of ingest.
  const t0 = Date.now() - (o.recordsPerDevice + 1) * 1000;
  const devices: BenchDevice[] = [];
  for (let d = 0; d < o.devices; d++) {
    const seed = new Uint8Array(32);
    seed.set(randomBytes(32));
    const signer = ed25519Signer(ed25519KeyPairFromSeed(seed).privateKeyPem);
    const id = `${prefix}-${String(d).padStart(4, '0')}`;
    const envelopes: string[] = [];
    let prev = GENESIS_PREV;
    for (let seq = 1; seq <= o.recordsPerDevice; seq++) {
      const r = signRecord(
        {
          device: id,
          seq,
          prev,
          time: new Date(t0 + seq * 1000).toISOString(),
          event: {
            type: 'sealed',
            body: { tags: [`epc:${(d * 1_000_000 + seq).toString(16).padStart(24, '0')}`], category: 'infectious', weight: { value: 1000 + seq, unit: 'g' }, department: 'ICU', staff: 'badge-0101' },
          },
        },
        signer,
      );
      prev = r.hash;
      envelopes.push(encodeEnvelope(r));
    }
    devices.push({ id, signer, publicKey: toBase64(signer.publicKeySpki), envelopes, payloads: chunk(envelopes, o.perMessage) });
    if ((d + 1) % 50 === 0) progress(`  signed records of ${d + 1} / ${o.devices} devices`);
  }
  return devices;
}

function chunk(envelopes: string[], perMessage: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < envelopes.length; i += perMessage) out.push(envelopes.slice(i, i + perMessage).join('\n'));
  return out;
}

async function provisionStore(file: string, devices: BenchDevice[]): Promise<void> {
  const store = openSqliteStore(file);
  try {
    await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
    await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
    for (const d of devices) await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: d.publicKey }] });
  } finally {
    await store.close();
  }
}

// ---- the server process ----

export interface ServerProcess {
  child: ChildProcess;
  mqttUrl: string | undefined;
  httpUrl: string;
  peakRssMb(): number;
  /** CPU time the process has used so far (user + system, from /proc/<pid>/stat), in seconds. */
  cpuSeconds(): number;
  /** Ends stdin: the server drains, prints its ingest stats and exits. */
  stop(): Promise<Record<string, unknown>>;
}

export function startServerProcess(config: unknown, baseDir: string): Promise<ServerProcess> {
  // BENCH_SERVER_NODE_ARGS: extra node options for the server process only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, join(ROOT, 'bench/ingest-server.mjs'), JSON.stringify(config), baseDir], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let peakKb = 0;
  const sampleRss = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* exited between samples */
    }
  };
  const sampler = setInterval(sampleRss, 50);
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the benchmark server exited (code ${code})`)));
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return nextLine().then((first) => {
    const { mqttUrl, httpUrl } = JSON.parse(first) as { mqttUrl?: string; httpUrl: string };
    return {
      child,
      mqttUrl,
      httpUrl,
      peakRssMb: () => peakKb / 1024,
      cpuSeconds: () => processCpuSeconds(child.pid!),
      async stop() {
        const statsLine = nextLine();
        sampleRss();
        child.stdin!.end();
        const { stats } = JSON.parse(await statsLine) as { stats: Record<string, unknown> };
        sampleRss();
        clearInterval(sampler);
        await exited;
        return stats;
      },
    };
  });
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK; 100 on Linux). */
const CLOCK_TICKS = 100;

/** utime + stime of a process, or of one of its threads (fields 14 and 15 of /proc/<pid>[/task/<tid>]/stat, after the command name), in seconds. */
export function processCpuSeconds(pid: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Kills a benchmark server that was not stopped (a run that failed half-way), and waits for it to go. */
export async function killServerProcess(server: ServerProcess | undefined): Promise<void> {
  if (!server) return;
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

// ---- one end-to-end run ----

export interface RunResult {
  records: number;
  seconds: number;
  perSecond: number;
  /** The largest peak RSS among the server processes. */
  peakRssMb: number;
  /** CPU time of every server process from the first publish to the last ack, summed (s). */
  serverCpuSeconds: number;
  /** The same until the servers are idle again: with the work acks do not wait for (the bag projection). */
  serverCpuSecondsSettled: number;
  /** Each server process's ingest stats. */
  stats: Array<Record<string, unknown>>;
}

/** Servers of another shape than the default single SQLite one, for bench/cluster.bench.ts. */
export interface IngestTarget {
  /** In progress lines. */
  label: string;
  /** Where devices connect (anonymous). */
  deviceUrl: string;
  /** Registers the devices in the store the servers use. */
  provision(devices: ReadonlyArray<{ id: string; publicKey: string }>, dir: string): Promise<void>;
  /** One config per server process. */
  configs(dir: string): unknown[];
}

async function connectDevice(url: string, d: BenchDevice, auth: boolean): Promise<MqttClient> {
  const options = { clientId: d.id, protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 10_000, clean: true };
  if (auth) Object.assign(options, { username: d.id, password: deviceAuthToken(d.id, d.signer, Date.now()) });
  const client = await mqtt.connectAsync(url, options);
  await client.subscribeAsync([deviceTopic(d.id, 'acks'), deviceTopic(d.id, 'commands')], { qos: 1 });
  return client;
}

export async function runIngest(o: IngestBenchOptions, broker: 'embedded' | 'mosquitto' | IngestTarget): Promise<RunResult> {
  const target = typeof broker === 'object' ? broker : undefined;
  const prefix = `bench-${broker === 'embedded' ? 'e' : 'm'}${randomBytes(3).toString('hex')}`;
  const label = target ? target.label : broker;
  progress(`ingest (${label}): signing ${(o.devices * o.recordsPerDevice).toLocaleString('en')} records for ${o.devices} devices`);
  const devices = makeDevices(o, prefix);
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-ingest-'));
  const clients: MqttClient[] = [];
  let servers: ServerProcess[] = [];
  try {
    let configs: unknown[];
    if (target) {
      await target.provision(devices, dir);
      configs = target.configs(dir);
    } else {
      await provisionStore(join(dir, 'wastetrail.db'), devices);
      const mqttConfig =
        broker === 'embedded'
          ? { mode: 'embedded', gateway: { tcp: { host: '127.0.0.1', port: 0 } } }
          : { mode: 'external', url: `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`, clientId: `wastetrail_bench_${randomBytes(4).toString('hex')}` };
      configs = [{ dataDir: dir, storage: { driver: 'sqlite', file: 'wastetrail.db' }, mqtt: mqttConfig, http: { host: '127.0.0.1', port: 0 }, ingest: { verifyWorkers: 'auto' } }];
    }
    progress(`ingest (${label}): starting ${configs.length} server process${configs.length > 1 ? 'es' : ''}`);
    // One after another: the first makes the schema and the log key the others use.
    for (const config of configs) servers.push(await startServerProcess(config, dir));
    const url = target ? target.deviceUrl : broker === 'embedded' ? servers[0]!.mqttUrl! : `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`;

    progress(`ingest (${label}): connecting ${o.devices} devices to ${url}`);
    const acked = new Map<string, () => void>();
    /** Highest acked seq per device, and a waiter for the publish loop. */
    const ackSeq = new Map<string, number>();
    const ackWaiter = new Map<string, { seq: number; resolve: () => void }>();
    let resends = 0;
    const done: Promise<void>[] = [];
    for (let i = 0; i < devices.length; i += 50) {
      const batch = await Promise.all(devices.slice(i, i + 50).map((d) => connectDevice(url, d, broker === 'embedded')));
      batch.forEach((client, k) => {
        const d = devices[i + k]!;
        clients.push(client);
        done.push(new Promise<void>((resolve) => acked.set(d.id, resolve)));
        client.on('message', (topic, payload) => {
          if (topic === deviceTopic(d.id, 'acks')) {
            const ack = parseAck(payload.toString());
            if (!ack) return;
            ackSeq.set(d.id, Math.max(ackSeq.get(d.id) ?? 0, ack.seq));
            const w = ackWaiter.get(d.id);
            if (w && ack.seq >= w.seq) {
              ackWaiter.delete(d.id);
              w.resolve();
            }
            if (ack.seq >= o.recordsPerDevice) acked.get(d.id)?.();
          } else if (topic === deviceTopic(d.id, 'commands')) {
            // As the edge agent does: resend what the server asks for (a broker may drop QoS 1
            // messages when a client's queue is full, e.g. Mosquitto's max_queued_messages).
            const command = parseCommand(payload.toString());
            if (command?.type !== 'resend') return;
            resends++;
            for (const p of chunk(d.envelopes.slice(command.from - 1, command.to ?? command.from), o.perMessage)) {
              void client.publishAsync(deviceTopic(d.id, 'records'), p, { qos: 1 }).catch(() => {});
            }
          }
        });
      });
    }

    const total = o.devices * o.recordsPerDevice;
    progress(`ingest (${label}): publishing ${total.toLocaleString('en')} records (${o.perMessage} per message, at most ${o.window} messages per device beyond its last ack)`);
    const started = performance.now();
    const cpuAtStart = servers.map((s) => s.cpuSeconds());
    let ackedDevices = 0;
    for (const p of done) void p.then(() => ackedDevices++);
    const ackedRecords = () => [...ackSeq.values()].reduce((a, b) => a + b, 0);
    const ticker = setInterval(
      () =>
        progress(
          `  ${ackedRecords().toLocaleString('en')} records and ${ackedDevices} / ${o.devices} devices fully acknowledged, ${resends} resends asked, ${((performance.now() - started) / 1000).toFixed(1)} s`,
        ),
      5000,
    );
    try {
      await Promise.all(
        devices.map(async (d, k) => {
          const client = clients[k]!;
          for (const [m, payload] of d.payloads.entries()) {
            // At most `window` messages beyond the last ack: a broker's queue for the server stays bounded.
            const need = (m - o.window + 1) * o.perMessage;
            if (need > 0 && (ackSeq.get(d.id) ?? 0) < need) await new Promise<void>((resolve) => ackWaiter.set(d.id, { seq: need, resolve }));
            await client.publishAsync(deviceTopic(d.id, 'records'), payload, { qos: 1 });
          }
        }),
      );
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`ingest (${label}): not every device was acknowledged within 3 minutes`)), 180_000).unref());
      await Promise.race([Promise.all(done), timeout]);
    } finally {
      clearInterval(ticker);
    }
    const seconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = servers.reduce((sum, s, i) => sum + s.cpuSeconds() - cpuAtStart[i]!, 0);
    progress(`ingest (${label}): all ${o.devices} devices acknowledged in ${seconds.toFixed(1)} s (${resends} resend commands answered)`);
    const serverCpuSecondsSettled = (await settledCpuSeconds(servers)) - cpuAtStart.reduce((a, b) => a + b, 0);

    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
    const stopping = servers;
    servers = [];
    const stats: Array<Record<string, unknown>> = [];
    for (const s of stopping) stats.push(await s.stop());
    const accepted = stats.reduce((n, st) => n + Number(st.accepted), 0);
    if (accepted !== total) throw new Error(`ingest (${label}): the servers stored ${accepted} records, expected ${total}: ${JSON.stringify(stats)}`);
    return { records: total, seconds, perSecond: total / seconds, peakRssMb: Math.max(...stopping.map((s) => s.peakRssMb())), serverCpuSeconds, serverCpuSecondsSettled, stats };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    for (const s of servers) await killServerProcess(s);
    // The broker persists: leave none of this run's retained acks behind, even after a failure.
    if (broker === 'mosquitto' && !target) await clearRetainedAcks(devices).catch((err: unknown) => progress(`warning: retained acks not cleared: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The servers' summed CPU time once they are idle: sampled every 250 ms until one interval adds at most one
 * clock tick per process (at most 10 s), so the work that follows the acks (the bag projection) is counted.
 */
async function settledCpuSeconds(servers: readonly ServerProcess[]): Promise<number> {
  const total = () => servers.reduce((sum, s) => sum + s.cpuSeconds(), 0);
  let last = total();
  for (const until = performance.now() + 10_000; performance.now() < until; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = total();
    if (now - last <= servers.length / CLOCK_TICKS) return now;
    last = now;
  }
  return last;
}

async function clearRetainedAcks(devices: BenchDevice[]): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`, { clientId: `wastetrail_bench_cleaner_${randomBytes(4).toString('hex')}`, protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await Promise.all(devices.map((d) => client.publishAsync(deviceTopic(d.id, 'acks'), '', { qos: 1, retain: true })));
  } finally {
    await client.endAsync();
  }
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Issue #17's measure: the server's own CPU time (all its threads, /proc) per ingested record, settled
 * (verified, chained, stored, acked, projected), against the CPU time of one raw verify measured here.
 */
export function cpuPerRecordRows(run: RunResult, rawVerifyMs: number, what: string): Row[] {
  const ackedMs = (run.serverCpuSeconds * 1000) / run.records;
  const settledMs = (run.serverCpuSecondsSettled * 1000) / run.records;
  return [
    { name: 'raw Ed25519 verify CPU time, node:crypto, one thread', value: rawVerifyMs * 1000, unit: 'µs' },
    {
      name: `server CPU time per ingested record (user + system, all threads, until idle), embedded gateway, ${what}`,
      value: settledMs * 1000,
      unit: 'µs',
      limit: { name: 'one raw verify', value: rawVerifyMs * 1000 },
      target: '<= 1.5',
      note: `${(ackedMs * 1000).toFixed(0)} µs until the last ack`,
    },
  ];
}

export async function benchIngest(o: IngestBenchOptions): Promise<Row[]> {
  progress(`raw Ed25519 verify on all ${availableParallelism()} cores (one worker thread each, best of 3 rounds)`);
  const all = await rawVerifyAllCores(o.seconds);
  const limit = { name: `raw verify, ${all.cores} cores`, value: all.rate };
  const what = `${o.devices} devices x ${o.recordsPerDevice} records`;
  const rows: Row[] = [{ name: `raw Ed25519 verify, node:crypto, all ${all.cores} cores (best of 3)`, value: all.rate, unit: 'ops/s' }];

  progress('raw Ed25519 verify CPU time (one thread)');
  const rawVerifyMs = rawVerifyCpuMs(o.seconds);
  const e = await runIngest(o, 'embedded');
  const { messages, batches, largestBatch, verifiedInWorkers, verifiedInline } = e.stats[0]!;
  progress(`  server stats: ${JSON.stringify({ messages, batches, largestBatch, verifiedInWorkers, verifiedInline })}`);
  rows.push(
    { name: `ingest end-to-end, embedded gateway, ${what} (verified, stored, acked)`, value: e.perSecond, unit: 'records/s', limit, target: '>= 0.5' },
    { name: `server peak RSS during embedded ingest, ${what}`, value: e.peakRssMb, unit: 'MB', limit: { name: 'target', value: 200 }, target: '<= 1 (<= 200 MB, issue #17)' },
    ...logShareOfIngestRows({ perSecond: e.perSecond, seconds: e.seconds, stats: e.stats[0]! }),
    ...cpuPerRecordRows(e, rawVerifyMs, what),
  );

  if (await reachable(MOSQUITTO.host, MOSQUITTO.port)) {
    const m = await runIngest(o, 'mosquitto');
    rows.push({
      name: `ingest end-to-end, Mosquitto broker, ${what}`,
      value: m.perSecond,
      unit: 'records/s',
      limit: { name: 'embedded gateway', value: e.perSecond },
    });
  } else {
    progress(`note: Mosquitto is not reachable at ${MOSQUITTO.host}:${MOSQUITTO.port}; skipping the Mosquitto ingest row`);
  }
  return rows;
}
