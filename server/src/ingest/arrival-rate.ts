/**
 * How fast records are arriving, over about the last second: what decides whether signatures go to the
 * verification workers. Queue depth cannot decide it: under load the backlog waits in the socket and
 * the broker (MQTT delivers one message at a time), so the queue in front of the chain stays short
 * while the main thread is saturated.
 */
export class ArrivalRate {
  private readonly windowMs: number;
  private windowStart = 0;
  private current = 0;
  private previous = 0;

  /** Two half-windows of `windowMs / 2`: the rate never forgets a burst until it is a window old. */
  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
  }

  /** Counts `n` records arriving at `nowMs`, and returns the rate (records/s) including them. */
  add(n: number, nowMs: number): number {
    this.roll(nowMs);
    this.current += n;
    return this.perSecond();
  }

  /** Records per second over the last window (the half-window in progress and the one before it). */
  perSecond(): number {
    return ((this.previous + this.current) * 1000) / this.windowMs;
  }

  private roll(nowMs: number): void {
    const half = this.windowMs / 2;
    const elapsed = nowMs - this.windowStart;
    if (elapsed < half) return;
    this.previous = elapsed < 2 * half ? this.current : 0;
    this.current = 0;
    this.windowStart = elapsed < 2 * half ? this.windowStart + half : nowMs;
  }
}
