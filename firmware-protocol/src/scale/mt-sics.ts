/**
 * Mettler Toledo MT-SICS (Standard Interface Command Set), also spoken by newer Ohaus balances.
 * ASCII both ways, CRLF line ends, upper-case commands. A reply is `<id> <status> [values...]`; models
 * pad the weight differently, so replies are split on whitespace (quoted strings kept whole), never on
 * column positions.
 *
 *   S    -> S S     100.00 g     stable weight (waits for stability; `S I` if none in time)
 *   SI   -> S D      1.234 g     weight now, stable (S) or dynamic (D)
 *   SIR  -> SI repeated until the next command
 *   Z    -> Z A                  zeroed (Z I busy, Z + / Z - outside the zeroing range)
 *   T    -> T S     100.00 g     tared, with the tare weight
 *   I4   -> I4 A "B021002593"    serial number
 *   @    -> I4 A "B021002593"    reset (cancels SIR, clears the tare on most models)
 * Any weight command: `S +` overload, `S -` underload, `S I` busy. `<id> L`: bad parameter.
 * General errors: ES syntax (unknown command), ET transmission (parity, overrun), EL logic.
 */
import { scaleError, type ScaleResult } from './errors.ts';
import { LineStreamParser } from './lines.ts';
import { asciiBytes } from './bytes.ts';
import type { DisplayedWeight, ScaleReading, ScaleState, StreamParserOptions, WeightOptions } from './reading.ts';
import { toGrams } from './weight.ts';

export const MT_SICS_COMMANDS = ['S', 'SI', 'SIR', 'Z', 'T', 'I4', '@'] as const;
export type MtSicsCommand = (typeof MT_SICS_COMMANDS)[number];

export type MtSicsRefusal = 'busy' | 'bad-parameter' | 'overload' | 'underload';
export type MtSicsError = 'syntax' | 'transmission' | 'logic';

export type MtSicsReply =
  /** `S S 100.00 g`, `S D 1.234 g`, `S +`, `S -` (replies to S, SI, SIR). */
  | { kind: 'weight'; id: string; reading: ScaleReading }
  /** `T S 100.00 g`: the tare now stored (basis 'tare'). */
  | { kind: 'tare'; id: string; reading: ScaleReading }
  /** `Z A`, `I4 A "B021002593"`: done, with the values unquoted. */
  | { kind: 'done'; id: string; values: string[]; raw: string }
  /** `S I`, `Z +`, `T -`, `I4 L`: the command was understood and not carried out. */
  | { kind: 'refused'; id: string; reason: MtSicsRefusal; raw: string }
  /** `ES`, `ET`, `EL`. */
  | { kind: 'error'; error: MtSicsError; raw: string };

/** What the simulator (or a test) asks the encoder for; the same shapes without what decoding adds. */
export type MtSicsReplyInput =
  /** `display` is required for stable and dynamic, ignored for overload and underload. */
  | { kind: 'weight'; state: ScaleState; display?: DisplayedWeight }
  | { kind: 'tare'; display: DisplayedWeight }
  | { kind: 'done'; id: string; values?: string[] }
  | { kind: 'refused'; id: string; reason: MtSicsRefusal }
  | { kind: 'error'; error: MtSicsError };

/**
 * Reply ids accepted. A fixed list (not any word) so that noise in front of a reply cannot turn it
 * into a different one: "QZ A" is not a reply, the "Z A" behind it is.
 */
const REPLY_IDS = new Set(['S', 'SI', 'SIR', 'SU', 'SIU', 'Z', 'ZI', 'T', 'TI', 'TA', 'TAC', 'I0', 'I1', 'I2', 'I3', 'I4', 'I5', '@']);
const WEIGHT_IDS = new Set(['S', 'SI', 'SIR', 'SU', 'SIU']);
const TARE_IDS = new Set(['T', 'TI']);
const ERRORS: Record<string, MtSicsError> = { ES: 'syntax', ET: 'transmission', EL: 'logic' };
const REFUSALS: Record<string, MtSicsRefusal> = { I: 'busy', L: 'bad-parameter', '+': 'overload', '-': 'underload' };
const ERROR_IDS: Record<MtSicsError, string> = { syntax: 'ES', transmission: 'ET', logic: 'EL' };
const REFUSAL_STATUS: Record<MtSicsRefusal, string> = { busy: 'I', 'bad-parameter': 'L', overload: '+', underload: '-' };

const CRLF = '\r\n';

export function encodeMtSicsCommand(command: MtSicsCommand): Uint8Array {
  return asciiBytes(command + CRLF);
}

/** A command line as the scale reads it (line end already removed). Unknown or lower case: undefined (the scale answers ES). */
export function decodeMtSicsCommand(line: string): MtSicsCommand | undefined {
  const cmd = line.trim();
  return (MT_SICS_COMMANDS as readonly string[]).includes(cmd) ? (cmd as MtSicsCommand) : undefined;
}

