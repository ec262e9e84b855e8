/**
 * `npm run bench`: measures on this machine and writes docs/benchmarks.md (table) and
 * docs/benchmarks.json (raw figures). Every figure that has a natural limit is reported as a ratio
 * against that limit measured in the same run, so results compare across machines.
 *   options: --seconds N (per rate measurement, default 2)  --records N (verify CLI export, default 200000)
 *            --devices N (simulated devices in the ingest runs, default 200)
 *            --records-per-device N (records each device sends, default 250)
 *            --latency-seconds N (the steady 500 records/s latency run, default 60)
 *            --trail-records N (records stored for the trail query run, default 10000000)
 *            --trail-queries N (queries timed per trail measurement, default 2000)
 *            --tick-bags a,b (bags in play at each rule tick measurement, default 10000,100000; on the trail store)
 *            --pg-trail-records N (records stored for the trail query run on PostgreSQL, default 1000000)
 *            --pg-trail-schema NAME (keep the filled PostgreSQL trail store in schema NAME and use it again when it holds --pg-trail-records records)
 *            --trail-store DIR (keep the filled trail store in DIR and use it again when it holds --trail-records records)
 *            --backlog-records N (the edge agent's backlog in the drain run, default 100000)
 *            --log-leaves N (leaves in the log the inclusion proofs are timed on, default 10000000)
 *            --log-queries N (inclusion proofs timed, default 2000)
 *            --dashboard-loads N (dashboard page loads timed on the demo, default 9)
 *            --only a,b (run only these parts: startup, records, verify-cli, ingest, cluster, latency, backlog, trail, trail-pg, tick, log, dashboard: a
 *            partial run replaces those parts' rows in the docs and keeps the others from the last run, saying so)
 *            --quick (under a minute, writes nothing: the server's CPU time per ingested record against one raw
 *            verify, issue #17, on a small embedded-gateway run; --devices and --records-per-device default to 80 x 125)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { markdownTable, progress, type Row } from './harness.ts';
import { benchBacklog } from './backlog.bench.ts';
import { benchCluster } from './cluster.bench.ts';
import { benchIngest, cpuPerRecordRows, rawVerifyCpuMs, runIngest } from './ingest.bench.ts';
import { benchLog } from './log.bench.ts';
import { benchLatency, DEFAULT_LATENCY } from './latency.bench.ts';
import { benchTrailQuery, benchTrailQueryPg } from './trail-query.bench.ts';
import { benchRecords } from './record.bench.ts';
import { benchRuleTick } from './rule-tick.bench.ts';
import { benchVerifyCli } from './verify-cli.bench.ts';
import { benchStartup } from './startup.bench.ts';
import { benchDashboardPaint, DEFAULT_DASHBOARD_PAINT } from './dashboard-paint.bench.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    records: { type: 'string', default: '200000' },
    devices: { type: 'string', default: '200' },
    'records-per-device': { type: 'string', default: '250' },
    'latency-seconds': { type: 'string', default: '60' },
    'trail-records': { type: 'string', default: '10000000' },
    'trail-queries': { type: 'string', default: '2000' },
    'trail-store': { type: 'string' },
    'pg-trail-records': { type: 'string', default: '1000000' },
    'pg-trail-schema': { type: 'string' },
    'tick-bags': { type: 'string', default: '10000,100000' },
    'backlog-records': { type: 'string', default: '100000' },
    'log-leaves': { type: 'string', default: '10000000' },
    'log-queries': { type: 'string', default: '2000' },
    'dashboard-loads': { type: 'string', default: String(DEFAULT_DASHBOARD_PAINT.loads) },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
if (values.quick) {
  // A regression check before committing: one small ingest run, printed, not written to the docs.
  const quickDevices = process.argv.includes('--devices') ? Number(values.devices) : 80;
  const quickRecords = process.argv.includes('--records-per-device') ? Number(values['records-per-device']) : 125;
  progress('raw Ed25519 verify CPU time (one thread)');
  const rawVerifyMs = rawVerifyCpuMs(1);
  const run = await runIngest({ seconds: 1, devices: quickDevices, recordsPerDevice: quickRecords, perMessage: 25, window: 4 }, 'embedded');
  const quickRows = cpuPerRecordRows(run, rawVerifyMs, `${quickDevices} devices x ${quickRecords} records`);
  const { messages, batches, largestBatch, verifiedInWorkers, verifiedInline } = run.stats[0]!;
  progress(`  server stats: ${JSON.stringify({ messages, batches, largestBatch, verifiedInWorkers, verifiedInline })}`);
  console.log(markdownTable(quickRows));
  console.log(
    `server CPU per record / one raw verify: ${(quickRows[1]!.value / quickRows[0]!.value).toFixed(2)} (target <= 1.5; ${run.perSecond.toFixed(0)} records/s end-to-end; server peak RSS ${run.peakRssMb.toFixed(0)} MB, target <= 200)`,
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
const records = Number(values.records);
const devices = Number(values.devices);
const recordsPerDevice = Number(values['records-per-device']);
const latencySeconds = Number(values['latency-seconds']);
const trailRecords = Number(values['trail-records']);
const trailQueries = Number(values['trail-queries']);
const trailStore = values['trail-store'];
const pgTrailRecords = Number(values['pg-trail-records']);
const pgTrailSchema = values['pg-trail-schema'];
const tickBags = values['tick-bags'].split(',').map(Number);
const backlogRecords = Number(values['backlog-records']);
const logLeaves = Number(values['log-leaves']);
const logQueries = Number(values['log-queries']);
const dashboardLoads = Number(values['dashboard-loads']);
const only = values.only?.split(',').map((s) => s.trim());
const runs = (part: string) => !only || only.includes(part);

const rows: Array<Row & { part?: string; at?: string }> = [];
const started = performance.now();
const load = () => loadavg()[0]!.toFixed(1);
const loads: string[] = [`start ${load()}`];
const section = async (part: string, fn: () => Row[] | Promise<Row[]>) => {
  if (!runs(part)) return;
  const t0 = performance.now();
  rows.push(...(await fn()).map((r) => ({ ...r, part, at: new Date().toISOString() })));
  loads.push(`${part} ${load()}`);
  progress(`${part}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (1-minute load average ${load()})`);
};
await section('startup', () => benchStartup());
await section('records', () => benchRecords(seconds));
await section('verify-cli', () => benchVerifyCli(records, rows.find((r) => r.name.startsWith('raw Ed25519 verify'))?.value ?? Number.NaN));
await section('ingest', () => benchIngest({ seconds, devices, recordsPerDevice, perMessage: 25, window: 4 }));
await section('cluster', () => benchCluster({ seconds, devices, recordsPerDevice, perMessage: 25, window: 4 }));
await section('latency', () => benchLatency({ ...DEFAULT_LATENCY, seconds: latencySeconds }));
await section('backlog', () => benchBacklog({ records: backlogRecords }));
await section('trail', () => benchTrailQuery({ records: trailRecords, queries: trailQueries, ...(trailStore ? { keep: trailStore } : {}) }));
await section('trail-pg', () => benchTrailQueryPg({ records: pgTrailRecords, queries: trailQueries, ...(pgTrailSchema ? { keep: pgTrailSchema } : {}) }));
await section('tick', () => benchRuleTick({ records: trailRecords, sizes: tickBags, ...(trailStore ? { keep: trailStore } : {}) }));
await section('log', () => benchLog({ leaves: logLeaves, queries: logQueries, seconds }));
await section('dashboard', () => benchDashboardPaint({ loads: dashboardLoads }));
const totalMinutes = (performance.now() - started) / 60_000;

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
const when = new Date().toISOString();
// A partial run keeps the last run's rows of the other parts (rows of older runs carry no part: kept unless measured again).
const jsonFile = new URL('../docs/benchmarks.json', import.meta.url);
type Provenance = { when: string; machine: string; command: string };
const last = only && existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as Provenance & { keptFrom?: Provenance; rows: Array<Row & { part?: string; at?: string }> }) : undefined;
// The rows kept come from the last whole run: the last run's own, or what it kept in turn.
const previous = last && { ...(last.keptFrom ?? last), rows: last.rows };
const kept = previous ? previous.rows.filter((r) => (r.part ? !only!.includes(r.part) : !rows.some((n) => n.name === r.name))) : [];
const allRows = [...kept, ...rows];
const table = markdownTable(allRows);
const command =
  `npm run bench -- --seconds ${seconds} --records ${records} --devices ${devices} --records-per-device ${recordsPerDevice}` +
  ` --latency-seconds ${latencySeconds} --trail-records ${trailRecords} --trail-queries ${trailQueries} --backlog-records ${backlogRecords}` +
  ` --log-leaves ${logLeaves} --log-queries ${logQueries} --tick-bags ${tickBags.join(',')} --pg-trail-records ${pgTrailRecords} --dashboard-loads ${dashboardLoads}` +
  (only ? ` --only ${only.join(',')}` : '');
const busy = `The whole run took ${totalMinutes.toFixed(0)} min; the 1-minute load average at the start and after each part was ${loads.join(', ')} (${cpus().length} cores: above ${cpus().length}, other work shared the machine).`;
const provenance = previous
  ? ` Only ${only!.join(', ')} ran then; the other rows are kept from earlier runs: benchmarks.json gives each row's time of measurement (\`at\`), and rows without one come from the run of ${previous.when} on ${previous.machine} (\`${previous.command}\`) or a partial run before it.`
  : '';
writeFileSync(jsonFile, JSON.stringify({ when, machine, command, load: loads, minutes: Number(totalMinutes.toFixed(1)), ...(previous ? { keptFrom: { when: previous.when, machine: previous.machine, command: previous.command } } : {}), rows: allRows }, null, 2) + '\n');
writeFileSync(
  new URL('../docs/benchmarks.md', import.meta.url),
  `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); reproduce with:

\`\`\`
${command}
\`\`\`

Measured ${when} on ${machine}. Ratios compare a figure with its limit measured in the same run, or
with its target where the row names one (a ratio above 1 then misses the target). ${busy}${provenance}

${table}

Issue #8's measurements, by row: (a) the limit, raw Ed25519 verify on all cores; (b) ingest end-to-end,
embedded gateway, and its ratio to (a); (c) latency from record creation to queryable, p50 and p99, at
a steady 500 records/s; (d) trail query p50 and p99 with ${trailRecords.toLocaleString('en')} records stored; (e) backlog drain of
one edge agent reconnecting with ${backlogRecords.toLocaleString('en')} records; (f) peak RSS of the server (three runs) and of
one edge agent; (g) ingest through Mosquitto. Targets on this 2-core machine: (b) >= 0.5 of (a), (c) p99
<= 250 ms, (d) p99 <= 10 ms, (e) <= 20 s, server RSS <= 300 MB. Issue #17 tightens (d) to <= 5 ms, (e) to <= 10 s and the server's
peak RSS in the ingest and drain runs to <= 200 MB; their rows carry those targets.

The startup rows (bench/startup.bench.ts, issue #13) run the compiled bins: \`wastetrail verify\` on the
golden chain (firmware-protocol/test/vectors/chain-valid.jsonl) ten times against bare \`node -e 0\` ten times (wall time from spawn to exit;
peak RSS is the process's own getrusage maximum, read at exit through a preloaded module), and an idle
\`wastetrail server\` (embedded gateway, SQLite, no devices) whose RSS is read from /proc 3 s after it
prints its HTTP address and again after 30 s idle, once V8's memory reducer has given back what start-up
used.

What each row means: raw rates are node:crypto Ed25519 on one 340-byte message with a cached key;
record sign is signRecord (canonical JSON, SHA-256, signature, and the self-check that refuses to sign
an invalid record); record verify is verifyRecord (strict decoding, schema, keyring lookup, signature);
the verify CLI row is the whole \`wastetrail verify\` process on a generated single-device export,
including start-up and file reading, with its peak resident memory sampled from /proc.
The ingest rows run the whole pipeline: simulated devices (plain MQTT clients, each with its own
registered key, logging in to the embedded gateway with signed tokens; 25 pre-signed envelopes per
message, at most 4 messages per device beyond its last ack) -> broker -> the server (startServer in a child process, SQLite in a temp dir, verifyWorkers
"auto"), timed from the first publish until every device holds the ack of its last record; the limit
is raw Ed25519 verification on every core (one worker thread per core). The server's peak RSS is
sampled from /proc; the Mosquitto row runs the same through 127.0.0.1:1883 (external mode), when it
is reachable, and compares with the embedded gateway. Devices and the server share the machine.

The CPU-per-record rows (issue #17) measure the same embedded-gateway run by the server's own cost, which
the devices and the broker sharing the cores do not blur: the server process's CPU time (user + system of
all its threads, /proc/<pid>/stat) from the first publish until it is idle again after the last ack (so
the bag projection, which acks do not wait for, is counted; the figure until the last ack is in
brackets), divided by the records, against the CPU time of one raw Ed25519 verify (node:crypto, cached
key, 340-byte message) measured on one thread of the bench process in the same run (process CPU time over
the loop, so a busy machine stretches the wall time but not this figure). Target: <= 1.5.
\`npm run bench -- --quick\` runs only these two rows, on 80 devices x 125 records (\`--devices\` and
\`--records-per-device\` change that), in well under a minute, and prints them (and that run's server peak
RSS) without writing these files: a regression check before committing. The server's start-up is not in the figure (timed from the
first publish), but its first records run before V8 has optimised the hot path, so a small run reads a
little higher than a large one.

The cluster rows (bench/cluster.bench.ts, issue #16) run the same devices and records through a
Mosquitto the run starts on a free port (anonymous on loopback, the queue limits of
docs/gateway/mosquitto/mosquitto.conf), in one run: SQLite with one server process, then PostgreSQL
(127.0.0.1:5432, a schema of the run's own) with one, two and three \`wastetrail server\` processes
sharing the records through \`$share/ingest\` (one verification worker thread with one process, none
with several, so they do not oversubscribe the cores). Server CPU time is user + system time of every
server process (/proc/<pid>/stat), from the first publish until the last device holds its last ack,
divided by the records. **On this 2-core machine, where the devices, Mosquitto, PostgreSQL and the
servers share two cores, more processes cannot show more throughput: these rows show the cost of each
shape (CPU per record, what a capacity plan multiplies, docs/deploy/capacity.md), not how it scales.**

The latency rows (bench/latency.bench.ts) measure how soon a record can be seen: the same server set-up,
${DEFAULT_LATENCY.devices} devices (device-token login, their own keys) together creating ${DEFAULT_LATENCY.rate} records per second, paced
by a 5 ms scheduler (record k is due at k / ${DEFAULT_LATENCY.rate} s; no bursts), each a new bag sealed, signed when it is
due and published at once, one record per QoS 1 message, as a live edge agent does. One record in
${DEFAULT_LATENCY.sampleEvery} is timed, from just before it is signed to the first \`GET /api/v1/tags/<tag>\` (a regulator's
bearer token, keep-alive) that returns the bag with its sealed step; only sampled records are polled,
every ${DEFAULT_LATENCY.pollMs} ms, so a figure may exceed the true moment by one poll interval plus one request (the
method's resolution). The first ${DEFAULT_LATENCY.warmupSeconds} s are not sampled. The server's peak RSS over that run is read from /proc.

The dashboard rows (bench/dashboard-paint.bench.ts, issue #19) time the regulator's city dashboard of the
typed web app on the demo: a demo city (3 institutions, a day a minute) runs a simulated day, then
chromium (playwright-core, Debian's) opens \`/app/#/dashboard\` as demo-regulator ${dashboardLoads} times, each in a
fresh browser context (cold cache), and reloads it once in that context (warm cache). The time is the
page's own \`wt-dashboard-drawn\` performance mark: from navigation start until the figures are in and
ECharts has finished drawing the map (the tiles render with it). The demo and the browser share the machine.

The log rows (bench/log.bench.ts, issue #14) come from two places. The embedded ingest run's own server
times the store's sequence() inside each commit (bench/ingest-server.mjs wraps it: the server carries
no switch for the benchmark): the log's work per leaf on the one committing thread, as a rate against the
end-to-end ingest rate of that run, and as a share of the run. There is no way to run ingest with the log
off (a record and its leaf are one commit, by design), so "log off" is bounded instead of measured: the
log's work is all on the committing thread, so without it the run could be at most that share shorter,
and on / off >= 1 - share. The append arithmetic alone (logAppend: leaf entries, hashes, new nodes from
the right edge) is timed in the bench process on one core. Then the log's tables of a fresh SQLite store
are filled directly with ${logLeaves.toLocaleString('en')} leaves (distinct 96-byte entries, RFC 9162 hashing with node:crypto,
every complete node written once, as the store's appends do); signCheckpoint is timed over that store
200 times (the root read from its stored nodes, the note signed, the checkpoint kept; the kept one
removed before each round), and the signature alone; then the server (child process, as for the trail
rows) answers \`GET /api/v1/log/inclusion?index=I&size=N\` for random leaves, one request at a time over a
keep-alive connection, after 200 untimed ones; every proof is verified against the root of the
checkpoint the server signed at start, so the filled tables are the server's own tree.

The backlog rows (bench/backlog.bench.ts) take one real edge agent (its Outbox and Uplink from
edge-agent/src, in a child process, with the agent's default settings: window of 8 messages, batches
of up to 200 records / 128 KiB, device-token login) whose outbox already holds the backlog (committed
in transactions of 10 000 before it connects, as edge-agent/bench/backlog-drain.ts does), connecting
to the embedded gateway of a running server (child process as above); timed from the uplink's start
until the agent's outbox holds the ack of its last record. The edge agent's peak RSS (VmHWM, whole
process: Node, tsx, SQLite, the fill and the drain) and the server's are read from /proc.

The trail rows (bench/trail-query.bench.ts) fill a SQLite store (in a temp dir, deleted afterwards; with
\`--trail-store DIR\` kept there and used again by the next run that asks for as many records)
through the store's own appendRecords (transactions of 12 000 records) and upsertBags: 50 hospitals
(department, collection and storage devices), 2 disposal centres, 10 vehicles; every bag goes through
all six steps, one record each, over a year. Each device's records form a real hash chain with real
hashes and canonical bytes. Signing millions of records would cost minutes of both cores, so only the
1000 bags that are queried (spread evenly through the fill, signed with their devices' registered keys)
carry real signatures and are projected by the server's BagProjection; the other records ("filler")
all carry the same 64 signature bytes, and their bags' rows are written by upsertBags from the same
generator without the trail JSON (the trail endpoint re-verifies a bag's records and never reads that
column; the run checks that a generated row equals the projected one); the sample bags' manifests are
written by the server's ManifestProjection too (with none, the server would rebuild every manifest from
every record at start, during the timing, as it does for a store from before manifests existed). No query reads a filler record:
they are there for the size of the file and its indexes. Then the server (child process, its own
SQLite defaults; load shedding off, so a machine busy with other work slows the run instead of ending it with
503 OVERLOADED) answers \`GET /api/v1/tags/<tag>\` for bags drawn at random from the 1000 signed ones,
one request at a time over a keep-alive connection, after 200 untimed ones (store reads, re-verification of the bag's 6 records, trail reconstruction, JSON).
The server remembers the signatures it found valid (docs/server/api.md), so a bag asked for again skips the Ed25519
arithmetic: with 1,000 bags and 2,200 requests about a third of the timed ones ask for a bag for the first time,
and the "first read" row times those alone;
the in-process rows time loadBag (the same work without HTTP) and the store calls alone
(bagByTag, then the records of the bag's tags), in the bench process. The server's CPU time per request
is its process's user + system time (/proc, all threads) over the timed requests divided by their number:
a machine busy with other work stretches the latencies far more than it changes this.
The trail rows "on PostgreSQL" do the same on PostgreSQL (127.0.0.1:5432, a schema of the run's own,
dropped afterwards, or with \`--pg-trail-schema NAME\` that schema, kept and used again by a run asking for
as many records), filled by the same generator through the PostgreSQL store (its two connections with
synchronous_commit off: the fill is not what is timed), with \`--pg-trail-records\` records (default
1,000,000; filling runs at a few thousand records a second on this machine): the size is in the row.

The rule tick rows (bench/rule-tick.bench.ts, issue #17) add bags in play to the trail store (the same
\`--trail-records\` store, kept with \`--trail-store\`): 1 to 5 of their steps done (sealed, collected,
stored, picked up, received), the last within the last hours, their records appended and their bag rows
and trails written as the projection writes them (reconstructTrail, summarizeBag); then the alerting
service (startAlerting, the server's own) ticks once at each city size of \`--tick-bags\` (the first tick
files what the city raises; the one timed is the next, a minute later). Heap: process.memoryUsage().heapUsed
read as each of the tick's store calls returns and every 1,000 trails the store hands to the tick, the
highest reading above the heap after a full GC just before the tick (garbage not yet collected included:
an upper bound). A kept store holds the biggest city of an earlier run, so a row names the bags judged.
`,
);
console.log(table);
progress('wrote docs/benchmarks.md and docs/benchmarks.json');
