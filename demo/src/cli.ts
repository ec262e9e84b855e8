/**
 * `wastetrail-demo`: one command that runs the server and a small simulated city (real edge agents on
 * simulated scales and readers) with scripted incidents, so bags flow and alerts fire within a minute.
 * Ctrl-C stops everything cleanly; running it again continues from the data folder. docs/demo.md.
 */
import { formatLocalTime, INCIDENT_DESCRIPTIONS, INCIDENTS, MAX_INSTITUTIONS, parseIncidentList, ProgressDisplay, type IncidentName } from '@wastetrail/simulators';
import { DEMO_DEFAULTS, startDemo, type RunningDemo } from './demo.ts';
import { parseCommandArgs } from '@wastetrail/server';

export const DEMO_USAGE = `usage: wastetrail-demo [options]

Runs the server with its embedded MQTT gateway and a simulated city whose stations are real edge
agents with simulated scales and RFID readers (and, on the vehicles, simulated GNSS receivers and cargo
doors), with scripted incidents. Ctrl-C stops it cleanly; run it
again with the same --data to continue. See docs/demo.md.

options:
  --data DIR            where everything is kept (default ./data)
  --institutions N      hospitals in the city, 1-${MAX_INSTITUTIONS} (default ${DEMO_DEFAULTS.institutions})
  --speed X             simulated seconds per real second (default ${DEMO_DEFAULTS.speed}: a day a minute)
  --seed S              the city and its incidents are the same for the same seed (default ${DEMO_DEFAULTS.seed})
  --incidents LIST      comma-separated, "all" (default) or "none":
                        ${INCIDENTS.join(', ')}
  --pty                 simulated devices on real pseudo-terminals (needs socat) instead of in-process ports
  --mqtt-port N         MQTT port (default ${DEMO_DEFAULTS.mqttPort}; a free one if taken)
  --http-port N         HTTP port of the web UI and API (default ${DEMO_DEFAULTS.httpPort}; a free one if taken)
  --for SECONDS         stop after this long and exit 0 (default: run until Ctrl-C)
`;

