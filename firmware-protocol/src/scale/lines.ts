/**
 * Line framing for the ASCII scale protocols (MT-SICS, A&D, CAS). Scales end lines with CRLF, some with
 * CR or LF alone, and a line can arrive with noise in front of it (a port opened mid-line, a framing
 * error): the parser looks for the reply behind the noise before giving the line up.
 */
import { latin1 } from './bytes.ts';
import { isValueError, type ScaleDecodeError, type ScaleResult } from './errors.ts';
import {
  copyCounters,
  reportDrop,
  newParserCounters,
  type DropReason,
  type ParserCounters,
  type ScaleStreamParser,
  type StreamParserOptions,
} from './reading.ts';

const CR = 0x0d;
const LF = 0x0a;
export const DEFAULT_MAX_LINE_BYTES = 128;

/**
 * Splits bytes into lines on CR, LF or CRLF (any mix; empty lines are skipped). Holds at most
 * `maxLineBytes`: a longer line keeps only its last bytes (a ring), so a reply after a long run of noise
 * without a line end is still found.
 */
export class LineFramer {
  private readonly ring: Uint8Array;
  private start = 0;
  private len = 0;
  private cut = 0;

  constructor(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 8) throw new RangeError(`maxLineBytes must be an integer >= 8, got ${maxLineBytes}`);
    this.ring = new Uint8Array(maxLineBytes);
  }

  get pending(): number {
    return this.len;
  }

  /** Calls onLine for each complete line with the bytes kept and how many were cut from its start. */
  push(chunk: Uint8Array, onLine: (line: Uint8Array, cut: number) => void): void {
    const cap = this.ring.length;
    for (const b of chunk) {
      if (b === CR || b === LF) {
        if (this.len > 0 || this.cut > 0) {
          const line = new Uint8Array(this.len);
          for (let i = 0; i < this.len; i++) line[i] = this.ring[(this.start + i) % cap]!;
          const cut = this.cut;
          this.start = this.len = this.cut = 0;
          onLine(line, cut);
        }
        continue;
      }
      if (this.len < cap) {
        this.ring[(this.start + this.len) % cap] = b;
        this.len++;
      } else {
        this.ring[this.start] = b;
        this.start = (this.start + 1) % cap;
        this.cut++;
      }
    }
  }

  reset(): void {
    this.start = this.len = this.cut = 0;
  }
}

/** One protocol's view of a line, for LineStreamParser. */
export interface LineDecoder<T> {
  decode(line: string): ScaleResult<T>;
  /** Cheap test: could a line of the protocol begin at `i`? Narrows the search behind noise. */
  mayStartAt(line: string, i: number): boolean;
}

/**
 * A stream parser for a line protocol: frames lines, decodes each, and when a line does not decode,
 * retries from each later position where a reply may start (the bytes before it count as junk).
 */
export class LineStreamParser<T> implements ScaleStreamParser<T> {
  private readonly framer: LineFramer;
  private readonly decoder: LineDecoder<T>;
  private readonly onDrop: StreamParserOptions['onDrop'];
  private count: ParserCounters = newParserCounters();

  constructor(decoder: LineDecoder<T>, options: StreamParserOptions = {}) {
    this.decoder = decoder;
    this.framer = new LineFramer(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.onDrop = options.onDrop;
  }

  get counters(): ParserCounters {
    return copyCounters(this.count);
  }

  get pending(): number {
    return this.framer.pending;
  }

  push(chunk: Uint8Array): T[] {
    const out: T[] = [];
    this.framer.push(chunk, (bytes, cut) => {
      const text = latin1(bytes);
      if (cut > 0) this.drop('overlong', cut + bytes.length, undefined, text);
      const found = this.find(text, cut > 0);
      if (found) out.push(found);
    });
    return out;
  }

  reset(): void {
    this.framer.reset();
    this.count = newParserCounters();
  }

  private find(text: string, alreadyCounted: boolean): T | undefined {
    const line = text.trimEnd();
    const lead = line.length - line.trimStart().length;
    if (lead === line.length) return undefined; // blank line: nothing was lost
    let first: ScaleDecodeError | undefined;
    let valueError: ScaleDecodeError | undefined;
    for (let i = lead; i < line.length; i++) {
      if (i > lead && !this.decoder.mayStartAt(line, i)) continue;
      const r = this.decoder.decode(line.slice(i));
      if (r.ok) {
        if (i > lead) this.drop('junkBytes', i, undefined, line.slice(0, i));
        this.count.frames++;
        return r.value;
      }
      first ??= r.error;
      if (!valueError && isValueError(r.error)) valueError = r.error;
    }
    if (!alreadyCounted) {
      const error = valueError ?? first;
      this.drop(valueError ? 'unconvertible' : 'malformed', text.length, error, text);
    }
    return undefined;
  }

  private drop(reason: DropReason, bytes: number, error: ScaleDecodeError | undefined, raw: string): void {
    if (reason === 'junkBytes') this.count.dropped.junkBytes += bytes;
    else this.count.dropped[reason]++;
    reportDrop(this.onDrop, { reason, bytes, ...(error ? { error } : {}), raw });
  }
}
