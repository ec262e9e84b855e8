/**
 * `wastetrail-demo city`: the simulated city on its own, against any broker: real edge agents (one per
 * station, each with its own key, outbox and MQTT connection, device-token login) driving simulated
 * scales and readers, exactly as the demo runs them, but with no server in this process. It uses the
 * demo's own station wiring (stations.ts, incidents.ts, device-keys.ts).
 *
 * Keys: generated once under DATA/devices/<device>/ and kept; the keyring (format of `wastetrail-gateway
 * --keyring`) is written to --keyring-out. `--keys-only` writes the keys and the keyring and exits, so a
 * gateway can be started with the keyring before the stations try to log in.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KEYRING_FORMAT, parseKeyring } from '@wastetrail/firmware-protocol';
import {
  AcceleratedTime,
  CityModel,
  CityRun,
  firstMorning,
  formatLocalTime,
  formatProgress,
  INCIDENT_DESCRIPTIONS,
  INCIDENTS,
  MAX_INSTITUTIONS,
  MockSerialPorts,
  parseIncidentList,
  planCity,
  ProgressDisplay,
  type IncidentName,
  type ProgressStream,
  type StationPlan,
} from '@wastetrail/simulators';
import type { Agent } from '@wastetrail/edge-agent';
import type { DeviceRegistration as Registration } from '@wastetrail/server';
import { provisionStations } from './device-keys.ts';
import { incidentHooks } from './incidents.ts';
import { edgeStationFactory } from './stations.ts';

export const CITY_DEFAULTS = { institutions: 3, speed: 1440, seed: 1 } as const;

export const CITY_USAGE = `usage: wastetrail-demo city --mqtt mqtt://HOST:PORT [options]

A simulated city of real edge agents (one per station: its own key, outbox and MQTT connection,
device-token login) publishing to a broker you run: \`wastetrail-gateway --keyring\` with the keyring
written by --keyring-out, or a server that has the stations registered.
Progress goes to stderr; a summary line to stdout at the end. See docs/demo.md ("The city on its own").

options:
  --mqtt URL            the broker (mqtt://host:port); not needed with --keys-only
  --institutions N      hospitals in the city, 1-${MAX_INSTITUTIONS} (default ${CITY_DEFAULTS.institutions})
  --speed X             simulated seconds per real second (default ${CITY_DEFAULTS.speed}: a day a minute)
  --seed S              the same seed gives the same city and incidents (default ${CITY_DEFAULTS.seed})
  --incidents LIST      comma-separated, "all" or "none" (default none):
${INCIDENTS.map((i) => `                          ${i}`).join('\n')}
  --for SECONDS         stop after this long, deliver the backlog, exit (default: until Ctrl-C)
  --data DIR            device keys (DIR/devices) and outboxes (DIR/agents), kept for the next run
                        (default: a temporary folder, removed at exit)
  --keyring-out FILE    write the stations' keyring (for wastetrail-gateway --keyring, or to register
                        the devices with the server)
  --keys-only           generate the keys and write the keyring, then exit (start the broker with it first)
  --start WHEN          simulated time at the start: "morning" (today's 07:30 in the city, as a fresh
                        demo starts; the default), "now", or an ISO time

Device tokens (and record times) are on the city's clock, which runs --speed times faster than real
time from --start: a broker on real time accepts a login while the two clocks are within its
"authSkewMs" (gateway --config; default 5 minutes, at most 86400000 = a day). At the default speed a
simulated day passes each real minute, so raise authSkewMs to 86400000 and expect logins (a reconnect,
the network-outage incident) to be refused after about a minute; a slower --speed keeps them good longer.`;

export interface CityCliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** Resolves when the city should stop (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

/** The stations' keyring, as `wastetrail-gateway --keyring` reads it. */
export function keyringJson(registrations: readonly Registration[]): { format: string; devices: Record<string, unknown> } {
  const devices: Record<string, unknown> = {};
  for (const r of registrations) devices[r.id] = { institution: r.institution, stations: r.stations, ...(r.site ? { site: r.site } : {}), keys: r.keys };
  return { format: KEYRING_FORMAT, devices };
}

