/** Minimal argument parsing over node:util.parseArgs, turning its exceptions into a usage message. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Parsed = { ok: true; values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } | { ok: false; message: string };

export function parseCommandArgs(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { ok: true, values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}
