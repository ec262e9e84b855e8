import { describe, expect, it } from 'vitest';
import { ArrivalRate } from '../../src/ingest/arrival-rate.ts';

describe('ArrivalRate', () => {
  it('counts the records of about the last second', () => {
    const rate = new ArrivalRate(1000);
    expect(rate.add(100, 0)).toBe(100);
    expect(rate.add(100, 400)).toBe(200);
    // A new half-window: the first 200 are still within the last second.
    expect(rate.add(50, 600)).toBe(250);
    // Another: the first half-window is forgotten.
    expect(rate.add(0, 1100)).toBe(50);
  });

  it('forgets a burst once it is more than a window old', () => {
    const rate = new ArrivalRate(1000);
    rate.add(10_000, 0);
    expect(rate.add(1, 5_000)).toBe(1);
  });

  it('a steady trickle below the threshold stays below it', () => {
    const rate = new ArrivalRate(1000);
    let highest = 0;
    // 25 records every 250 ms: 100 records/s.
    for (let t = 0; t < 10_000; t += 250) highest = Math.max(highest, rate.add(25, t));
    expect(highest).toBeLessThanOrEqual(100);
    expect(highest).toBeGreaterThanOrEqual(75);
  });
});
