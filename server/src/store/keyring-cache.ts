/**
 * The keyring as the store last read it, for a short while. Every trail the API shows re-verifies its
 * records against the keyring, and parsing the whole keyring from the devices table on each request
 * cost more than the rest of the query (bench: trail query p99 at 10 M records). The store drops the
 * copy whenever it registers a device or revokes a key itself; `ttlMs` bounds how long a change made
 * by another process (another server on the same PostgreSQL) can go unseen.
 */
import type { Keyring } from '@wastetrail/firmware-protocol';

export const KEYRING_CACHE_TTL_MS = 2_000;

export class KeyringCache {
  private readonly load: () => Promise<Keyring>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached: { at: number; keyring: Promise<Keyring> } | undefined;

  constructor(load: () => Promise<Keyring>, options: { ttlMs?: number; now?: () => number } = {}) {
    this.load = load;
    this.ttlMs = options.ttlMs ?? KEYRING_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** The cached keyring (shared: callers must not change it), read again once it is ttlMs old. */
  get(): Promise<Keyring> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.keyring;
    const entry = { at: now, keyring: this.load() };
    this.cached = entry;
    // A failed read is not kept: the next call tries again.
    entry.keyring.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.keyring;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
