/**
 * What every scale protocol decodes to, and what every scale stream parser promises, so the edge agent
 * handles an MT-SICS balance, a Yaohua indicator and an A&D indicator the same way.
 */
import type { ScaleDecodeError } from './errors.ts';
import type { Rounding, WeightUnit } from './weight.ts';

export const SCALE_PROTOCOLS = ['mt-sics', 'xk3190', 'and'] as const;
/** mt-sics: Mettler Toledo (and newer Ohaus); xk3190: Yaohua XK3190 tF=0; and: A&D / CAS lines. */
export type ScaleProtocol = (typeof SCALE_PROTOCOLS)[number];

/**
 * stable / dynamic as the scale reports them. A continuous XK3190 has no stable flag: its readings are
 * all `dynamic` and the StabilityDetector decides. overload / underload carry no weight.
 */
export type ScaleState = 'stable' | 'dynamic' | 'overload' | 'underload';

/** What the weight is when the scale says so (A&D/CAS GS, NT, TR; an MT-SICS tare reply). */
export type WeightBasis = 'gross' | 'net' | 'tare';

/** The weight exactly as the scale showed it, for logs and audit: "100.00" "g". */
export interface DisplayedWeight {
  value: string;
  unit: string;
}

export interface ScaleReading {
  state: ScaleState;
  /** Integer grams; absent on overload and underload. */
  grams?: number;
  /** Absent when the scale does not say (MT-SICS S/SI: whatever is displayed, net when tared). */
  basis?: WeightBasis;
  display?: DisplayedWeight;
  /** True when `grams` was rounded from what the scale sent (1.234 g, any pound value). */
  rounded?: boolean;
  /** The line (without its line end) or frame as received, as latin-1 text. */
  raw: string;
}

export interface WeightOptions {
  /** Unit for frames that carry none (XK3190; an A&D line with a blank unit). */
  unit?: WeightUnit;
  rounding?: Rounding;
}

/** What a stream parser threw away, and why. */
export type DropReason = 'badChecksum' | 'junkBytes' | 'overlong' | 'malformed' | 'unconvertible';

export interface ParserCounters {
  /** Lines or frames decoded and returned. */
  frames: number;
  dropped: {
    /** Well-formed frames with a wrong checksum (XK3190). */
    badChecksum: number;
    /** Bytes skipped while looking for the start of a line or frame. */
    junkBytes: number;
    /** Lines longer than the line buffer: the start of each was cut off (counted once per line). */
    overlong: number;
    /** Complete lines that are not a reply of the protocol. */
    malformed: number;
    /** Lines read correctly whose weight cannot be turned into grams (unit, exactness, range). */
    unconvertible: number;
  };
}

export interface DroppedInput {
  reason: DropReason;
  /** How many bytes went (one line or frame, or a run of junk). */
  bytes: number;
  error?: ScaleDecodeError;
  raw?: string;
}

export interface StreamParserOptions extends WeightOptions {
  /** Longest line kept (line protocols); beyond it the oldest bytes are dropped. Default 128. */
  maxLineBytes?: number;
  /** Told about every drop, e.g. to write a log line. Must not throw. */
  onDrop?: (drop: DroppedInput) => void;
}

/**
 * Bytes in, decoded messages out. push() never throws and never holds more than a bounded number of
 * bytes (`pending`), whatever arrives: frames split anywhere, several per chunk, junk, bad checksums.
 */
export interface ScaleStreamParser<T> {
  push(chunk: Uint8Array): T[];
  /** A snapshot; counting starts at construction or reset(). */
  readonly counters: ParserCounters;
  /** Bytes held waiting for the rest of a line or frame. */
  readonly pending: number;
  reset(): void;
}

/** Calls a drop listener without letting it break the never-throws promise of push(). */
export function reportDrop(onDrop: StreamParserOptions['onDrop'], drop: DroppedInput): void {
  if (!onDrop) return;
  try {
    onDrop(drop);
  } catch {
    // A failing logger must not lose the frames that follow.
  }
}

export function newParserCounters(): ParserCounters {
  return { frames: 0, dropped: { badChecksum: 0, junkBytes: 0, overlong: 0, malformed: 0, unconvertible: 0 } };
}

export function copyCounters(c: ParserCounters): ParserCounters {
  return { frames: c.frames, dropped: { ...c.dropped } };
}
