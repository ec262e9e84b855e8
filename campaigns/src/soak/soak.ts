/**
 * The crash soak (issue #18): the simulated city's edge agents and the server (with its embedded MQTT
 * gateway) as separate processes on the compiled code, SQLite, while this driver SIGKILLs one of them
 * at random moments and starts it again; then one station is cut off for 72 simulated hours while the
 * others go on, and reconnects. Afterwards everything stops cleanly and the results are counted
 * (check.ts): records committed by the agents (their outbox files) against records stored by the
 * server, duplicates, each chain by the offline verifier (`wastetrail verify`), each bag's trail, and
 * the alerts raised.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { encodeEnvelope } from '@wastetrail/firmware-protocol';
import { firstMorning, formatProgress, planCity, type CityProgress } from '@wastetrail/simulators';
import { checkAlerts, checkDelivery, checkTrails, type AlertReport, type BagMention, type ChainRecord, type DeliveryReport, type RaisedAlert, type TrailReport } from './check.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SERVER_PROCESS = here('./server-process.mjs');
const CITY_PROCESS = here('./city-process.mjs');
const DEMO_BIN = here('../../../demo/bin/wastetrail-demo.js');
const WASTETRAIL_BIN = here('../../../server/bin/wastetrail.js');

export interface SoakOptions {
  kills: number;
  /** Real seconds the kill phase should take (kills are spread over it; restarts may make it longer). */
  seconds: number;
  /** Simulated seconds per real second. */
  speed: number;
  institutions: number;
  seed: number;
  /** How long one station is cut off, simulated hours. */
  offlineHours: number;
  /** Keep the data folder (its path is in the result). */
  keep?: boolean;
  /** Progress and notes, one line each. */
  log: (line: string) => void;
  /** Random numbers in [0, 1) (kill moments and targets). */
  random?: () => number;
}

export const SOAK_DEFAULTS = { kills: 200, seconds: 600, speed: 1440, institutions: 3, seed: 1, offlineHours: 72 } as const;
export const SOAK_SHORT = { kills: 16, seconds: 40, speed: 4320, institutions: 1, seed: 1, offlineHours: 72 } as const;

export interface SoakResult {
  dataDir: string;
  kills: { server: number; city: number; serverWhileOffline: number };
  realSeconds: number;
  simHours: number;
  offline: { station: string; committedWhileOffline: number; lost: number };
  delivery: DeliveryReport;
  trails: TrailReport;
  alerts: AlertReport;
  verify: { exitCode: number | null; output: string };
  /**
   * Simulated times from the city's first start to the start of the clean stop: alerts opened outside
   * it were raised while the processes were starting or stopping (seconds of real time are hours).
   */
  running: { fromMs: number; toMs: number };
  /** Every alert as read from the store. */
  raised: RaisedAlert[];
  /** 0 lost, 0 duplicated, 0 altered, 0 unknown, trails whole, no unexplained alert, verify exit 0. */
  passed: boolean;
}

