/**
 * Yaohua XK3190 indicators (A9, A12, A23P, A26 ...) in continuous output mode tF=0: the indicator
 * streams 12-byte frames without being asked.
 *
 *   02 | sign + or - | 6 digits, high first | decimals (0-4) | XOR high nibble | XOR low nibble | 03
 *
 * The XOR covers the sign, the digits and the decimals byte; each nibble travels as an ASCII hex digit
 * (upper case). The frame carries no unit (configured on the indicator, kg on most) and no stable flag:
 * readings are `dynamic` and the StabilityDetector decides when a load has settled.
 */
import { scaleError, type ScaleResult } from './errors.ts';
import { latin1 } from './bytes.ts';
import {
  copyCounters,
  newParserCounters,
  reportDrop,
  type ParserCounters,
  type ScaleReading,
  type ScaleStreamParser,
  type StreamParserOptions,
  type WeightOptions,
} from './reading.ts';
import { parseDecimal, toGrams } from './weight.ts';

export const XK3190_FRAME_BYTES = 12;
const STX = 0x02;
const ETX = 0x03;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;

/** Two ASCII hex digits of the XOR of frame bytes 1-8 (sign through decimals). */
export function xk3190Check(frame: Uint8Array): [number, number] {
  let x = 0;
  for (let i = 1; i <= 8; i++) x ^= frame[i]!;
  return [hexDigit(x >> 4), hexDigit(x & 0x0f)];
}

function hexDigit(n: number): number {
  return n <= 9 ? n + 0x30 : n + 0x37;
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46);
}

/**
 * A frame for a displayed value such as "20.00", "+20.00", "-125.0" or "0": up to 6 digits, up to 4
 * after the point. Throws RangeError for anything the indicator could not show.
 */
export function encodeXk3190Frame(value: string): Uint8Array {
  const d = parseDecimal(value);
  if (!d || d.scale > 4) throw new RangeError(`XK3190 cannot show ${JSON.stringify(value)} (6 digits, 0-4 decimals)`);
  const digits = d.digits.toString().padStart(6, '0');
  if (digits.length > 6) throw new RangeError(`XK3190 cannot show ${value}: more than 6 digits`);
  const frame = new Uint8Array(XK3190_FRAME_BYTES);
  frame[0] = STX;
  frame[1] = d.negative ? MINUS : PLUS;
  for (let i = 0; i < 6; i++) frame[2 + i] = digits.charCodeAt(i);
  frame[8] = DIGIT_0 + d.scale;
  [frame[9], frame[10]] = xk3190Check(frame);
  frame[11] = ETX;
  return frame;
}

/** Everything but the checksum is in place. */
function isWellFormed(f: Uint8Array): boolean {
  if (f.length !== XK3190_FRAME_BYTES || f[0] !== STX || f[11] !== ETX) return false;
  if (f[1] !== PLUS && f[1] !== MINUS) return false;
  for (let i = 2; i <= 7; i++) if (f[i]! < 0x30 || f[i]! > 0x39) return false;
  if (f[8]! < 0x30 || f[8]! > 0x34) return false;
  return isHexDigit(f[9]!) && isHexDigit(f[10]!);
}

function checksumMatches(f: Uint8Array): boolean {
  const [hi, lo] = xk3190Check(f);
  return f[9] === hi && f[10] === lo;
}

/** The displayed value of a well-formed frame: sign only when negative, leading zeros dropped. */
function displayValue(f: Uint8Array): string {
  const digits = latin1(f.subarray(2, 8));
  const scale = f[8]! - DIGIT_0;
  const int = digits.slice(0, 6 - scale).replace(/^0+(?=\d)/, '') || '0';
  const text = scale > 0 ? `${int}.${digits.slice(6 - scale)}` : int;
  return f[1] === MINUS ? `-${text}` : text;
}

/** Decodes one 12-byte frame. The unit defaults to kg, what these indicators are usually set to. */
export function decodeXk3190Frame(frame: Uint8Array, options: WeightOptions = {}): ScaleResult<ScaleReading> {
  if (!isWellFormed(frame)) return scaleError('MALFORMED', `not an XK3190 tF=0 frame: ${hex(frame)}`);
  if (!checksumMatches(frame)) return scaleError('BAD_CHECKSUM', `XK3190 frame checksum mismatch: ${hex(frame)}`);
  return readingOf(frame, options);
}

function readingOf(frame: Uint8Array, options: WeightOptions): ScaleResult<ScaleReading> {
  const value = displayValue(frame);
  const unit = options.unit ?? 'kg';
  const g = toGrams(value, unit, options.rounding);
  if (!g.ok) return g;
  return { ok: true, value: { state: 'dynamic', grams: g.value.grams, display: { value, unit }, rounded: g.value.rounded, raw: latin1(frame) } };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Finds frames in the stream: skips to an 02, collects 12 bytes, checks them. A candidate that is not a
 * frame gives up only its 02 (a real frame may start inside it); a well-formed frame with a wrong
 * checksum is dropped whole and counted. Never holds more than 11 bytes.
 */
export class Xk3190Parser implements ScaleStreamParser<ScaleReading> {
  private readonly frame = new Uint8Array(XK3190_FRAME_BYTES);
  private len = 0;
  private count: ParserCounters = newParserCounters();
  private readonly options: StreamParserOptions;
  private out: ScaleReading[] = [];
  private junk = 0;

  constructor(options: StreamParserOptions = {}) {
    this.options = options;
  }

  get counters(): ParserCounters {
    return copyCounters(this.count);
  }

  get pending(): number {
    return this.len;
  }

  reset(): void {
    this.len = this.junk = 0;
    this.count = newParserCounters();
  }

  push(chunk: Uint8Array): ScaleReading[] {
    this.out = [];
    for (const b of chunk) this.feed(b);
    this.flushJunk();
    return this.out;
  }

  private feed(b: number): void {
    if (this.len === 0) {
      if (b === STX) this.frame[this.len++] = b;
      else this.junk++;
      return;
    }
    this.frame[this.len++] = b;
    // No byte after the 02 of a real frame can be another 02: restart there without waiting for 12 bytes.
    if (b === STX) return this.slide();
    if (this.len < XK3190_FRAME_BYTES) return;
    const f = this.frame;
    if (!isWellFormed(f)) return this.slide();
    this.len = 0;
    this.flushJunk();
    if (!checksumMatches(f)) {
      this.count.dropped.badChecksum++;
      reportDrop(this.options.onDrop, { reason: 'badChecksum', bytes: XK3190_FRAME_BYTES, raw: latin1(f) });
      return;
    }
    const r = readingOf(f, this.options);
    if (r.ok) {
      this.count.frames++;
      this.out.push(r.value);
    } else {
      this.count.dropped.unconvertible++;
      reportDrop(this.options.onDrop, { reason: 'unconvertible', bytes: XK3190_FRAME_BYTES, error: r.error, raw: latin1(f) });
    }
  }

  /** Gives up the candidate's 02 and feeds the rest again: at most 11 bytes, each pass consumes one. */
  private slide(): void {
    const rest = this.frame.slice(1, this.len);
    this.len = 0;
    this.junk++;
    for (const b of rest) this.feed(b);
  }

  private flushJunk(): void {
    if (this.junk === 0) return;
    this.count.dropped.junkBytes += this.junk;
    reportDrop(this.options.onDrop, { reason: 'junkBytes', bytes: this.junk });
    this.junk = 0;
  }
}
