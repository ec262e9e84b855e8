/**
 * Time for simulators, injected so tests are deterministic: the CLI runs on systemClock, tests on a
 * ManualClock they move forward themselves. No simulator calls setTimeout or Date.now directly.
 */
export interface SimClock {
  /** Milliseconds; only differences matter. */
  now(): number;
  /** Runs `fn` once, `ms` from now. Returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: SimClock = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Waits `ms` on a clock. */
export function sleep(clock: SimClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. advance() fires due timers in time order and lets promise
 * callbacks (writes, awaited sleeps) run between them, so async code behaves as it would in real time.
 */
export class ManualClock implements SimClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.timers.reduce<Timer | undefined>((a, b) => (!a || b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a), undefined);
      if (!next || next.at > end) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets every queued promise callback and nextTick run (setImmediate comes after both). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
