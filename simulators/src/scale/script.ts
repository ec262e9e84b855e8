/**
 * The scale simulator's script language: one step per line, from a `--scenario` file or typed on stdin.
 *
 *   put <weight>     put a load on the platform (adds to what is there): ramps, swings, settles
 *   remove           take everything off: back to zero
 *   overload         load the platform beyond capacity (until `remove`)
 *   underload        lift the platform: below the zero range (until `remove`)
 *   jitter <grams>   a steady load wobbles by up to ± grams (0 = steady; MT-SICS `S` then times out)
 *   noise <bytes>    send that many random junk bytes on the line, now
 *   zero | tare      press the indicator's zero or tare key
 *   wait <ms>        pause the script
 *   # ...            a comment; blank lines are ignored
 *
 * A weight is grams ("1234") or carries its unit ("1.234kg", "1234 g"); it must be a whole number of grams.
 */
import { toGrams } from '@wastetrail/firmware-protocol';

export type ScaleStep =
  | { op: 'put'; grams: number }
  | { op: 'remove' }
  | { op: 'overload' }
  | { op: 'underload' }
  | { op: 'jitter'; grams: number }
  | { op: 'noise'; bytes: number }
  | { op: 'zero' }
  | { op: 'tare' }
  | { op: 'wait'; ms: number };

export interface ScriptError {
  line: number;
  message: string;
}

const WEIGHT = /^([+-]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/;
const MAX_WAIT_MS = 24 * 3600_000;
const MAX_NOISE_BYTES = 65_536;

function count(arg: string | undefined, max: number): number | undefined {
  if (arg === undefined || !/^\d+$/.test(arg)) return undefined;
  const n = Number(arg);
  return n <= max ? n : undefined;
}

/** One line: a step, nothing (blank or comment), or an error message. */
export function parseScaleStep(text: string): { step?: ScaleStep; error?: string } {
  const line = text.replace(/#.*/, '').trim();
  if (line === '') return {};
  const [word = '', ...rest] = line.split(/\s+/);
  const arg = rest.join(' ');
  const op = word.toLowerCase();
  switch (op) {
    case 'put': {
      const m = WEIGHT.exec(arg);
      if (!m) return { error: `put needs a weight, e.g. "put 1234" or "put 1.234kg", got "${arg}"` };
      const g = toGrams(m[1]!, m[2] || 'g', 'exact');
      if (!g.ok) return { error: `put ${arg}: ${g.error.message}` };
      return { step: { op, grams: g.value.grams } };
    }
    case 'remove':
    case 'overload':
    case 'underload':
    case 'zero':
    case 'tare':
      return rest.length ? { error: `${op} takes no argument` } : { step: { op } };
    case 'jitter': {
      const grams = count(arg, 1_000_000);
      return grams === undefined ? { error: `jitter needs whole grams, e.g. "jitter 5", got "${arg}"` } : { step: { op, grams } };
    }
    case 'noise': {
      const bytes = count(arg, MAX_NOISE_BYTES);
      return bytes === undefined ? { error: `noise needs a byte count up to ${MAX_NOISE_BYTES}, got "${arg}"` } : { step: { op, bytes } };
    }
    case 'wait': {
      const ms = count(arg, MAX_WAIT_MS);
      return ms === undefined ? { error: `wait needs milliseconds, e.g. "wait 500", got "${arg}"` } : { step: { op, ms } };
    }
    default:
      return { error: `unknown step "${word}" (put, remove, overload, underload, jitter, noise, zero, tare, wait)` };
  }
}

/** A whole scenario: every step, or every error with its line number. */
export function parseScaleScript(text: string): { ok: true; steps: ScaleStep[] } | { ok: false; errors: ScriptError[] } {
  const steps: ScaleStep[] = [];
  const errors: ScriptError[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const r = parseScaleStep(l);
    if (r.error) errors.push({ line: i + 1, message: r.error });
    else if (r.step) steps.push(r.step);
  });
  return errors.length ? { ok: false, errors } : { ok: true, steps };
}
