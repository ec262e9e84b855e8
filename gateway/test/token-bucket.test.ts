import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/limits/token-bucket.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then makes later messages wait for their token', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.take(0, 1000), b.take(0, 1000), b.take(0, 1000)]).toEqual([0, 0, 0]);
    expect(b.take(0, 1000)).toBe(100);
    expect(b.take(0, 1000)).toBe(200);
  });

  it('refuses (and books nothing) when the wait would exceed maxDelayMs', () => {
    const b = new TokenBucket(10, 1, 0);
    expect(b.take(0, 150)).toBe(0);
    expect(b.take(0, 150)).toBe(100);
    expect(b.take(0, 150)).toBeUndefined();
    expect(b.take(0, 150)).toBeUndefined();
    // The refused ones did not add to the debt: at t=100 the borrowed token is paid back.
    expect(b.take(100, 150)).toBe(100);
  });

  it('refills at the rate, up to the burst', () => {
    const b = new TokenBucket(10, 2, 0);
    b.take(0, 0);
    b.take(0, 0);
    expect(b.take(50, 0)).toBeUndefined();
    expect(b.take(100, 0)).toBe(0);
    // A long quiet spell fills the bucket only to `burst`.
    expect([b.take(60_000, 0), b.take(60_000, 0), b.take(60_000, 0)]).toEqual([0, 0, undefined]);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBucket(1, 1, 1000);
    expect(b.take(1000, 0)).toBe(0);
    expect(b.take(500, 0)).toBeUndefined();
    expect(b.take(2000, 0)).toBe(0);
  });
});
