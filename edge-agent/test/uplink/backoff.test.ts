import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/uplink/backoff.ts';

describe('reconnect backoff', () => {
  const rule = { minMs: 1000, maxMs: 60_000 };
  it('doubles from minMs up to maxMs', () => {
    const top = (a: number) => backoffDelay(a, rule, () => 0.999999);
    expect([0, 1, 2, 3, 6, 7, 50].map(top)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });
  it('jitters over the upper half of each step', () => {
    expect(backoffDelay(0, rule, () => 0)).toBe(500);
    expect(backoffDelay(3, rule, () => 0.5)).toBe(6000);
    const seen = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(4, rule, () => i / 50)));
    expect(seen.size).toBe(50);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(8000);
  });
});
