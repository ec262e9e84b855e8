/**
 * The verifiable log (issue #14's Measure section):
 *  - the log's part of ingest: the time the store spends sequencing records into the log inside its
 *    commits, timed in the ingest run's own server (bench/ingest-server.mjs wraps the SQLite store's
 *    sequence()), as a rate on the one committing thread and as a share of the run (logShareOfIngestRows);
 *    and the append arithmetic alone (logAppend: entries, leaf hashes, new nodes) on one core;
 *  - an inclusion proof over HTTP from a log of 10,000,000 leaves (GET /api/v1/log/inclusion), the
 *    log's tables filled directly, then the server (child process) over that file;
 *  - checkpoint signing: signCheckpoint over that store (root from the stored nodes, Ed25519, kept), and
 *    the signature alone.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatCheckpoint, fromBase64, leafHash, nodeEd25519Verify, parseVerifierKey, recordHash, signNote, verifyCheckpoint, verifyInclusion, type Hash } from '@wastetrail/firmware-protocol';
import { loadLogKey, signCheckpoint } from '../server/src/log/index.ts';
import { edgeOf, logAppend } from '../server/src/store/log-append.ts';
import { openSqliteStore } from '../server/src/store/index.ts';
import { percentile, progress, rate, type Row } from './harness.ts';
import { killServerProcess, startServerProcess, type ServerProcess } from './ingest.bench.ts';

export interface LogBenchOptions {
  /** Leaves in the log the inclusion proofs are timed on. */
  leaves: number;
  /** Inclusion proofs timed (after 200 untimed). */
  queries: number;
  seconds: number;
}

const ORIGIN = 'bench.wastetrail.local/log';

// ---- The log's part of ingest, from the ingest run's own server ----

/**
 * Rows from an ingest run whose server timed its log sequencing (stats.logSequence). The log's work runs
 * inside each commit on the server's main thread, so taking it away would free at most that share of the
 * run: ingest with the log off is at most on / (1 - share), and on / off >= 1 - share.
 */
export function logShareOfIngestRows(run: { perSecond: number; seconds: number; stats: Record<string, unknown> }): Row[] {
  const timed = run.stats.logSequence as { ms: number; leaves: number; commits: number } | undefined;
  if (!timed || timed.leaves === 0) {
    progress('note: the ingest server did not time its log sequencing; no log-share rows');
    return [];
  }
  const share = timed.ms / (run.seconds * 1000);
  return [
    {
      name: `log append inside the ingest commits, one thread (sequence(): right edge read, leaf entries and hashes, new nodes, rows; ${timed.leaves.toLocaleString('en')} leaves in ${timed.commits} commits)`,
      value: timed.leaves / (timed.ms / 1000),
      unit: 'leaves/s',
      limit: { name: 'ingest end-to-end, same run', value: run.perSecond },
      target: '>= 20 (the log takes <= 5 % of the thread at the ingest rate)',
    },
    {
      name: 'ingest with the log on, against the same with the log off (bound: on / (1 - the log\'s share of the run))',
      value: run.perSecond,
      unit: 'records/s',
      limit: { name: 'log off (bound)', value: run.perSecond / (1 - share) },
      target: '>= 0.95',
      note: `the log took ${(share * 100).toFixed(2)} % of the run on the committing thread`,
    },
  ];
}

// ---- The append arithmetic alone, one core ----

function appendRate(seconds: number): number {
  const batch = 500;
  // As the store passes them: the record hash ingest computed (hex), and the signature.
  const records = Array.from({ length: batch }, (_, i) => ({ device: 'bench-dev', seq: i + 1, hash: recordHash(new Uint8Array(320).fill(i % 251)), signature: new Uint8Array(64).fill(7) }));
  // The tree's right edge carried from commit to commit, as the store reads it back from its rows.
  const nodes = new Map<string, Hash>();
  let size = 0;
  const perBatch = rate(
    () => {
      const edge = edgeOf(size).map((n) => nodes.get(`${n.level}/${n.index}`)!);
      const append = logAppend(size, edge, records);
      for (const l of append.leaves) nodes.set(`0/${l.index}`, l.leafHash);
      for (const n of append.nodes) nodes.set(`${n.level}/${n.index}`, n.hash);
      // Only the edge is ever read again: drop the rest so memory stays flat however long it runs.
      if (nodes.size > 100_000) {
        const keep = new Set(edgeOf(append.size).map((n) => `${n.level}/${n.index}`));
        for (const k of nodes.keys()) if (!keep.has(k)) nodes.delete(k);
      }
      size = append.size;
    },
    seconds,
    1,
  );
  return perBatch * batch;
}

// ---- A log of N leaves, its tables filled directly ----

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const ZERO = Buffer.of(0);
const ONE = Buffer.of(1);
/** Leaf i's entry: 96 bytes (a record hash and a signature in a real log), distinct per leaf. */
function benchEntry(i: number): Buffer {
  const entry = Buffer.alloc(96, 0x5a);
  entry.writeUIntBE(i, 0, 6);
  return entry;
}

/**
 * Fills log_leaves, log_nodes and log_head of a fresh store with `leaves` leaves, RFC 9162 hashing with
 * node:crypto (the server reads them back with its own code: the run checks proofs against its root).
 * Every complete node is written once, when its last leaf is, as the store's appends do.
 */
