/**
 * Reference data as the store last read it, for a short while: the keyring, the jurisdictions, the
 * institutions, the vehicles. Every trail the API shows re-verifies its records against the keyring
 * and scopes the bag by the institutions and vehicles; parsing the whole keyring on each request cost
 * more than the rest of the query (bench: trail query p99 at 10 M records), and on PostgreSQL each of
 * the other reads is one more round trip per request. The store drops its copy whenever it writes that
 * table itself; `ttlMs` bounds how long a change made by another process (another server on the same
 * PostgreSQL) can go unseen.
 */
export const READ_CACHE_TTL_MS = 2_000;

export class ReadCache<T> {
  private readonly load: () => Promise<T>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached: { at: number; value: Promise<T> } | undefined;

  constructor(load: () => Promise<T>, options: { ttlMs?: number; now?: () => number } = {}) {
    this.load = load;
    this.ttlMs = options.ttlMs ?? READ_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** The cached value (shared: callers must not change it), read again once it is ttlMs old. */
  get(): Promise<T> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.value;
    const entry = { at: now, value: this.load() };
    this.cached = entry;
    // A failed read is not kept: the next call tries again.
    entry.value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
