/**
 * (e) Backlog drain and (f) the edge agent's memory: one real edge agent (bench/backlog-edge.ts: the
 * agent's Outbox and Uplink in a child process) with `records` records already committed in its
 * outbox (an outage's backlog) connects to the embedded gateway of a running server (startServer in
 * another child process, SQLite in a temp dir, verifyWorkers "auto") and sends until the server has
 * acknowledged every record. Timed from the agent's uplink start (connect, device-token login
 * included) to the moment its outbox holds the ack of the last record. The agent's and the server's
 * peak RSS (VmHWM) are read from /proc. The progress output also gives the CPU time the drain took in
 * the server (all threads, and its main thread) and in the agent, and ingest's commit and ack counts:
 * what tells whether the server's main thread, its verification worker or the agent holds the drain
 * (docs/performance.md). BENCH_EDGE_NODE_ARGS adds node options to the agent's process (e.g. --cpu-prof).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ed25519KeyPairFromSeed, toBase64 } from '@wastetrail/firmware-protocol';
import { openSqliteStore } from '../server/src/store/index.ts';
import { progress, type Row } from './harness.ts';
import { killServerProcess, processCpuSeconds, startServerProcess, type ServerProcess } from './ingest.bench.ts';

export interface BacklogBenchOptions {
  records: number;
}

/** Peak resident memory of a process in MB, polled from /proc/<pid>/status (VmHWM). */
export function peakRssSampler(pid: number): { sample(): void; mb(): number; stop(): void } {
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 50);
  return { sample, mb: () => peakKb / 1024, stop: () => clearInterval(timer) };
}

/** Settings to try (JSON in an environment variable), merged over the bench's: BENCH_BACKLOG_INGEST (the server's ingest section), BENCH_BACKLOG_EDGE_MQTT (the agent's mqtt section). */
function experiment(name: string): Record<string, unknown> {
  const json = process.env[name];
  return json ? (JSON.parse(json) as Record<string, unknown>) : {};
}

/** CPU time of a process's main thread (its task with the process's own id), in seconds. */
function mainThreadCpuSeconds(pid: number): number {
  return processCpuSeconds(pid, pid);
}

export async function benchBacklog(o: BacklogBenchOptions): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-backlog-'));
  const seed = new Uint8Array(32);
  seed.set(randomBytes(32));
  const pair = ed25519KeyPairFromSeed(seed);
  const deviceId = `bench-backlog-${randomBytes(3).toString('hex')}`;
  let server: ServerProcess | undefined;
  try {
    const store = openSqliteStore(join(dir, 'wastetrail.db'));
    try {
      await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
      await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
      await store.registerDevice({ id: deviceId, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: toBase64(pair.publicKeySpki) }] });
    } finally {
      await store.close();
    }
    const config = { dataDir: dir, storage: { driver: 'sqlite', file: 'wastetrail.db' }, mqtt: { mode: 'embedded', gateway: { tcp: { host: '127.0.0.1', port: 0 } } }, http: { host: '127.0.0.1', port: 0 }, ingest: { verifyWorkers: 'auto', ...experiment('BENCH_BACKLOG_INGEST') } };
    progress('backlog: starting the server process');
    server = await startServerProcess(config, dir);

    progress(`backlog: an edge agent commits ${o.records.toLocaleString('en')} records to its outbox, then connects to ${server.mqttUrl}`);
    const edgeArgs = { deviceId, privateKeyPem: pair.privateKeyPem, records: o.records, mqttUrl: server.mqttUrl!, dir, mqtt: experiment('BENCH_BACKLOG_EDGE_MQTT') };
    // BENCH_EDGE_NODE_ARGS: extra node options for the edge agent's process, as BENCH_SERVER_NODE_ARGS for the server's.
    const edgeNodeArgs = process.env.BENCH_EDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const edge = spawn(process.execPath, [...edgeNodeArgs, '--import', 'tsx', new URL('./backlog-edge.ts', import.meta.url).pathname, JSON.stringify(edgeArgs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rss = peakRssSampler(edge.pid!);
    let fillSeconds = 0;
    let serverCpuAtStart = 0;
    let serverCpuDrain = 0;
    let serverMainAtStart = 0;
    let serverMainDrain = 0;
    let drained: { seconds: number; stats: Record<string, number> } | undefined;
    const lines = createInterface({ input: edge.stdout });
    lines.on('line', (line) => {
      const [what, a, b] = line.split(' ');
      if (what === 'filled') {
        fillSeconds = Number(a);
        serverCpuAtStart = server!.cpuSeconds();
        serverMainAtStart = mainThreadCpuSeconds(server!.child.pid!);
        progress(`  backlog: ${o.records.toLocaleString('en')} records committed in ${fillSeconds.toFixed(1)} s; draining`);
      } else if (what === 'acked') progress(`  backlog: ${Number(a).toLocaleString('en')} acknowledged`);
      else if (what === 'drained') {
        serverCpuDrain = server!.cpuSeconds() - serverCpuAtStart;
        serverMainDrain = mainThreadCpuSeconds(server!.child.pid!) - serverMainAtStart;
        drained = { seconds: Number(a), stats: JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number> };
      }
      void b;
    });
    // A drain that stalls (the server stopped acknowledging) must not hang the whole run.
    const guard = setTimeout(() => {
      progress('backlog: no full drain within 10 minutes; stopping the edge agent');
      edge.kill('SIGKILL');
    }, 600_000);
    const code = await new Promise<number | null>((resolve) => edge.once('exit', resolve));
    clearTimeout(guard);
    rss.sample();
    rss.stop();
    if (code !== 0 || !drained) throw new Error(`backlog: the edge agent exited with code ${code} before draining`);
    const s = server;
    server = undefined;
    const stats = await s.stop();
    if (stats.accepted !== o.records) throw new Error(`backlog: the server stored ${String(stats.accepted)} records, expected ${o.records}`);
    progress(`backlog: drained in ${drained.seconds.toFixed(1)} s; uplink ${JSON.stringify(drained.stats)}; server CPU during the drain ${serverCpuDrain.toFixed(2)} s (main thread ${serverMainDrain.toFixed(2)} s, ${Math.round((serverMainDrain / o.records) * 1e6)} µs per record); ingest ${JSON.stringify({ batches: stats.batches, largestBatch: stats.largestBatch, acksPublished: stats.acksPublished, messages: stats.messages })}`);
    const n = o.records.toLocaleString('en');
    return [
      { name: `backlog drain: one edge agent reconnecting with ${n} records in its outbox -> embedded gateway -> server, until all acked`, value: drained.seconds, unit: 's', limit: { name: 'target', value: 10 }, target: '<= 1 (<= 10 s, issue #17)', note: `${Math.round(o.records / drained.seconds).toLocaleString('en')} records/s` },
      { name: `edge agent peak RSS, committing and draining ${n} records`, value: rss.mb(), unit: 'MB' },
      { name: `server peak RSS during the backlog drain`, value: s.peakRssMb(), unit: 'MB', limit: { name: 'target', value: 200 }, target: '<= 1 (<= 200 MB, issue #17)' },
    ];
  } finally {
    await killServerProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
