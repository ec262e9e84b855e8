/**
 * The login limit: at most LOGIN_ATTEMPTS per LOGIN_WINDOW_MS for one client address and username,
 * through @fastify/rate-limit with a store that reads the app's clock (so the window is testable and
 * follows the same time as sessions). Fixed windows, kept in memory, at most MAX_KEYS keys.
 */
import type { FastifyRequest } from 'fastify';

export const LOGIN_ATTEMPTS = 5;
export const LOGIN_WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

type Callback = (err: Error | null, result: { current: number; ttl: number }) => void;

/** The store @fastify/rate-limit constructs (`new Store(options)`); the clock comes from the closure. */
export function clockRateLimitStore(clock: () => number) {
  return class ClockRateLimitStore {
    readonly windows = new Map<string, { count: number; start: number }>();

    incr(key: string, cb: Callback, timeWindow: number): void {
      const now = clock();
      let w = this.windows.get(key);
      if (!w || w.start + timeWindow <= now) {
        if (!w && this.windows.size >= MAX_KEYS) this.evict(now, timeWindow);
        w = { count: 0, start: now };
        this.windows.set(key, w);
      }
      w.count++;
      cb(null, { current: w.count, ttl: w.start + timeWindow - now });
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      const now = clock();
      const w = this.windows.get(key);
      if (!w || w.start + timeWindow <= now) cb(null, { current: 0, ttl: 0 });
      else cb(null, { current: w.count, ttl: w.start + timeWindow - now });
    }

    child(): ClockRateLimitStore {
      return new ClockRateLimitStore();
    }

    /** Drops expired windows, then the oldest, so memory stays bounded under a flood of usernames. */
    evict(now: number, timeWindow: number): void {
      for (const [k, w] of this.windows) if (w.start + timeWindow <= now) this.windows.delete(k);
      if (this.windows.size < MAX_KEYS) return;
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  };
}

/** Client address and the username tried (case-folded): guessing one account's password is slowed, other users are not. */
export function loginLimitKey(req: FastifyRequest): string {
  const body = req.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.toLowerCase() : '';
  return `${req.ip}\n${username}`;
}

/** Login windows kept where every server process sees them (PostgreSQL: cluster/login-windows.ts). */
export interface LoginWindows {
  /** Counts one attempt in the key's window (a new window when the last began `windowMs` or more before `nowMs`). */
  incr(key: string, nowMs: number, windowMs: number): Promise<{ count: number; startedMs: number }>;
  /** The key's window now, without counting; undefined when none is open. */
  read(key: string, nowMs: number, windowMs: number): Promise<{ count: number; startedMs: number } | undefined>;
}

/** The store @fastify/rate-limit constructs, over shared windows: the limit holds whichever process is asked. */
export function sharedRateLimitStore(windows: LoginWindows, clock: () => number) {
  return class SharedRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number): void {
      const now = clock();
      windows.incr(key, now, timeWindow).then(
        (w) => cb(null, { current: w.count, ttl: w.startedMs + timeWindow - now }),
        (err: unknown) => cb(err as Error, { current: 0, ttl: 0 }),
      );
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      const now = clock();
      windows.read(key, now, timeWindow).then(
        (w) => cb(null, w ? { current: w.count, ttl: w.startedMs + timeWindow - now } : { current: 0, ttl: 0 }),
        (err: unknown) => cb(err as Error, { current: 0, ttl: 0 }),
      );
    }

    child(): SharedRateLimitStore {
      return new SharedRateLimitStore();
    }
  };
}