export async function runCityCli(argv: string[], io: CityCliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`wastetrail-demo city: ${message}\n\n${CITY_USAGE}\n`);
    return 2;
  };
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args: argv,
      options: {
        mqtt: { type: 'string' },
        institutions: { type: 'string' },
        speed: { type: 'string' },
        seed: { type: 'string' },
        incidents: { type: 'string' },
        for: { type: 'string' },
        data: { type: 'string' },
        'keyring-out': { type: 'string' },
        'keys-only': { type: 'boolean' },
        start: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
  if (v.help) {
    io.stdout.write(`${CITY_USAGE}\n`);
    return 0;
  }
  const number = (name: string, fallback: number, check: (n: number) => boolean, what: string): number | string => {
    const raw = v[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(n) && check(n) ? n : `--${name} must be ${what}, got "${String(raw)}"`;
  };
  const institutions = number('institutions', CITY_DEFAULTS.institutions, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_INSTITUTIONS, `a whole number from 1 to ${MAX_INSTITUTIONS}`);
  const speed = number('speed', CITY_DEFAULTS.speed, (n) => n >= 1 && n <= 100_000, 'a number from 1 to 100000 (simulated seconds per real second)');
  const seed = number('seed', CITY_DEFAULTS.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'a whole number from 0 to 4294967295');
  const forSeconds = number('for', Infinity, (n) => n > 0, 'a number of seconds above 0');
  for (const x of [institutions, speed, seed, forSeconds]) if (typeof x === 'string') return usage(x);
  let incidents: IncidentName[];
  try {
    incidents = parseIncidentList(typeof v.incidents === 'string' ? v.incidents : 'none');
  } catch (err) {
    return usage(`--incidents: ${(err as Error).message}`);
  }
  const startMs = v.start === undefined || v.start === 'morning' ? firstMorning(Date.now()) : v.start === 'now' ? Date.now() : Date.parse(String(v.start));
  if (!Number.isFinite(startMs)) return usage(`--start must be a time such as 2026-11-22T08:00:00+08:00, got "${String(v.start)}"`);
  const keysOnly = v['keys-only'] === true;
  let broker: { host: string; port: number; url: string } | undefined;
  if (!keysOnly) {
    if (typeof v.mqtt !== 'string') return usage('--mqtt mqtt://host:port is required (the broker the stations publish to)');
    let url: URL;
    try {
      url = new URL(v.mqtt);
    } catch {
      return usage(`--mqtt must be a URL such as mqtt://127.0.0.1:1883, got "${v.mqtt}"`);
    }
    if (url.protocol !== 'mqtt:') return usage(`--mqtt: only plain mqtt:// is supported by the simulated stations' network link, got "${url.protocol}"`);
    broker = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 1883 : Number(url.port), url: `mqtt://${url.host}` };
  }

  const ownData = typeof v.data !== 'string';
  const dataDir = ownData ? mkdtempSync(join(tmpdir(), 'wastetrail-city-')) : resolve(v.data as string);
  const dirs = { devices: join(dataDir, 'devices'), agents: join(dataDir, 'agents') };
  for (const d of [dataDir, dirs.devices, dirs.agents]) mkdirSync(d, { recursive: true, mode: 0o700 });
  try {
    const layout = planCity({ institutions: institutions as number, seed: seed as number });
    const registrations: Registration[] = [];
    const keys = await provisionStations(
      {
        devices: async () => [],
        registerDevice: async (d) => void registrations.push(d),
      },
      layout.stations,
      dirs.devices,
    );
    const keyring = keyringJson(registrations);
    const parsed = parseKeyring(keyring);
    if (!parsed.ok) throw new Error(`the generated keyring does not parse: ${parsed.error.message}`);
    if (typeof v['keyring-out'] === 'string') {
      const out = resolve(v['keyring-out']);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(keyring, null, 2)}\n`);
      io.stderr.write(`keyring of ${registrations.length} stations written to ${out}\n`);
    }
    if (keysOnly) {
      io.stdout.write(`${registrations.length} station keys under ${dirs.devices}\n`);
      return 0;
    }

    const clock = new AcceleratedTime({ startMs, speed: speed as number });
    const now = () => clock.now();
    const agents = new Map<string, Agent>();
    const model = new CityModel({ layout, runStartMs: startMs, incidents });
    const notes: string[] = [];
    let display: ProgressDisplay | undefined;
    const log = (line: string) => (display ? display.note(line) : notes.push(line));
    io.stderr.write(
      `city: ${layout.hospitals.length} hospitals, ${layout.stations.length} stations (seed ${seed}), speed ${speed}x from ${formatLocalTime(startMs)}, publishing to ${broker!.url}` +
        `${incidents.length > 0 ? `; incidents: ${incidents.map((i) => `${i} (${INCIDENT_DESCRIPTIONS[i].split(' (')[0]})`).join('; ')}` : ''}\n`,
    );
    const run = await CityRun.start({
      model,
      clock,
      startStation: edgeStationFactory({
        agentsDir: dirs.agents,
        broker: { host: broker!.host, port: broker!.port },
        keys,
        wallClock: now,
        speed: speed as number,
        agents,
        onAgentError: (device, message) => log(`${device}: ${message}`),
      }),
      hooks: incidentHooks({ mqttUrl: broker!.url, agents, keys, wallClock: now }),
      serial: { kind: 'mock', ports: new MockSerialPorts() },
      log,
    });
    display = new ProgressDisplay(io.stderr, () => run.progress());
    for (const n of notes.splice(0)) display.note(n);
    display.start();
    const started = performance.now();
    const stopSignal =
      io.stopSignal ??
      new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
    let timer: NodeJS.Timeout | undefined;
    const timeUp = Number.isFinite(forSeconds) ? new Promise<void>((r) => (timer = setTimeout(r, (forSeconds as number) * 1000))) : new Promise<void>(() => {});
    await Promise.race([stopSignal, timeUp]);
    clearTimeout(timer);
    display.note('stopping: finishing the steps in hand and delivering the backlog (up to 10 s)');
    await run.stop(10_000);
    display.stop();
    const p = run.progress();
    io.stdout.write(
      `wastetrail-demo city: ${((performance.now() - started) / 1000).toFixed(1)} s real, until ${formatLocalTime(p.simTime)} simulated; ` +
        `${p.records} records signed, ${p.records - p.backlog} acknowledged, ${p.backlog} not acknowledged; ${formatProgress(p).split(' | ')[1]}\n`,
    );
    return 0;
  } finally {
    if (ownData) rmSync(dataDir, { recursive: true, force: true });
  }
}