async function fillLog(file: string, leaves: number): Promise<void> {
  // The store's own migrations make the tables; then plain statements fill them.
  await openSqliteStore(file).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const insertLeaf = db.prepare('insert into log_leaves (idx, device, seq, entry, leaf_hash) values (?, ?, ?, ?, ?)');
  const insertNode = db.prepare('insert into log_nodes (level, idx, hash) values (?, ?, ?)');
  const stack: Buffer[] = [];
  const chunk = 200_000;
  const started = performance.now();
  for (let from = 0; from < leaves; from += chunk) {
    db.transaction(() => {
      for (let i = from; i < Math.min(leaves, from + chunk); i++) {
        const entry = benchEntry(i);
        let h = sha(ZERO, entry);
        insertLeaf.run(i, 'bench-log', i + 1, entry, h);
        let index = i;
        let level = 0;
        while (index % 2 === 1) {
          h = sha(ONE, stack.pop()!, h);
          level++;
          index = (index - 1) / 2;
          insertNode.run(level, index, h);
        }
        stack.push(h);
      }
    })();
    if ((from / chunk) % 10 === 9) progress(`log: ${(from + chunk).toLocaleString('en')} leaves written, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  db.prepare('update log_head set size = ?, backlog_through = 0').run(leaves);
  db.close();
}

async function timeInclusion(server: ServerProcess, leaves: number, queries: number, logKey: string): Promise<number[]> {
  const base = server.httpUrl.replace(/\/$/, '');
  const note = await (await fetch(`${base}/log/v1/checkpoint`)).text();
  const key = parseVerifierKey(logKey);
  if (!key.ok) throw new Error(key.error.message);
  const checkpoint = verifyCheckpoint(note, { origin: ORIGIN, keys: [key.value], ed25519Verify: nodeEd25519Verify });
  if (!checkpoint.ok || checkpoint.value.size !== leaves) throw new Error(`log bench: the server's checkpoint is not of ${leaves} leaves: ${note}`);
  const { root } = checkpoint.value;
  const times: number[] = [];
  for (let q = 0; q < 200 + queries; q++) {
    const index = Math.floor(Math.random() * leaves);
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/log/inclusion?index=${index}&size=${leaves}`);
    const body = (await res.json()) as { hashes: string[] };
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`log bench: inclusion of ${index}: ${res.status} ${JSON.stringify(body)}`);
    // Every proof checked against the signed root (untimed): the filled tables are the server's tree.
    const ok = verifyInclusion(index, leaves, leafHash(benchEntry(index)), body.hashes.map((h) => fromBase64(h)!), root);
    if (!ok.ok) throw new Error(`log bench: the proof of leaf ${index} does not verify: ${ok.error.message}`);
    if (q >= 200) times.push(ms);
  }
  return times.sort((a, b) => a - b);
}

export async function benchLog(o: LogBenchOptions): Promise<Row[]> {
  progress('log: the append arithmetic alone (logAppend, batches of 500), one core');
  const rows: Row[] = [{ name: 'log append arithmetic alone, one core (logAppend: entries from the stored record hashes, leaf hashes, new nodes; batches of 500, the edge carried over)', value: appendRate(o.seconds), unit: 'leaves/s' }];

  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-log-'));
  const file = join(dir, 'wastetrail.db');
  let server: ServerProcess | undefined;
  try {
    progress(`log: filling the log's tables with ${o.leaves.toLocaleString('en')} leaves in ${dir}`);
    const fillStart = performance.now();
    await fillLog(file, o.leaves);
    progress(`log: filled in ${((performance.now() - fillStart) / 1000).toFixed(0)} s; file ${(statSync(file).size / 2 ** 30).toFixed(2)} GiB`);

    // Checkpoint signing over the filled store: the root read from its nodes, signed, kept; again after
    // removing it, so every round signs. And the signature alone.
    const key = loadLogKey(dir, ORIGIN);
    const store = openSqliteStore(file);
    const signTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      store.db.$client.prepare('delete from log_checkpoints').run();
      const t0 = performance.now();
      const { signed } = await signCheckpoint(store, key, Date.now);
      signTimes.push(performance.now() - t0);
      if (!signed) throw new Error('log bench: no checkpoint signed');
    }
    signTimes.sort((a, b) => a - b);
    await store.close();
    const text = formatCheckpoint({ origin: ORIGIN, size: o.leaves, root: new Uint8Array(32) });
    const signatureRate = rate(() => signNote(text, key.signer), o.seconds, 50);
    const what = `${(o.leaves / 1e6).toFixed(o.leaves >= 1e6 ? 0 : 2)} M leaves`;
    rows.push(
      { name: `checkpoint signing, signCheckpoint over the ${what} store (root from stored nodes, Ed25519 note, kept), p50`, value: percentile(signTimes, 50), unit: 'ms', note: `p99 ${percentile(signTimes, 99).toFixed(2)} ms` },
      { name: 'checkpoint note signature alone (formatCheckpoint text, signNote, Ed25519 node:crypto)', value: 1000 / signatureRate, unit: 'ms' },
    );

    progress('log: starting the server on the filled store; timing GET /api/v1/log/inclusion');
    server = await startServerProcess({ dataDir: dir, storage: { driver: 'sqlite', file: 'wastetrail.db' }, mqtt: { mode: 'embedded', gateway: { tcp: { host: '127.0.0.1', port: 0 } } }, http: { host: '127.0.0.1', port: 0 }, verifiableLog: { origin: ORIGIN } }, dir);
    const http = await timeInclusion(server, o.leaves, o.queries, key.verifierKey);
    rows.push(
      { name: `inclusion proof p50, HTTP GET /api/v1/log/inclusion, keep-alive, ${what} (${o.queries} random leaves, each proof verified)`, value: percentile(http, 50), unit: 'ms' },
      { name: `inclusion proof p99, HTTP GET /api/v1/log/inclusion, keep-alive, ${what}`, value: percentile(http, 99), unit: 'ms', limit: { name: 'target p99', value: 5 }, target: '<= 1 (p99 <= 5 ms)' },
    );
    await server.stop();
    server = undefined;
    return rows;
  } finally {
    await killServerProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