/** Splits on runs of spaces or tabs; a double-quoted string is one token (quotes removed). */
function tokenize(line: string): string[] | undefined {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return undefined;
      tokens.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ' ' && line[j] !== '\t' && line[j] !== '"') j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const PRINTABLE = /^[\t\x20-\x7e]*$/;

/** Decodes one reply line (without its line end). */
export function decodeMtSicsReply(line: string, options: WeightOptions = {}): ScaleResult<MtSicsReply> {
  const raw = line.trim();
  const malformed = (why: string) => scaleError('MALFORMED', `not an MT-SICS reply (${why}): ${JSON.stringify(raw.slice(0, 40))}`);
  if (!PRINTABLE.test(raw)) return malformed('control characters');
  const t = tokenize(raw);
  if (!t || t.length === 0) return malformed('unbalanced quotes');
  const [id, status, ...values] = t as [string, ...string[]];

  const general = ERRORS[id];
  if (general) return t.length === 1 ? { ok: true, value: { kind: 'error', error: general, raw } } : malformed(`${id} takes nothing after it`);
  if (!REPLY_IDS.has(id)) return malformed(`unknown id ${id}`);
  if (status === undefined) return malformed('no status');

  const refusal = REFUSALS[status];
  if (refusal) {
    if (values.length > 0) return malformed(`status ${status} takes nothing after it`);
    if (WEIGHT_IDS.has(id) && (refusal === 'overload' || refusal === 'underload')) {
      return { ok: true, value: { kind: 'weight', id, reading: { state: refusal, raw } } };
    }
    return { ok: true, value: { kind: 'refused', id, reason: refusal, raw } };
  }
  if ((status === 'S' || status === 'D') && (WEIGHT_IDS.has(id) || TARE_IDS.has(id))) {
    if (values.length !== 2) return malformed(`expected a value and a unit after ${id} ${status}`);
    const [value, unit] = values as [string, string];
    const g = toGrams(value, unit, options.rounding);
    if (!g.ok) return g;
    const tare = TARE_IDS.has(id);
    const reading: ScaleReading = {
      state: status === 'S' ? 'stable' : 'dynamic',
      grams: g.value.grams,
      ...(tare ? { basis: 'tare' as const } : {}),
      display: { value, unit },
      rounded: g.value.rounded,
      raw,
    };
    return { ok: true, value: tare ? { kind: 'tare', id, reading } : { kind: 'weight', id, reading } };
  }
  if (status === 'A' || status === 'B') return { ok: true, value: { kind: 'done', id, values, raw } };
  return malformed(`unknown status ${status}`);
}

/** Right-aligns the value in 10 characters after one space, as Mettler Toledo balances print it. */
function weightField(display: DisplayedWeight): string {
  return ` ${display.value.padStart(10)} ${display.unit}`;
}

/** Throws RangeError for a stable or dynamic weight without a display value. */
export function encodeMtSicsReply(reply: MtSicsReplyInput): Uint8Array {
  switch (reply.kind) {
    case 'weight':
      if (reply.state === 'overload') return asciiBytes(`S +${CRLF}`);
      if (reply.state === 'underload') return asciiBytes(`S -${CRLF}`);
      if (!reply.display) throw new RangeError(`an MT-SICS ${reply.state} weight reply needs a displayed weight`);
      return asciiBytes(`S ${reply.state === 'stable' ? 'S' : 'D'}${weightField(reply.display)}${CRLF}`);
    case 'tare':
      return asciiBytes(`T S${weightField(reply.display)}${CRLF}`);
    case 'done':
      return asciiBytes(`${reply.id} A${(reply.values ?? []).map((v) => ` "${v}"`).join('')}${CRLF}`);
    case 'refused':
      return asciiBytes(`${reply.id} ${REFUSAL_STATUS[reply.reason]}${CRLF}`);
    case 'error':
      return asciiBytes(ERROR_IDS[reply.error] + CRLF);
  }
}

const ID_START = /[A-Z@]/;

/** Replies from a balance, as bytes arrive. */
export class MtSicsReplyParser extends LineStreamParser<MtSicsReply> {
  constructor(options: StreamParserOptions = {}) {
    super(
      {
        decode: (line) => decodeMtSicsReply(line, options),
        mayStartAt: (line, i) => ID_START.test(line[i]!),
      },
      options,
    );
  }
}

/** The reading inside a reply, if it carries one (weight or tare). */
export function mtSicsReading(reply: MtSicsReply): ScaleReading | undefined {
  return reply.kind === 'weight' || reply.kind === 'tare' ? reply.reading : undefined;
}
