/**
 * The reader simulator's script: one event per line, from a scenario file or typed on stdin.
 *
 *     # a comment; blank lines are skipped
 *     enter epc:3074257bf7194e4000001a85            a bag's tag enters the field and stays
 *     enter epc:3074257bf7194e4000001a85 for 5000   ... and leaves by itself after 5 s
 *     badge giai:0614141.100742                     a staff badge is held up (leaves after 3 s)
 *     badge epc:e28011700000020abcdef012 for 800    a badge from a proprietary EPC range
 *     leave epc:3074257bf7194e4000001a85            a tag (or a badge, by its id) leaves the field
 *     clear                                         the field empties
 *     noise 10                                      10 random bytes on the line
 *     corrupt                                       the next reply frame has one bit flipped
 *     wait 500                                      the script pauses 500 ms
 *
 * `enter` and `badge` also take `ant <1-8>` (antenna port) and `rssi <0-255>`. Tags are named as custody
 * records name them (`epc:<hex>`); badges by badge id (`giai:<prefix>.<ref>` or `epc:<hex>`, see
 * firmware-protocol/src/rfid/badge.ts).
 */
import { epcFromBadgeId, epcFromTagId } from '@wastetrail/firmware-protocol';
import type { ReaderEvent } from './model.ts';

export type ReaderScriptStep = ReaderEvent | { kind: 'wait'; ms: number };

export type ScriptLineResult = { ok: true; step: ReaderScriptStep | undefined } | { ok: false; message: string };

const MAX_WAIT_MS = 24 * 3600 * 1000;

export function parseReaderScriptLine(line: string): ScriptLineResult {
  const words = line.replace(/#.*$/, '').trim().split(/\s+/).filter((w) => w.length > 0);
  const [verb, arg, ...rest] = words;
  if (verb === undefined) return { ok: true, step: undefined };
  const fail = (message: string): ScriptLineResult => ({ ok: false, message });
  const step = (s: ReaderScriptStep): ScriptLineResult => ({ ok: true, step: s });

  switch (verb) {
    case 'enter':
    case 'badge': {
      const epc = arg === undefined ? undefined : verb === 'enter' ? epcFromTagId(arg) : epcFromBadgeId(arg);
      if (!epc) return fail(verb === 'enter' ? 'enter takes a tag id: epc:<lower-case hex, 4-62 bytes>' : 'badge takes a badge id: giai:<prefix>.<ref> or epc:<hex>');
      const options = parseOptions(rest);
      if (typeof options === 'string') return fail(options);
      return step({ kind: 'enter', tag: { epc, kind: verb === 'badge' ? 'badge' : 'bag', ...options } });
    }
    case 'leave': {
      const epc = arg === undefined ? undefined : (epcFromTagId(arg) ?? epcFromBadgeId(arg));
      if (!epc || rest.length > 0) return fail('leave takes one tag id or badge id');
      return step({ kind: 'leave', epc });
    }
    case 'clear':
    case 'corrupt':
      if (arg !== undefined) return fail(`${verb} takes no argument`);
      return step(verb === 'clear' ? { kind: 'clear' } : { kind: 'corrupt-next-reply' });
    case 'noise': {
      const n = integer(arg, 0, 4096);
      if (n === undefined || rest.length > 0) return fail('noise takes a byte count, 0-4096');
      return step({ kind: 'noise', bytes: n });
    }
    case 'wait': {
      const ms = integer(arg, 0, MAX_WAIT_MS);
      if (ms === undefined || rest.length > 0) return fail('wait takes milliseconds');
      return step({ kind: 'wait', ms });
    }
    default:
      return fail(`unknown command "${verb}" (enter, badge, leave, clear, noise, corrupt, wait)`);
  }
}

function integer(word: string | undefined, min: number, max: number): number | undefined {
  if (word === undefined || !/^[0-9]+$/.test(word)) return undefined;
  const n = Number(word);
  return n >= min && n <= max ? n : undefined;
}

function parseOptions(words: string[]): { antenna?: number; rssi?: number; forMs?: number } | string {
  const out: { antenna?: number; rssi?: number; forMs?: number } = {};
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i];
    const value = words[i + 1];
    if (key === 'ant') {
      const n = integer(value, 1, 8);
      if (n === undefined) return 'ant takes an antenna port, 1-8';
      out.antenna = n;
    } else if (key === 'rssi') {
      const n = integer(value, 0, 255);
      if (n === undefined) return 'rssi takes a byte value, 0-255';
      out.rssi = n;
    } else if (key === 'for') {
      const n = integer(value, 0, MAX_WAIT_MS);
      if (n === undefined) return 'for takes milliseconds';
      out.forMs = n;
    } else return `unknown option "${key}" (ant, rssi, for)`;
  }
  return out;
}
