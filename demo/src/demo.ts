/**
 * `wastetrail-demo` as a function: the server (embedded gateway, SQLite under the data folder, the
 * HTTP API and web UI) and a small simulated city whose every station is a real edge
 * agent, with the scripted incidents. Everything it makes is kept under the data folder:
 *
 *   DATA/wastetrail.db        the server's store (records, alerts, reference data, users)
 *   DATA/devices/<device>/    each station's key (device.key, device.pub): generated once, then reused
 *   DATA/agents/<device>/     each station's outbox: a restart continues its chain
 *   DATA/city.json            where the city stopped: simulated time, bags in flight, planned tasks
 *
 * The whole system runs on the city's accelerated clock: record times (the agents' wall clock), the
 * gateway's login tokens, ingest and the rules. A restart continues from a time after the last one used.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Agent } from '@wastetrail/edge-agent';
import {
  AcceleratedTime,
  CityModel,
  CityRun,
  firstMorning,
  MINUTE_MS,
  MockSerialPorts,
  planCity,
  type CityLayout,
  type CityProgress,
  type CityState,
  type IncidentName,
} from '@wastetrail/simulators';
import { createRootLogger } from '@wastetrail/runtime';
import { DEMO_USERS, ensureDemoUsers, parseServerConfig, startServer, type RunningServer, type ServerConfig } from '@wastetrail/server';
import { provisionStations } from './device-keys.ts';
import { incidentHooks } from './incidents.ts';
import { seedReferenceData } from './reference-data.ts';
import { edgeStationFactory } from './stations.ts';

export interface DemoOptions {
  /** Where everything is kept (created if missing). */
  dataDir: string;
  institutions: number;
  /** Simulated seconds per real second (1440: a day a minute). */
  speed: number;
  seed: number;
  incidents: readonly IncidentName[];
  /** Simulated devices on real pseudo-terminals (needs socat) instead of in-process ports. */
  pty?: boolean;
  /** Preferred ports; a taken one is replaced by a free one (and said so). */
  mqttPort?: number;
  httpPort?: number;
  /** Bags each ward seals a day (default 8-14). */
  bagsPerWard?: { min: number; max: number };
  /** Incidents, steps not done, and warnings: one line each. */
  log?: (line: string) => void;
  /** Agent log lines (warn and above); default: errors go to `log`. */
  onAgentError?: (deviceId: string, message: string) => void;
}

export interface DemoCredentials {
  username: string;
  password: string;
  role?: string;
}

export interface RunningDemo {
  readonly dataDir: string;
  readonly layout: CityLayout;
  readonly server: RunningServer;
  readonly city: CityRun;
  readonly clock: AcceleratedTime;
  readonly mqttUrl: string;
  /** The web UI and API. */
  readonly httpUrl: string;
  /** Everything else the server listens on, as `<what> <url>` lines. */
  readonly listening: string[];
  /** The kiosk page of one ward station, to watch it at work. */
  readonly kiosk: { url: string; station: string; label: string } | undefined;
  /** Demo logins, when the API provides them. */
  readonly credentials: DemoCredentials[];
  /** The simulated time the run started at, and whether it continued an earlier run. */
  readonly startedAt: number;
  readonly continued: boolean;
  progress(): CityProgress;
  /** Stops the city (transactions in hand finish), the agents and the server; saves where the city is. */
  close(): Promise<void>;
}

export const DEMO_DEFAULTS = { institutions: 3, speed: 1440, seed: 1, mqttPort: 1883, httpPort: 8080 } as const;

const STATE_FILE = 'city.json';
const LOCK_FILE = 'demo.pid';
/** The city's state is saved this often (real ms), so a hard kill loses little. */
const SAVE_EVERY_MS = 5000;