export interface DemoIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /** Resolves when the demo should stop (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

export async function runDemo(argv: string[], io: DemoIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    data: { type: 'string' },
    institutions: { type: 'string' },
    speed: { type: 'string' },
    seed: { type: 'string' },
    incidents: { type: 'string' },
    pty: { type: 'boolean' },
    'mqtt-port': { type: 'string' },
    'http-port': { type: 'string' },
    for: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const usage = (message: string) => {
    io.stderr.write(`wastetrail-demo: ${message}\n\n${DEMO_USAGE}`);
    return 2;
  };
  if (!parsed.ok) return usage(parsed.message);
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(DEMO_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) return usage(`unexpected argument "${parsed.positionals[0]}"`);

  const number = (name: string, fallback: number, check: (n: number) => boolean, what: string): number | string => {
    const raw = v[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(n) && check(n) ? n : `--${name} must be ${what}, got "${String(raw)}"`;
  };
  const institutions = number('institutions', DEMO_DEFAULTS.institutions, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_INSTITUTIONS, `a whole number from 1 to ${MAX_INSTITUTIONS}`);
  const speed = number('speed', DEMO_DEFAULTS.speed, (n) => n >= 1 && n <= 100_000, 'a number from 1 to 100000 (simulated seconds per real second)');
  const seed = number('seed', DEMO_DEFAULTS.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'a whole number from 0 to 4294967295');
  const mqttPort = number('mqtt-port', DEMO_DEFAULTS.mqttPort, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a TCP port (0-65535)');
  const httpPort = number('http-port', DEMO_DEFAULTS.httpPort, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a TCP port (0-65535)');
  const forSeconds = number('for', Infinity, (n) => n > 0, 'a number of seconds above 0');
  for (const x of [institutions, speed, seed, mqttPort, httpPort, forSeconds]) if (typeof x === 'string') return usage(x);
  let incidents: IncidentName[];
  try {
    incidents = parseIncidentList(typeof v.incidents === 'string' ? v.incidents : 'all');
  } catch (err) {
    return usage(`--incidents: ${(err as Error).message}`);
  }
  const dataDir = typeof v.data === 'string' ? v.data : './data';

  // Listening for Ctrl-C from here on: a stop during start-up stops cleanly once started.
  const stopping = waitForStop(io.stopSignal, forSeconds as number);
  const out = io.stdout;
  let display: ProgressDisplay | undefined;
  const note = (line: string) => (display ? display.note(line) : out.write(`${line}\n`));
  let demo: RunningDemo;
  try {
    demo = await startDemo({
      dataDir,
      institutions: institutions as number,
      speed: speed as number,
      seed: seed as number,
      incidents,
      pty: v.pty === true,
      mqttPort: mqttPort as number,
      httpPort: httpPort as number,
      log: note,
    });
  } catch (err) {
    io.stderr.write(`wastetrail-demo: could not start: ${(err as Error).message}\n`);
    stopping.cancel();
    return 1;
  }

  out.write(banner(demo, incidents, speed as number));
  display = new ProgressDisplay(out, () => demo.progress());
  display.start();

  const stop = await stopping;
  display.note(stop === 'timer' ? 'time is up: stopping' : `${stop}: stopping (the agents finish what is in hand, the city is saved)`);
  let code = 0;
  try {
    await demo.close();
  } catch (err) {
    io.stderr.write(`wastetrail-demo: error while stopping: ${(err as Error).message}\n`);
    code = 1;
  }
  display.stop();
  out.write(`stopped; run the same command again to continue from ${demo.dataDir}\n`);
  return code;
}

function banner(demo: RunningDemo, incidents: readonly IncidentName[], speed: number): string {
  const l = demo.layout;
  const lines = [
    `wastetrail-demo: ${l.hospitals.length} hospitals, ${l.transport.vehicles.length} vehicles, 1 disposal centre; ${l.stations.length} stations (edge agents)`,
    `  data        ${demo.dataDir}${demo.continued ? ' (continuing the city found there)' : ''}`,
    `  MQTT        ${demo.mqttUrl}`,
    `  web and API ${demo.httpUrl}`,
    ...demo.listening.map((l) => `  ${l.split(' ')[0]!.padEnd(11)} ${l.split(' ').slice(1).join(' ')}`),
    ...(demo.kiosk ? [`  kiosk       ${demo.kiosk.url} (${demo.kiosk.station}: ${demo.kiosk.label})`] : []),
    // What an auditor passes to `wastetrail verify bundle.json --log-key` (docs/protocol/log.md).
    `  log key     ${demo.server.logKey}`,
    ...demo.credentials.map((c, i) => `  ${i === 0 ? 'logins     ' : '           '} ${c.username} / ${c.password}${c.role ? `  (${c.role})` : ''}`),
    `  time        ${formatLocalTime(demo.startedAt)} Asia/Shanghai, ${speed}x (${describeSpeed(speed)})`,
    `  incidents   ${incidents.length > 0 ? incidents.join(', ') : 'none'}`,
    ...incidents.map((i) => `    ${i}: ${INCIDENT_DESCRIPTIONS[i]}`),
    'Ctrl-C stops everything cleanly.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function describeSpeed(speed: number): string {
  const realSecondsPerDay = 86_400 / speed;
  return realSecondsPerDay >= 120 ? `a simulated day in ${Math.round(realSecondsPerDay / 60)} min` : `a simulated day in ${Math.round(realSecondsPerDay)} s`;
}

/** Resolves with what stopped the demo: a signal, the --for timer, or the caller. cancel() stops listening. */
function waitForStop(external: Promise<unknown> | undefined, forSeconds: number): Promise<string> & { cancel(): void } {
  let done: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    const timer = Number.isFinite(forSeconds) ? setTimeout(() => done('timer'), forSeconds * 1000) : undefined;
    const onSignal = (signal: NodeJS.Signals) => done(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void external?.then(() => done('stopped'));
    done = (why) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(why);
    };
  });
  return Object.assign(stopped, { cancel: () => done('cancelled') });
}
