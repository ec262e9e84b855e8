/**
 * Failed CONNECTs per source address: after `maxFailures` failures within `windowMs`, further CONNECTs
 * from that address are refused for `lockoutMs` before their credentials are even checked (no token
 * verification or scrypt for a guesser). A fixed lockout that attempts during it do not extend, so a
 * good device behind the same address gets in once it is over. Successes do not clear failures: many
 * devices may share one address (NAT), and one good device must not reset a guesser's count.
 */
export interface LoginThrottleSettings {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

interface SourceState {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

/** Sources remembered at most; past it expired ones go first, then the oldest, so a spray of addresses cannot grow memory. */
const MAX_SOURCES = 10_000;

export class LoginThrottle {
  readonly #settings: LoginThrottleSettings;
  readonly #sources = new Map<string, SourceState>();

  constructor(settings: LoginThrottleSettings) {
    this.#settings = settings;
  }

  /** Milliseconds until this address may try again, or 0 if it may try now. */
  lockedFor(source: string, nowMs: number): number {
    const s = this.#sources.get(source);
    return s && s.lockedUntil > nowMs ? s.lockedUntil - nowMs : 0;
  }

  /** Counts a failure. Returns the lockout's length if this failure started one. */
  failed(source: string, nowMs: number): number | undefined {
    const { maxFailures, windowMs, lockoutMs } = this.#settings;
    let s = this.#sources.get(source);
    if (!s || s.windowStart + windowMs <= nowMs) {
      if (!s && this.#sources.size >= MAX_SOURCES) this.#evict(nowMs);
      s = { windowStart: nowMs, failures: 0, lockedUntil: s?.lockedUntil ?? 0 };
      this.#sources.set(source, s);
    }
    s.failures++;
    if (s.failures < maxFailures || s.lockedUntil > nowMs) return undefined;
    s.lockedUntil = nowMs + lockoutMs;
    // The count starts over when the lockout ends.
    s.windowStart = s.lockedUntil;
    s.failures = 0;
    return lockoutMs;
  }

  #evict(nowMs: number): void {
    const { windowMs } = this.#settings;
    for (const [k, s] of this.#sources) if (s.windowStart + windowMs <= nowMs && s.lockedUntil <= nowMs) this.#sources.delete(k);
    if (this.#sources.size < MAX_SOURCES) return;
    const oldest = this.#sources.keys().next().value;
    if (oldest !== undefined) this.#sources.delete(oldest);
  }
}
