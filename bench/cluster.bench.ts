/**
 * Ingest on several server processes (issue #16): the same end-to-end run as bench/ingest.bench.ts
 * (simulated devices, pre-signed records, acked when stored), through a Mosquitto started here on a free
 * port, against SQLite with one process and PostgreSQL with one, two and three processes sharing the
 * records ($share/ingest). Besides the rate, the CPU time every server process spent per record (user +
 * system from /proc/<pid>/stat, first publish to last ack): the cost a capacity plan multiplies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { openPgStore, openSqliteStore, type CustodyStore } from '../server/src/store/index.ts';
import { progress, type Row } from './harness.ts';
import { runIngest, type IngestBenchOptions, type IngestTarget, type RunResult } from './ingest.bench.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const PG_URL = process.env.WASTETRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A broker of our own: anonymous on loopback, with the queue limits of docs/gateway/mosquitto/mosquitto.conf. */
async function startMosquitto(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_packet_size 263168', 'max_qos 1', 'max_inflight_messages 20', 'max_queued_messages 100000', 'max_queued_bytes 268435456', 'persistence false', `user ${userInfo().username}`, ''].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 }).catch(() => undefined);
    if (probe) {
      await probe.endAsync();
      return { url, child };
    }
    if (i > 50) throw new Error('mosquitto did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function register(store: CustodyStore, devices: ReadonlyArray<{ id: string; publicKey: string }>): Promise<void> {
  await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
  for (const d of devices) await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: d.publicKey }] });
}

function sqliteTarget(url: string): IngestTarget {
  return {
    label: 'SQLite, 1 process',
    deviceUrl: url,
    async provision(devices, dir) {
      const store = openSqliteStore(join(dir, 'wastetrail.db'));
      try {
        await register(store, devices);
      } finally {
        await store.close();
      }
    },
    configs: (dir) => [{ dataDir: dir, storage: { driver: 'sqlite', file: 'wastetrail.db' }, mqtt: { mode: 'external', url, clientId: 'wastetrail_bench_0' }, http: { host: '127.0.0.1', port: 0 }, ingest: { verifyWorkers: 'auto' } }],
  };
}

function postgresTarget(url: string, processes: number, schemas: string[]): IngestTarget {
  const schema = `wt_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return {
    label: `PostgreSQL, ${processes} process${processes > 1 ? 'es' : ''}`,
    deviceUrl: url,
    async provision(devices) {
      const store = await openPgStore({ url: PG_URL, schema, poolSize: 2 });
      try {
        await register(store, devices);
      } finally {
        await store.close();
      }
    },
    // Every process its own data directory but the first's log key (they sign one log).
    configs: (dir) =>
      Array.from({ length: processes }, (_, n) => ({
        dataDir: dir,
        storage: { driver: 'postgres', url: PG_URL, schema },
        mqtt: { mode: 'external', url, clientId: `wastetrail_bench_${n}`, sharedGroup: 'ingest' },
        http: { host: '127.0.0.1', port: 0 },
        // Worker threads per process would oversubscribe two cores three times over: one each at most.
        ingest: { verifyWorkers: processes > 1 ? 0 : 'auto' },
      })),
  };
}

async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}

/** Bytes on disk per stored record in a schema (tables, TOAST and indexes, as ingest left them), and the largest tables. */
async function storagePerRecord(schema: string, records: number): Promise<{ bytes: number; tables: string }> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; bytes: string }>(
      `select c.relname as name, pg_total_relation_size(c.oid) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = 'r' order by 2 desc`,
      [schema],
    );
    const total = rows.reduce((n, r) => n + Number(r.bytes), 0);
    const tables = rows
      .slice(0, 5)
      .map((r) => `${r.name} ${Math.round(Number(r.bytes) / records)}`)
      .join(', ');
    return { bytes: total / records, tables };
  } finally {
    await client.end();
  }
}

const perRecordMs = (r: RunResult) => (r.serverCpuSeconds * 1000) / r.records;

export async function benchCluster(o: IngestBenchOptions): Promise<Row[]> {
  if (!existsSync(MOSQUITTO)) {
    progress(`note: ${MOSQUITTO} is missing; skipping the cluster rows`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-cluster-'));
  const broker = await startMosquitto(dir);
  const schemas: string[] = [];
  const what = `${o.devices} devices x ${o.recordsPerDevice} records, via Mosquitto`;
  const rows: Row[] = [];
  try {
    const sqlite = await runIngest(o, sqliteTarget(broker.url));
    const pgRuns: RunResult[] = [];
    for (const n of [1, 2, 3]) pgRuns.push(await runIngest(o, postgresTarget(broker.url, n, schemas)));
    const base = sqlite.perSecond;
    rows.push({ name: `ingest end-to-end, SQLite, 1 server process, ${what}`, value: sqlite.perSecond, unit: 'records/s', note: `server CPU ${perRecordMs(sqlite).toFixed(3)} ms/record` });
    pgRuns.forEach((r, i) =>
      rows.push({
        name: `ingest end-to-end, PostgreSQL, ${i + 1} server process${i > 0 ? 'es' : ''}, ${what}`,
        value: r.perSecond,
        unit: 'records/s',
        limit: { name: 'SQLite, 1 process', value: base },
        note: `server CPU ${perRecordMs(r).toFixed(3)} ms/record`,
      }),
    );
    const storage = await storagePerRecord(schemas[0]!, pgRuns[0]!.records);
    progress(`PostgreSQL bytes per record by table: ${storage.tables}`);
    rows.push({ name: `PostgreSQL storage per record, tables + indexes (one sealed bag per record; largest: ${storage.tables} bytes)`, value: storage.bytes, unit: 'bytes' });
    for (const [label, r] of [['SQLite, 1 process', sqlite], ...pgRuns.map((r, i) => [`PostgreSQL, ${i + 1} process${i > 0 ? 'es' : ''}`, r] as const)] as const) {
      rows.push({ name: `server CPU time per record, ${label} (user + system, all server processes)`, value: perRecordMs(r), unit: 'ms' });
    }
    return rows;
  } finally {
    broker.child.kill('SIGTERM');
    await dropSchemas(schemas).catch((err: unknown) => progress(`warning: bench schemas not dropped: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
