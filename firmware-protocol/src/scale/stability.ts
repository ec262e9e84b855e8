/**
 * When has a load settled? MT-SICS and A&D scales say so themselves; a continuous XK3190 does not, so
 * the agent decides with this rule (and may apply it to any scale for a stricter check).
 *
 * The rule: the latest readings form a run in which the heaviest and lightest differ by at most
 * `toleranceGrams`. The weight is stable when that run holds at least `minSamples` readings and spans
 * at least `minDurationMs` from its first reading to the latest. A gap longer than `maxGapMs` between
 * two readings (a cable pulled, a paused stream), a reading without grams (overload, underload) or a
 * timestamp going backwards starts the run again. The stable weight is the median of the last
 * `minSamples` readings (the lower middle one when even): always a value the scale actually showed.
 *
 * Timestamps are passed in (milliseconds, any epoch): there is no clock in here.
 */
import type { ScaleReading } from './reading.ts';

export interface StabilityRule {
  /** Readings the run must hold; >= 1. */
  minSamples: number;
  /** Largest spread (heaviest minus lightest) within the run, in grams; 0 means equal readings. */
  toleranceGrams: number;
  /** Time from the run's first reading to the latest; 0 means samples alone decide. */
  minDurationMs: number;
  /** Longest silence between two readings before the run starts again. */
  maxGapMs: number;
}

/**
 * Five equal readings over at least half a second, no silence over a second: at an XK3190's usual
 * 10-20 frames per second that is 0.5 s of an unchanged display. Raise toleranceGrams to one display
 * division if the last digit flickers.
 */
export const DEFAULT_STABILITY_RULE: StabilityRule = Object.freeze({ minSamples: 5, toleranceGrams: 0, minDurationMs: 500, maxGapMs: 1000 });

export type StabilityVerdict =
  | { stable: false }
  | {
      stable: true;
      grams: number;
      /** Timestamp of the first reading of the run. */
      since: number;
      /** True only on the reading that made the weight stable: one event per settled load. */
      settled: boolean;
    };

/** Longest run kept; older readings only matter through `since`, which is kept separately. */
const MAX_RUN = 256;

export class StabilityDetector {
  readonly rule: StabilityRule;
  private run: { grams: number; at: number }[] = [];
  private since = 0;
  private wasStable = false;

  constructor(rule: Partial<StabilityRule> = {}) {
    const r = { ...DEFAULT_STABILITY_RULE, ...rule };
    if (!Number.isInteger(r.minSamples) || r.minSamples < 1 || r.minSamples > MAX_RUN) throw new RangeError(`minSamples must be an integer 1-${MAX_RUN}`);
    for (const k of ['toleranceGrams', 'minDurationMs', 'maxGapMs'] as const) {
      if (!Number.isFinite(r[k]) || r[k] < 0) throw new RangeError(`${k} must be a number >= 0`);
    }
    this.rule = Object.freeze(r);
  }

  push(reading: ScaleReading, at: number): StabilityVerdict {
    const last = this.run[this.run.length - 1];
    if (reading.grams === undefined || !Number.isFinite(at)) {
      this.reset();
      return { stable: false };
    }
    if (last && (at < last.at || at - last.at > this.rule.maxGapMs)) this.reset();
    if (this.run.length === 0) this.since = at;
    this.run.push({ grams: reading.grams, at });
    if (this.run.length > MAX_RUN) this.run.shift();
    this.trimToTolerance();

    const stable = this.run.length >= this.rule.minSamples && at - this.since >= this.rule.minDurationMs;
    const settled = stable && !this.wasStable;
    this.wasStable = stable;
    return stable ? { stable: true, grams: this.median(), since: this.since, settled } : { stable: false };
  }

  reset(): void {
    this.run = [];
    this.wasStable = false;
  }

  /** Drops the oldest readings until the run's spread is within tolerance. */
  private trimToTolerance(): void {
    let min = Infinity;
    let max = -Infinity;
    // Walk back from the newest reading; the run starts after the first one that breaks the spread.
    let keepFrom = 0;
    for (let i = this.run.length - 1; i >= 0; i--) {
      const g = this.run[i]!.grams;
      min = Math.min(min, g);
      max = Math.max(max, g);
      if (max - min > this.rule.toleranceGrams) {
        keepFrom = i + 1;
        break;
      }
    }
    if (keepFrom > 0) {
      this.run = this.run.slice(keepFrom);
      this.since = this.run[0]!.at;
      this.wasStable = false;
    }
  }

  private median(): number {
    const last = this.run.slice(-this.rule.minSamples).map((r) => r.grams).sort((a, b) => a - b);
    return last[(last.length - 1) >> 1]!;
  }
}
