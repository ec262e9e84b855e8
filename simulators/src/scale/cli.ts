/**
 * `wastetrail-sim scale`: a scale on a fresh pty pair. Prints the device path as the first stdout line,
 * then runs the scenario file (if any) and the steps typed on stdin, until SIGINT or SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  checkSerialLineSettings,
  SCALE_LINE_DEFAULTS,
  SCALE_PROTOCOLS,
  weightUnit,
  type ScaleProtocol,
  type SerialLineSettings,
} from '@wastetrail/firmware-protocol';
import { failCli, wholeOption, type Io } from '../cli-args.ts';
import { systemClock } from '../clock.ts';
import { openPtyDevice } from '../serial/pty.ts';
import { parseScaleScript, parseScaleStep, type ScaleStep } from './script.ts';
import { ScaleSimulator } from './simulator.ts';

export const SCALE_USAGE = `usage: wastetrail-sim scale --protocol mt-sics|xk3190|and [options]

Serial line (defaults per protocol: mt-sics and xk3190 9600 8N1, and 2400 7E1):
  --baud N  --data-bits 7|8  --parity none|even|odd  --stop-bits 1|2
Scale:
  --unit g|kg  --decimals N      what the display shows (mt-sics 100.00 g, others 12.34 kg)
  --capacity GRAMS               overload above this (default 60000)
  --settle MS                    time for a load to settle (default 800)
  --interval MS                  xk3190/and: time between readings; mt-sics: SIR (default 100)
  --format indicator|balance     and: ST,GS,+0012.34kg (default) or ST,+001234.5  g
  --serial TEXT                  mt-sics: what I4 answers
  --seed N                       noise seed (default 1)
  --scenario FILE                steps to run first (see below)
  --verbose                      log every command and step on stderr

Steps (scenario file or stdin, one per line):
  put <weight> | remove | overload | underload | jitter <grams> | noise <bytes> | zero | tare | wait <ms>
  a weight is grams ("1234") or has a unit ("1.234kg"); # starts a comment

The first line on stdout is the path to open (like /dev/ttyUSB0). Stop with Ctrl-C or SIGTERM.`;

const fail = (io: Pick<Io, 'stderr'>, message: string) => failCli(io, 'scale', message);
const integer = (text: string | undefined, name: string, min: number, max: number) => wholeOption(text, name, min, max);

/** Runs until a signal arrives; returns the exit code. */
export async function runScaleCli(argv: string[], io: Io = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        protocol: { type: 'string' },
        baud: { type: 'string' },
        'data-bits': { type: 'string' },
        parity: { type: 'string' },
        'stop-bits': { type: 'string' },
        unit: { type: 'string' },
        decimals: { type: 'string' },
        capacity: { type: 'string' },
        settle: { type: 'string' },
        interval: { type: 'string' },
        format: { type: 'string' },
        serial: { type: 'string' },
        seed: { type: 'string' },
        scenario: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return fail(io, `${(err as Error).message}\n\n${SCALE_USAGE}`);
  }
  if (values.help) {
    io.stdout.write(`${SCALE_USAGE}\n`);
    return 0;
  }
  const protocol = values.protocol as ScaleProtocol | undefined;
  if (!protocol || !(SCALE_PROTOCOLS as readonly string[]).includes(protocol)) {
    return fail(io, `--protocol must be one of ${SCALE_PROTOCOLS.join(', ')}\n\n${SCALE_USAGE}`);
  }

  const numbers = {
    baudRate: integer(values.baud, 'baud', 50, 4_000_000),
    dataBits: integer(values['data-bits'], 'data-bits', 7, 8),
    stopBits: integer(values['stop-bits'], 'stop-bits', 1, 2),
    decimals: integer(values.decimals, 'decimals', 0, 6),
    capacity: integer(values.capacity, 'capacity', 1, 100_000_000),
    settle: integer(values.settle, 'settle', 0, 600_000),
    interval: integer(values.interval, 'interval', 1, 600_000),
    seed: integer(values.seed, 'seed', 0, 2 ** 31 - 1),
  };
  for (const v of Object.values(numbers)) if (typeof v === 'string') return fail(io, v);
  const n = numbers as { [K in keyof typeof numbers]: number | undefined };

  const line: SerialLineSettings = {
    ...SCALE_LINE_DEFAULTS[protocol],
    ...(n.baudRate !== undefined ? { baudRate: n.baudRate } : {}),
    ...(n.dataBits !== undefined ? { dataBits: n.dataBits as 7 | 8 } : {}),
    ...(n.stopBits !== undefined ? { stopBits: n.stopBits as 1 | 2 } : {}),
    ...(values.parity !== undefined ? { parity: values.parity as SerialLineSettings['parity'] } : {}),
  };
  const problems = checkSerialLineSettings(line);
  if (problems.length) return fail(io, problems.join('; '));
  const unit = values.unit === undefined ? undefined : weightUnit(values.unit);
  if (values.unit !== undefined && !unit) return fail(io, `--unit must be a unit of mass such as g or kg, got "${values.unit}"`);
  if (values.format !== undefined && values.format !== 'indicator' && values.format !== 'balance') {
    return fail(io, `--format must be indicator or balance, got "${values.format}"`);
  }

  let scenario: ScaleStep[] = [];
  if (values.scenario !== undefined) {
    let text: string;
    try {
      text = await readFile(values.scenario, 'utf8');
    } catch (err) {
      return fail(io, `cannot read scenario: ${(err as Error).message}`);
    }
    const parsed = parseScaleScript(text);
    if (!parsed.ok) return fail(io, parsed.errors.map((e) => `${values.scenario}:${e.line}: ${e.message}`).join('\n'));
    scenario = parsed.steps;
  }

  const { endpoint, devicePath, closed } = await openPtyDevice(line);
  io.stdout.write(`${devicePath}\n`);
  const verbose = values.verbose === true;
  const sim = new ScaleSimulator({
    protocol,
    endpoint,
    clock: systemClock,
    model: {
      ...(n.capacity !== undefined ? { capacityGrams: n.capacity } : {}),
      ...(n.settle !== undefined ? { settleMs: n.settle } : {}),
      ...(n.seed !== undefined ? { seed: n.seed } : {}),
    },
    display: { ...(unit ? { unit } : {}), ...(n.decimals !== undefined ? { decimals: n.decimals } : {}) },
    ...(n.interval !== undefined ? { intervalMs: n.interval } : {}),
    ...(values.format ? { andFormat: values.format as 'indicator' | 'balance' } : {}),
    ...(values.serial !== undefined ? { serialNumber: values.serial } : {}),
    log: (l) => {
      if (verbose) io.stderr.write(`scale: ${l}\n`);
    },
  });
  sim.start();
  const parity = line.parity[0]!.toUpperCase();
  io.stderr.write(`scale simulator: ${protocol} on ${devicePath} (${line.baudRate} ${line.dataBits}${parity}${line.stopBits}); steps on stdin\n`);
  void sim.run(scenario);

  const input = createInterface({ input: io.stdin, terminal: false });
  input.on('line', (text) => {
    const r = parseScaleStep(text);
    if (r.error) io.stderr.write(`scale: ${r.error}\n`);
    else if (r.step) void sim.run([r.step]);
  });
  // stdin ending (e.g. /dev/null) is not a reason to stop: the simulator runs until killed.

  let onSignal: (signal: string) => void = () => {};
  const signalled = new Promise<string>((resolve) => {
    onSignal = resolve;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const why = await Promise.race([signalled, closed.then(() => 'pty closed')]);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  sim.stop();
  input.close();
  await endpoint.close();
  io.stderr.write(`scale simulator: stopped (${why})\n`);
  return why === 'pty closed' ? 1 : 0;
}
