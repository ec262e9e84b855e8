/**
 * `wastetrail-sim climate`: RS-WS-N01-style temperature and humidity sensors on a fresh pty pair (one
 * RS-485 line). Prints the device path as the first stdout line, then takes commands on stdin (set the
 * readings, inject faults) until SIGINT or SIGTERM.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { failCli, wholeOption, type Io } from '../cli-args.ts';
import { openPtyDevice } from '../serial/pty.ts';
import { SensorBus, type SensorFault, type SimulatedSensor } from './sensor.ts';

export const CLIMATE_USAGE = `usage: wastetrail-sim climate [options]

  --baud N              line speed (default 4800; 8N1)
  --unit N              the room sensor's Modbus address (default 1)
  --outdoor-unit N      also an outdoor probe at this address
  --temperature C       the room's temperature, °C (default 18.0)
  --humidity RH         the room's relative humidity, % (default 55.0)
  --outdoor C           the outdoor probe's temperature, °C (default 30.0)

Commands (stdin, one per line; "outdoor" as the first word aims the rest at the outdoor probe):
  temperature <C> | humidity <RH> | outdoor <C>
  fault silent|bad-crc [count]  |  fault exception <code> [count]  |  clear
  count: how many requests the fault lasts (default 1; "always" until clear)

The first line on stdout is the path to open (like /dev/ttyUSB0). Stop with Ctrl-C or SIGTERM.`;

export type ClimateCommand =
  | { kind: 'set'; what: 'temperature' | 'humidity'; tenths: number; outdoor: boolean }
  | { kind: 'fault'; fault: SensorFault; times: number; outdoor: boolean }
  | { kind: 'clear'; outdoor: boolean };

/** One stdin line as a command; an error message for a line that is not one; undefined for a blank or comment. */
export function parseClimateCommand(line: string): ClimateCommand | { error: string } | undefined {
  let words = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  let outdoor = false;
  if (words[0] === 'outdoor') {
    outdoor = true;
    words = words.slice(1);
    // "outdoor 31.5" is the probe's temperature.
    if (words.length === 1 && /^-?\d/.test(words[0]!)) words = ['temperature', words[0]!];
  }
  const [verb, ...args] = words;
  const tenths = (text: string | undefined, min: number, max: number) => {
    if (text === undefined || !/^-?\d+(\.\d)?$/.test(text)) return undefined;
    const v = Math.round(Number(text) * 10);
    return v >= min && v <= max ? v : undefined;
  };
  const times = (text: string | undefined) => (text === undefined ? 1 : text === 'always' ? Infinity : /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined);
  switch (verb) {
    case 'temperature':
    case 'humidity': {
      const v = verb === 'temperature' ? tenths(args[0], -400, 1250) : tenths(args[0], 0, 1000);
      if (v === undefined || args.length !== 1) return { error: `${verb} takes one number with at most one decimal (${verb === 'temperature' ? '-40.0 to 125.0 °C' : '0 to 100.0 %'}), got "${args.join(' ')}"` };
      return { kind: 'set', what: verb, tenths: v, outdoor };
    }
    case 'fault': {
      const [kind, ...rest] = args;
      if (kind === 'silent' || kind === 'bad-crc') {
        const n = times(rest[0]);
        if (n === undefined || rest.length > 1) return { error: `fault ${kind} takes an optional count (1-999999 or "always"), got "${rest.join(' ')}"` };
        return { kind: 'fault', fault: { kind }, times: n, outdoor };
      }
      if (kind === 'exception') {
        const code = rest[0] !== undefined && /^\d{1,3}$/.test(rest[0]) && Number(rest[0]) >= 1 && Number(rest[0]) <= 255 ? Number(rest[0]) : undefined;
        const n = times(rest[1]);
        if (code === undefined || n === undefined || rest.length > 2) return { error: `fault exception takes a code (1-255) and an optional count, got "${rest.join(' ')}"` };
        return { kind: 'fault', fault: { kind: 'exception', code }, times: n, outdoor };
      }
      return { error: `fault must be silent, bad-crc or exception, got "${kind ?? ''}"` };
    }
    case 'clear':
      return args.length === 0 ? { kind: 'clear', outdoor } : { error: 'clear takes nothing' };
    default:
      return { error: `unknown command "${verb}"` };
  }
}

const fail = (io: Pick<Io, 'stderr'>, message: string) => failCli(io, 'climate', message);

/** Runs until a signal arrives; returns the exit code. */
export async function runClimateCli(argv: string[], io: Io = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        baud: { type: 'string' },
        unit: { type: 'string' },
        'outdoor-unit': { type: 'string' },
        temperature: { type: 'string' },
        humidity: { type: 'string' },
        outdoor: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return fail(io, `${(err as Error).message}\n\n${CLIMATE_USAGE}`);
  }
  if (values.help) {
    io.stdout.write(`${CLIMATE_USAGE}\n`);
    return 0;
  }
  const baud = wholeOption(values.baud, 'baud', 50, 4_000_000, 4800);
  const unit = wholeOption(values.unit, 'unit', 1, 247, 1);
  const outdoorUnit = wholeOption(values['outdoor-unit'], 'outdoor-unit', 1, 247);
  for (const v of [baud, unit, outdoorUnit]) if (typeof v === 'string') return fail(io, v);
  if (outdoorUnit !== undefined && outdoorUnit === unit) return fail(io, `--outdoor-unit must differ from --unit (${unit})`);
  const start: Record<'temperature' | 'humidity' | 'outdoor', number | undefined> = { temperature: undefined, humidity: undefined, outdoor: undefined };
  for (const name of ['temperature', 'humidity', 'outdoor'] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const c = parseClimateCommand(`${name === 'humidity' ? 'humidity' : 'temperature'} ${text}`);
    if (!c || 'error' in c || c.kind !== 'set') return fail(io, `--${name}: ${c && 'error' in c ? c.error : 'not a number'}`);
    start[name] = c.tenths;
  }

  const { endpoint, devicePath, closed } = await openPtyDevice({ baudRate: baud as number });
  io.stdout.write(`${devicePath}\n`);
  const bus = new SensorBus({ endpoint });
  const room = bus.add(unit as number, { temperature: start.temperature ?? 180, humidity: start.humidity ?? 550 });
  const probe: SimulatedSensor | undefined = outdoorUnit !== undefined ? bus.add(outdoorUnit as number, { temperature: start.outdoor ?? 300 }) : undefined;
  io.stderr.write(`climate simulator: room sensor at address ${unit}${probe ? `, outdoor probe at ${outdoorUnit}` : ''} on ${devicePath} (${baud} 8N1); commands on stdin\n`);

  const input = createInterface({ input: io.stdin, terminal: false });
  input.on('line', (text) => {
    const c = parseClimateCommand(text);
    if (!c) return;
    if ('error' in c) return void io.stderr.write(`climate: ${c.error}\n`);
    const target = c.outdoor ? probe : room;
    if (!target) return void io.stderr.write('climate: there is no outdoor probe (--outdoor-unit)\n');
    if (c.kind === 'set') target[c.what] = c.tenths;
    else if (c.kind === 'fault') target.fault(c.fault, c.times);
    else target.clearFault();
    io.stderr.write(`climate: ${text.trim()}\n`);
  });

  let onSignal: (signal: string) => void = () => {};
  const signalled = new Promise<string>((resolve) => {
    onSignal = resolve;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const why = await Promise.race([signalled, closed.then(() => 'pty closed')]);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  input.close();
  await bus.close();
  io.stderr.write(`climate simulator: stopped (${why})\n`);
  return why === 'pty closed' ? 1 : 0;
}
