/**
 * A per-client message rate limit. The bucket holds up to `burst` tokens and refills at `ratePerSecond`.
 * A message that finds it empty may borrow against the refill: the caller holds the message until its
 * token exists (aedes then stops reading that socket, so the client feels TCP backpressure and late
 * PUBACKs). Only when the wait would exceed `maxDelayMs` is the message refused.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('a token bucket needs ratePerSecond > 0 and burst >= 1');
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  /**
   * Takes one token. Returns 0 if one was there, the milliseconds to wait for it if it had to be
   * borrowed, or undefined (nothing taken) if that wait would be longer than maxDelayMs.
   */
  take(nowMs: number, maxDelayMs: number): number | undefined {
    const elapsed = Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = Math.max(this.#lastMs, nowMs);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    const after = this.#tokens - 1;
    if (after >= 0) {
      this.#tokens = after;
      return 0;
    }
    const waitMs = Math.ceil((-after * 1000) / this.ratePerSecond);
    if (waitMs > maxDelayMs) return undefined;
    this.#tokens = after;
    return waitMs;
  }
}
