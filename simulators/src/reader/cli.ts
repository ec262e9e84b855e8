/**
 * `wastetrail-sim reader`: a Chafon / UHFReader18 reader on a pseudo-terminal, for an edge agent (or
 * anything else) to open like /dev/ttyUSB0.
 *
 *     wastetrail-sim reader [--baud 57600] [--variant plain|antenna|rssi|antenna-rssi] [--scenario FILE]
 *                           [--address 0] [--tags-per-frame N] [--seed N] [--verbose]
 *
 * The first line on stdout is the device path. Script lines (script.ts) come from the scenario file and,
 * at the same time, from stdin; the reader runs until SIGINT or SIGTERM, then closes the pty and returns.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isChafonVariant, type ChafonVariant } from '@wastetrail/firmware-protocol';
import { openPtyDevice } from '../serial/pty.ts';
import { attachReaderModel, playReaderScript } from './driver.ts';
import { seededRandom } from '@wastetrail/firmware-protocol';
import { ReaderModel } from './model.ts';

export const READER_USAGE =
  'usage: wastetrail-sim reader [--baud 57600] [--variant plain|antenna|rssi|antenna-rssi] [--scenario FILE] [--address 0] [--tags-per-frame N] [--seed N] [--verbose]';

const SCRIPT_HELP = `Prints the device path first, then answers Chafon inventory (0x01) and reader-information (0x21)
commands until SIGINT or SIGTERM. Script lines, from --scenario and from stdin:
  enter epc:<hex> [ant 1-8] [rssi 0-255] [for MS]   a tag enters the field (and leaves after MS)
  badge <badge id> [ant N] [rssi N] [for MS]        a badge is held up (giai:<prefix>.<ref> or epc:<hex>; 3 s)
  leave <tag id | badge id>                         it leaves the field
  clear | noise N | corrupt | wait MS               empty the field, N junk bytes, damage the next reply, pause
  # comment`;

export interface ReaderCliOptions {
  baudRate: number;
  variant: ChafonVariant;
  scenario?: string;
  address: number;
  maxTagsPerFrame?: number;
  seed: number;
  verbose: boolean;
}

export function parseReaderArgs(argv: string[]): { ok: true; options: ReaderCliOptions } | { ok: true; help: true } | { ok: false; message: string } {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        baud: { type: 'string', default: '57600' },
        variant: { type: 'string', default: 'plain' },
        scenario: { type: 'string' },
        address: { type: 'string', default: '0' },
        'tags-per-frame': { type: 'string' },
        seed: { type: 'string', default: '1' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  if (values.help) return { ok: true, help: true };
  const int = (s: string | undefined, min: number, max: number) => (s !== undefined && /^[0-9]+$/.test(s) && +s >= min && +s <= max ? +s : undefined);
  const baudRate = int(values.baud, 50, 4_000_000);
  if (baudRate === undefined) return { ok: false, message: '--baud takes a bit rate such as 57600' };
  if (!isChafonVariant(values.variant)) return { ok: false, message: '--variant is one of plain, antenna, rssi, antenna-rssi' };
  const address = int(values.address, 0, 254);
  if (address === undefined) return { ok: false, message: '--address takes 0-254 (255 is broadcast)' };
  const seed = int(values.seed, 0, 2 ** 32 - 1);
  if (seed === undefined) return { ok: false, message: '--seed takes a non-negative integer' };
  const options: ReaderCliOptions = { baudRate, variant: values.variant, address, seed, verbose: values.verbose === true };
  if (values['tags-per-frame'] !== undefined) {
    const n = int(values['tags-per-frame'], 1, 255);
    if (n === undefined) return { ok: false, message: '--tags-per-frame takes 1-255' };
    options.maxTagsPerFrame = n;
  }
  if (values.scenario !== undefined) options.scenario = values.scenario;
  return { ok: true, options };
}

export async function runReaderCli(argv: string[]): Promise<void> {
  const parsed = parseReaderArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`reader: ${parsed.message}\n${READER_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if ('help' in parsed) {
    process.stdout.write(`${READER_USAGE}\n\n${SCRIPT_HELP}\n`);
    return;
  }
  const opts = parsed.options;
  const log = (line: string) => process.stderr.write(`reader: ${line}\n`);
  let scenario: string[] = [];
  if (opts.scenario !== undefined) {
    try {
      scenario = (await readFile(opts.scenario, 'utf8')).split(/\r?\n/);
    } catch (e) {
      log(`cannot read the scenario: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 2;
      return;
    }
  }

  const { endpoint, devicePath } = await openPtyDevice({ baudRate: opts.baudRate });
  process.stdout.write(`${devicePath}\n`);

  const model = new ReaderModel({
    address: opts.address,
    variant: opts.variant,
    random: seededRandom(opts.seed),
    ...(opts.maxTagsPerFrame ? { maxTagsPerFrame: opts.maxTagsPerFrame } : {}),
  });
  const driver = attachReaderModel(endpoint, model, { onError: (e) => log(e instanceof Error ? e.message : String(e)) });
  const stop = new AbortController();
  const playOptions = (source: string) => ({
    signal: stop.signal,
    onBadLine: (n: number, line: string, message: string) => log(`${source}:${n}: ${message}: ${line.trim()}`),
    ...(opts.verbose ? { onStep: (step: { kind: string }) => log(`${source}: ${step.kind}`) } : {}),
  });

  const play = async (source: string, lines: AsyncIterable<string> | Iterable<string>) => {
    try {
      await playReaderScript(lines, driver, playOptions(source));
    } catch (e) {
      if (!stop.signal.aborted) log(`${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const scenarioDone = play(opts.scenario ?? 'scenario', scenario);
  const stdinLines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const stdinDone = play('stdin', stdinLines);

  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  stop.abort();
  stdinLines.close();
  process.stdin.pause();
  process.stdin.destroy();
  await Promise.allSettled([scenarioDone, stdinDone]);
  await driver.close();
  if (opts.verbose) log(`closed after ${model.stats.commands} command(s), ${model.stats.inventories} inventories`);
}