type Component = 'server' | 'city';

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const random = o.random ?? Math.random;
  const dataDir = mkdtempSync(join(tmpdir(), 'wastetrail-soak-'));
  const started = Date.now();
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const simStart = firstMorning(started);
  const shared = { dataDir, institutions: o.institutions, seed: o.seed, speed: o.speed, simStart, realStart: started };
  const simNow = () => simStart + o.speed * (Date.now() - started);
  const layout = planCity({ institutions: o.institutions, seed: o.seed });
  const offlineStation = layout.hospitals[0]!.departments[0]!.station.deviceId;
  let progress: CityProgress | undefined;
  const procs: Partial<Record<Component, Running>> = {};

  const keyring = join(dataDir, 'keyring.json');
  const keys = await runToEnd(DEMO_BIN, ['city', '--keys-only', '--data', dataDir, '--keyring-out', keyring, '--institutions', String(o.institutions), '--seed', String(o.seed)]);
  if (keys.code !== 0) throw new Error(`wastetrail-demo city --keys-only failed: ${keys.output}`);

  const start = async (what: Component): Promise<void> => {
    const child =
      what === 'server'
        ? spawn(process.execPath, [SERVER_PROCESS, JSON.stringify({ ...shared, mqttPort, httpPort })], { stdio: ['ignore', 'pipe', 'pipe'] })
        : // execArgv [], not this process's: the city runs the compiled agents, not tsx and the sources.
          fork(CITY_PROCESS, [JSON.stringify({ ...shared, brokerPort: mqttPort })], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('message', (m: { progress?: CityProgress; note?: string }) => {
      if (m.progress) progress = m.progress;
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    procs[what] = { child, exited };
    const ready = what === 'server' ? () => out.includes('"mqttUrl"') : () => out.includes('ready');
    const end = Date.now() + 120_000;
    while (!ready()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the soak's ${what} exited while starting (${child.exitCode ?? child.signalCode}): ${err.slice(-2000)}`);
      if (Date.now() > end) throw new Error(`the soak's ${what} did not start within 120 s: ${err.slice(-2000)}`);
      await sleep(20);
    }
  };
  const kill = async (what: Component): Promise<void> => {
    const p = procs[what]!;
    p.child.kill('SIGKILL');
    await p.exited;
  };
  const stop = async (what: Component): Promise<void> => {
    const p = procs[what];
    if (!p) return;
    p.child.kill('SIGTERM');
    await Promise.race([p.exited, sleep(60_000).then(() => p.child.kill('SIGKILL'))]);
    await p.exited;
  };
  const status = () => (progress ? formatProgress({ ...progress, simTime: simNow() }) : 'starting');

  const kills = { server: 0, city: 0, serverWhileOffline: 0 };
  try {
    await start('server');
    await start('city');
    const runningFrom = simNow();
    o.log(`soak: ${layout.stations.length} stations, speed ${o.speed}x, ${o.kills} kills over about ${o.seconds} s; data ${dataDir}`);

    // 1. Kills at random moments, spread over the time asked for (a restart's own time is taken off).
    let restartMs = 1000;
    for (let n = 1; n <= o.kills; n++) {
      const left = o.seconds * 1000 - (Date.now() - started);
      const mean = Math.max(100, left / (o.kills - n + 1) - restartMs);
      await sleep(random() * 2 * mean);
      const what: Component = random() < 0.5 ? 'server' : 'city';
      const t0 = Date.now();
      await kill(what);
      kills[what]++;
      await start(what);
      restartMs = 0.8 * restartMs + 0.2 * (Date.now() - t0);
      o.log(`kill ${n}/${o.kills}: ${what.padEnd(6)} restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s | ${status()}`);
    }

    // A run without kills (the clean month of the tamper campaign) still runs for `seconds`.
    await sleep(o.seconds * 1000 - (Date.now() - started));

    // 2. One station cut off for offlineHours simulated hours while the city goes on (the server is
    //    still killed now and then); then it reconnects.
    const headBefore = outboxHead(dataDir, offlineStation);
    const offlineEnd = Date.now() + (o.offlineHours * 3600_000) / o.speed;
    if (o.offlineHours > 0) {
      procs.city!.child.send({ network: offlineStation, up: false });
      o.log(`${offlineStation} offline for ${o.offlineHours} simulated hours (${((offlineEnd - Date.now()) / 1000).toFixed(0)} s)`);
    }
    while (Date.now() < offlineEnd) {
      await sleep(Math.min(offlineEnd - Date.now(), 2000 + random() * 8000));
      if (Date.now() >= offlineEnd) break;
      await kill('server');
      kills.serverWhileOffline++;
      await start('server');
      o.log(`offline ${(((offlineEnd - Date.now()) * o.speed) / 3600_000).toFixed(0)} h to go; server killed and restarted | ${status()}`);
    }
    const headAfter = o.offlineHours > 0 ? outboxHead(dataDir, offlineStation) : headBefore;
    if (o.offlineHours > 0) {
      procs.city!.child.send({ network: offlineStation, up: true });
      o.log(`${offlineStation} reconnects with ${headAfter - headBefore} records committed while offline`);
    }

    // 3. Every backlog delivered, then a clean stop.
    const drainEnd = Date.now() + 180_000;
    await sleep(2000);
    while (!(progress && progress.backlog === 0 && progress.offline === 0) && Date.now() < drainEnd) {
      await sleep(1000);
      o.log(`delivering the backlog | ${status()}`);
    }
    const runningTo = simNow();
    await stop('city');
    await stop('server');
    const simHours = (simNow() - simStart) / 3600_000;

    // 4. Counted.
    const committed = readOutboxes(dataDir, layout.stations.map((s) => s.deviceId));
    const store = readStore(join(dataDir, 'server', 'wastetrail.db'));
    const delivery = checkDelivery(committed.records, store.records);
    const trails = checkTrails(committed.mentions, store.mentions);
    const whileOffline = (r: { device: string; seq: number }) => r.device === offlineStation && r.seq > headBefore && r.seq <= headAfter;
    const offlineRecords = committed.records.filter(whileOffline);
    const alerts = checkAlerts(store.alerts, { station: offlineStation, bags: new Set(committed.mentions.filter(whileOffline).map((m) => m.tag)) });
    const lostOffline = delivery.lost.filter(whileOffline).length;
    const exportFile = join(dataDir, 'stored.jsonl');
    writeFileSync(exportFile, store.envelopes.join('\n') + '\n');
    const verify = await runToEnd(WASTETRAIL_BIN, ['verify', exportFile, '--keys', keyring]);
    const passed =
      delivery.lost.length === 0 &&
      delivery.duplicated.length === 0 &&
      delivery.altered.length === 0 &&
      delivery.unknown.length === 0 &&
      trails.broken.length === 0 &&
      alerts.unexpected === 0 &&
      verify.code === 0 &&
      (o.offlineHours === 0 || (alerts.offlineStationSilent > 0 && offlineRecords.length > 0));
    return {
      dataDir,
      kills,
      realSeconds: (Date.now() - started) / 1000,
      simHours,
      offline: { station: offlineStation, committedWhileOffline: offlineRecords.length, lost: lostOffline },
      delivery,
      trails,
      alerts,
      verify: { exitCode: verify.code, output: verify.output.trim() },
      running: { fromMs: runningFrom, toMs: runningTo },
      raised: store.alerts,
      passed,
    };
  } finally {
    for (const p of Object.values(procs)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The records each agent committed (its outbox), and the tags they name. */
export function readOutboxes(dataDir: string, devices: readonly string[]): { records: ChainRecord[]; mentions: BagMention[] } {
  const records: ChainRecord[] = [];
  const mentions: BagMention[] = [];
  for (const device of devices) {
    const db = new Database(join(dataDir, 'agents', device, 'outbox.sqlite'), { readonly: true, fileMustExist: true });
    try {
      for (const r of db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM records ORDER BY seq').all()) records.push({ device, ...r });
      for (const m of db.prepare<[], { tag: string; seq: number }>('SELECT tag, seq FROM record_tags').all()) mentions.push({ device, ...m });
    } finally {
      db.close();
    }
  }
  return { records, mentions };
}

function outboxHead(dataDir: string, device: string): number {
  const db = new Database(join(dataDir, 'agents', device, 'outbox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { head: number | null }>('SELECT max(seq) AS head FROM records').get()?.head ?? 0;
  } finally {
    db.close();
  }
}

/** What the server stored: records (and each as an export line), bag mentions, alerts. */
export function readStore(file: string): { records: ChainRecord[]; envelopes: string[]; mentions: BagMention[]; alerts: RaisedAlert[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[], { device: string; seq: number; hash: string; bytes: Buffer; signature: Buffer }>('SELECT device, seq, hash, bytes, signature FROM records ORDER BY device, seq').all();
    return {
      records: rows.map(({ device, seq, hash }) => ({ device, seq, hash })),
      envelopes: rows.map((r) => encodeEnvelope({ bytes: r.bytes, signature: r.signature })),
      mentions: db.prepare<[], BagMention>('SELECT tag, device, seq FROM record_tags').all(),
      alerts: db
        .prepare<[], { rule: string; device: string | null; bag: string | null; cleared: number; lateSeal: number; openedAt: string; sinceAt: string | null }>(
          `WITH arrival AS (SELECT t.tag, min(r.id) AS id FROM record_tags t JOIN records r ON r.device = t.device AND r.seq = t.seq WHERE r.type IN ('received', 'disposed') GROUP BY t.tag),
                seal AS (SELECT t.tag, min(r.id) AS id FROM record_tags t JOIN records r ON r.device = t.device AND r.seq = t.seq WHERE r.type = 'sealed' GROUP BY t.tag)
           SELECT a.rule, a.device, a.bag, a.condition_cleared_at IS NOT NULL AS cleared, coalesce(seal.id > arrival.id, 0) AS lateSeal, a.opened_at AS openedAt, a.since_at AS sinceAt
           FROM alerts a LEFT JOIN arrival ON arrival.tag = a.bag LEFT JOIN seal ON seal.tag = a.bag`,
        )
        .all()
        .map(({ openedAt, sinceAt, ...a }) => ({ ...a, cleared: a.cleared === 1, lateSeal: a.lateSeal === 1, openedAtMs: Date.parse(openedAt), ...(sinceAt ? { sinceMs: Date.parse(sinceAt) } : {}) })),
    };
  } finally {
    db.close();
  }
}

export function formatSoakResult(r: SoakResult): string {
  const d = r.delivery;
  const rules = Object.entries(r.alerts.byRule).map(([rule, n]) => `${rule} ${n} (${r.alerts.clearedByRule[rule] ?? 0} cleared)`).join(', ') || 'none';
  return [
    `soak ${r.passed ? 'PASSED' : 'FAILED'}: ${r.kills.server + r.kills.city + r.kills.serverWhileOffline} kills (server ${r.kills.server}, city ${r.kills.city}, server while a station was offline ${r.kills.serverWhileOffline}) in ${r.realSeconds.toFixed(0)} s real, ${r.simHours.toFixed(1)} simulated hours`,
    `  records   committed by the agents ${d.committed}, stored ${d.stored}: lost ${d.lost.length}, stored twice ${d.duplicated.length}, altered ${d.altered.length}, not from an agent ${d.unknown.length}`,
    `  verify    wastetrail verify (exit ${r.verify.exitCode}): ${r.verify.output.split('\n')[0]!.slice(0, 160)}`,
    `  trails    ${r.trails.bags} bags, ${r.trails.broken.length} with a record missing`,
    `  offline   ${r.offline.station}: ${r.offline.committedWhileOffline} records committed while offline, ${r.offline.lost} lost`,
    `  alerts    ${rules}\n            integrity/out-of-order/unknown-origin/cloned-tag not explained below: ${r.alerts.unexpected} (expected 0); unknown-origin about a bag whose seal reached the server after its receipt at disposal ${r.alerts.lateSeal.raised} (${r.alerts.lateSeal.sealedWhileOffline} sealed at ${r.offline.station} while it was offline), cleared when the seal arrived ${r.alerts.lateSeal.cleared}; device-silent about ${r.offline.station}: ${r.alerts.offlineStationSilent} (expected at least 1)`,
    ...(d.lost.length > 0 ? [`  first lost: ${d.lost.slice(0, 5).map((x) => `${x.device}#${x.seq}`).join(', ')}`] : []),
    ...(d.duplicated.length > 0 ? [`  first stored twice: ${d.duplicated.slice(0, 5).map((x) => `${x.device}#${x.seq}`).join(', ')}`] : []),
    ...(r.trails.broken.length > 0 ? [`  first broken trail: ${r.trails.broken[0]!.tag}`] : []),
    ...(r.dataDir && r.passed === false ? [`  data kept in ${r.dataDir} when --keep`] : []),
  ].join('\n');
}

function runToEnd(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
