import { describe, expect, it } from 'vitest';
import { DEFAULT_STABILITY_RULE, StabilityDetector, type ScaleReading, type StabilityVerdict } from '../../src/scale/index.ts';

const at = (grams: number | undefined): ScaleReading =>
  grams === undefined ? { state: 'overload', raw: '' } : { state: 'dynamic', grams, raw: '' };

/** Feeds [grams, timestamp] pairs and returns the verdicts. */
function run(d: StabilityDetector, readings: [number | undefined, number][]): StabilityVerdict[] {
  return readings.map(([g, t]) => d.push(at(g), t));
}

describe('StabilityDetector', () => {
  it('needs minSamples equal readings spanning minDurationMs (defaults)', () => {
    expect(DEFAULT_STABILITY_RULE).toEqual({ minSamples: 5, toleranceGrams: 0, minDurationMs: 500, maxGapMs: 1000 });
    const d = new StabilityDetector();
    const v = run(d, [0, 125, 250, 375, 500, 625].map((t) => [1234, t]));
    expect(v.slice(0, 4).every((x) => !x.stable)).toBe(true);
    expect(v[4]).toEqual({ stable: true, grams: 1234, since: 0, settled: true });
    expect(v[5]).toEqual({ stable: true, grams: 1234, since: 0, settled: false });
  });

  it('is not stable on samples alone when the run is too short in time', () => {
    const d = new StabilityDetector({ minSamples: 3, minDurationMs: 1000 });
    const v = run(d, [[5, 0], [5, 10], [5, 20], [5, 999], [5, 1000]]);
    expect(v.map((x) => x.stable)).toEqual([false, false, false, false, true]);
  });

  it('restarts the run when the weight moves beyond the tolerance', () => {
    const d = new StabilityDetector({ minSamples: 3, minDurationMs: 0 });
    const v = run(d, [[100, 0], [100, 1], [100, 2], [150, 3], [150, 4], [150, 5]]);
    expect(v.map((x) => x.stable)).toEqual([false, false, true, false, false, true]);
    expect(v[5]).toMatchObject({ grams: 150, since: 3, settled: true });
  });

  it('accepts a flicker within the tolerance and reports the median', () => {
    const d = new StabilityDetector({ minSamples: 5, toleranceGrams: 10, minDurationMs: 0 });
    const v = run(d, [[1000, 0], [1010, 1], [1000, 2], [1005, 3], [1010, 4]]);
    expect(v[4]).toEqual({ stable: true, grams: 1005, since: 0, settled: true });
    // 1011 is 11 g above the lightest reading: the run restarts after the last 1000.
    expect(d.push(at(1011), 5)).toEqual({ stable: false });
  });

  it('a ramp never looks stable', () => {
    const d = new StabilityDetector({ minSamples: 3, toleranceGrams: 5, minDurationMs: 0 });
    const v = run(d, Array.from({ length: 50 }, (_, i) => [i * 20, i * 100] as [number, number]));
    expect(v.some((x) => x.stable)).toBe(false);
  });

  it('overload, a long gap or time going backwards start again', () => {
    const d = new StabilityDetector({ minSamples: 2, minDurationMs: 0, maxGapMs: 100 });
    expect(run(d, [[7, 0], [7, 50]]).map((x) => x.stable)).toEqual([false, true]);
    expect(run(d, [[undefined, 60], [7, 70]]).map((x) => x.stable)).toEqual([false, false]);
    expect(run(d, [[7, 80], [7, 500], [7, 510]]).map((x) => x.stable)).toEqual([true, false, true]);
    expect(run(d, [[7, 400], [7, 410]]).map((x) => x.stable)).toEqual([false, true]);
  });

  it('stays bounded on an endless steady stream', () => {
    const d = new StabilityDetector({ minSamples: 1, minDurationMs: 0 });
    for (let t = 0; t < 10_000; t++) d.push(at(42), t);
    expect(d.push(at(42), 10_000)).toEqual({ stable: true, grams: 42, since: 0, settled: false });
  });

  it('refuses a nonsensical rule', () => {
    expect(() => new StabilityDetector({ minSamples: 0 })).toThrow(RangeError);
    expect(() => new StabilityDetector({ toleranceGrams: -1 })).toThrow(RangeError);
    expect(() => new StabilityDetector({ maxGapMs: Number.NaN })).toThrow(RangeError);
  });
});