interface SavedCity extends CityState {
  /** False while running: after a hard kill, time is moved on by what may have been used since the save. */
  stoppedCleanly: boolean;
  speed: number;
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = resolve(o.dataDir);
  const dirs = { devices: join(dataDir, 'devices'), agents: join(dataDir, 'agents') };
  for (const d of [dataDir, dirs.devices, dirs.agents]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(dataDir);
  try {
    return await startServerAndCity(o, { dataDir, ...dirs }, log, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function startServerAndCity(o: DemoOptions, dirs: { dataDir: string; devices: string; agents: string }, log: (line: string) => void, unlock: () => void): Promise<RunningDemo> {
  const { dataDir } = dirs;
  const saved = readSavedCity(join(dataDir, STATE_FILE), log);
  const layout = planCity({ institutions: o.institutions, seed: o.seed });
  let startedAt = saved
    ? saved.simTime + MINUTE_MS + (saved.stoppedCleanly ? 0 : SAVE_EVERY_MS * Math.max(saved.speed, o.speed))
    : firstMorning(Date.now());
  let clock = new AcceleratedTime({ startMs: startedAt, speed: o.speed });
  const now = () => clock.now();

  const config = demoServerConfig(dataDir, o, o.speed);
  // The server's warnings and errors, readable, above the progress display (not under it).
  const serverLog = createRootLogger(config.log, { name: 'wastetrail-server', lines: log });
  const server = await startServer(config, { fallbackToFreePorts: true, logger: serverLog, now });
  const agents = new Map<string, Agent>();
  let city: CityRun | undefined;
  try {
    const tcp = server.gateway?.addresses.tcp;
    if (!tcp || !server.mqttUrl) throw new Error('the demo needs the embedded gateway with a TCP listener');
    // Never before a record already stored (the state file lost or older than the store): device times only go forward.
    const latest = await latestRecordTime(server, layout);
    if (latest !== undefined && latest >= startedAt) {
      startedAt = latest + MINUTE_MS;
      clock = new AcceleratedTime({ startMs: startedAt, speed: o.speed });
    }
    await seedReferenceData(server.store, layout);
    const keys = await provisionStations(server.store, layout.stations, dirs.devices);
    await server.reloadKeyring();
    const credentials = await demoCredentials(server, now);

    const model = new CityModel({
      layout,
      runStartMs: startedAt,
      incidents: o.incidents,
      ...(saved ? { saved, firstSerial: saved.nextSerial } : {}),
      ...(o.bagsPerWard ? { bagsPerWard: o.bagsPerWard } : {}),
    });
    const broker = { host: tcp.host === '0.0.0.0' || tcp.host === '::' ? '127.0.0.1' : tcp.host, port: tcp.port };
    // One ward's kiosk page is served, to watch a station at work.
    const kioskStation = layout.hospitals[0]?.departments[0]?.station.deviceId;
    const onAgentError = o.onAgentError ?? ((device: string, message: string) => log(`${device}: ${message}`));
    city = await CityRun.start({
      model,
      clock,
      startStation: edgeStationFactory({ agentsDir: dirs.agents, broker, keys, wallClock: now, speed: o.speed, agents, onAgentError, ...(kioskStation ? { kioskFor: kioskStation } : {}) }),
      hooks: incidentHooks({ mqttUrl: server.mqttUrl, agents, keys, wallClock: now }),
      serial: o.pty ? { kind: 'pty' } : { kind: 'mock', ports: new MockSerialPorts() },
      log,
    });

    const statePath = join(dataDir, STATE_FILE);
    const save = (state: CityState, stoppedCleanly: boolean) => writeSavedCity(statePath, { ...state, stoppedCleanly, speed: o.speed });
    const saver = setInterval(() => save({ ...model.snapshot(), simTime: now() }, false), SAVE_EVERY_MS);
    saver.unref();
    save({ ...model.snapshot(), simTime: now() }, false);

    const running = city;
    let closing: Promise<void> | undefined;
    return {
      dataDir,
      layout,
      server,
      city: running,
      clock,
      mqttUrl: server.mqttUrl,
      httpUrl: server.httpUrl,
      listening: server.listening().filter((l) => !/^https? /.test(l)),
      kiosk: kioskOf(kioskStation, agents, layout),
      credentials,
      startedAt,
      continued: saved !== undefined,
      progress: () => running.progress(),
      close: () =>
        (closing ??= (async () => {
          clearInterval(saver);
          try {
            save(await running.stop(), true);
          } finally {
            await server.close();
            unlock();
          }
        })()),
    };
  } catch (err) {
    await city?.stop().catch(() => {});
    for (const a of agents.values()) await a.stop().catch(() => {});
    await server.close();
    throw err;
  }
}

/** The server's configuration for the demo: everything under dataDir, the gateway on the city's clock. */
export function demoServerConfig(dataDir: string, o: Pick<DemoOptions, 'mqttPort' | 'httpPort'>, speed: number): ServerConfig {
  // A login token may be as old as a connect takes: seconds of real time are hours of simulated time.
  const authSkewMs = Math.round(Math.min(24 * 3600_000, Math.max(5 * MINUTE_MS, 30_000 * speed)));
  // The time rules run about every 10 simulated minutes (at 1440x: every 0.5 s).
  const tickMs = Math.round(Math.min(60_000, Math.max(500, (10 * MINUTE_MS) / speed)));
  const config = parseServerConfig(
    JSON.stringify({
      dataDir,
      mqtt: { mode: 'embedded', gateway: { tcp: { port: o.mqttPort ?? DEMO_DEFAULTS.mqttPort, host: '127.0.0.1' }, authSkewMs } },
      alerting: { tickMs },
      // The agents poll their climate sensors on real timers and sign every 30 simulated minutes: at
      // 1440x a second of the process lagging is 24 simulated minutes, so the demo allows a sensor 4 h.
      rules: { defaults: { climateSilent: { minutes: 240 } } },
      // The simulated city runs on the server's event loop: its lag is not the server's load.
      http: { host: '127.0.0.1', port: o.httpPort ?? DEMO_DEFAULTS.httpPort, maxEventLoopDelayMs: 0 },
      demo: true,
      log: { level: 'warn', format: 'pretty' },
    }),
    dataDir,
  );
  return config;
}

function kioskOf(deviceId: string | undefined, agents: ReadonlyMap<string, Agent>, layout: CityLayout): RunningDemo['kiosk'] {
  const url = deviceId ? agents.get(deviceId)?.kioskUrl : undefined;
  const station = layout.stations.find((s) => s.deviceId === deviceId);
  return url && station ? { url, station: station.deviceId, label: station.label } : undefined;
}

/** One demo per data folder: two would run two agents on each outbox. Returns the unlock. */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(pid) && pid !== process.pid && processExists(pid)) {
      throw new Error(`another demo (pid ${pid}) is using ${dataDir}; stop it first, or use another --data (remove ${file} if that process is not a demo)`);
    }
    // Left behind by a demo that was killed: ours now.
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  return () => rmSync(file, { force: true });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The newest device time stored for any of the city's stations. */
async function latestRecordTime(server: RunningServer, layout: CityLayout): Promise<number | undefined> {
  let latest: number | undefined;
  for (const s of layout.stations) {
    const head = await server.store.headOf(s.deviceId);
    const record = head ? await server.store.recordAt(s.deviceId, head.seq) : undefined;
    const t = record ? Date.parse(record.deviceTime) : NaN;
    if (Number.isFinite(t) && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/** The demo logins (published passwords; demo mode only), scoped to the city's first places. */
async function demoCredentials(server: RunningServer, now: () => number): Promise<DemoCredentials[]> {
  const outcomes = await ensureDemoUsers(server.store, { demo: true, now });
  return outcomes.flatMap((o) => {
    const password = o.password ?? DEMO_USERS.find((u) => u.username === o.username)?.password;
    return o.status === 'skipped' || password === undefined ? [] : [{ username: o.username, password, role: o.role }];
  });
}

function readSavedCity(file: string, log: (line: string) => void): SavedCity | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as SavedCity;
    if (value.version !== 1 || typeof value.simTime !== 'number' || !Number.isFinite(value.simTime)) throw new Error('not a city state (version 1)');
    return value;
  } catch (err) {
    log(`warning: ${file} cannot be read (${(err as Error).message}); the city starts afresh (keys and outboxes are kept)`);
    return undefined;
  }
}

function writeSavedCity(file: string, state: SavedCity): void {
  // Written whole, then renamed: a kill mid-write leaves the previous state.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
