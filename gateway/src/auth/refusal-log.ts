/**
 * Refused CONNECTs in the log without a line per attempt: in each interval the first refusal from a
 * source address is logged in full (for the first MAX_SOURCES_LOGGED sources), the rest are counted
 * and told in one summary line when the interval ends. A guesser or a device stuck with a bad token
 * then costs a few lines a minute, not one per attempt; the metrics still count every refusal.
 */
import type { Logger } from '@wastetrail/runtime';
import type { AuthFailureReason } from './connack.ts';

const MAX_SOURCES_LOGGED = 20;

export interface ConnectRefusal {
  /** The source address (undefined in-process). */
  remote: string | undefined;
  client: string | undefined;
  username: string | undefined;
  reason: AuthFailureReason;
  connack: number;
}

export class ConnectRefusalLog {
  readonly #log: Logger;
  readonly #logged = new Set<string | undefined>();
  #summary = { refusals: 0, sources: new Set<string | undefined>(), byReason: {} as Partial<Record<AuthFailureReason, number>> };

  constructor(log: Logger) {
    this.#log = log;
  }

  refused(r: ConnectRefusal): void {
    if (!this.#logged.has(r.remote) && this.#logged.size < MAX_SOURCES_LOGGED) {
      this.#logged.add(r.remote);
      this.#log.warn({ ...r }, 'connection refused');
      return;
    }
    const s = this.#summary;
    s.refusals++;
    if (s.sources.size < 10 * MAX_SOURCES_LOGGED) s.sources.add(r.remote);
    s.byReason[r.reason] = (s.byReason[r.reason] ?? 0) + 1;
  }

  /** Ends the interval: one line for the refusals not logged one by one, if there were any. */
  flush(): void {
    const s = this.#summary;
    if (s.refusals > 0) {
      this.#log.warn({ refusals: s.refusals, byReason: s.byReason, sources: s.sources.size, ...(s.sources.size === 1 ? { remote: [...s.sources][0] } : {}) }, 'more connections refused (summary)');
    }
    this.#logged.clear();
    this.#summary = { refusals: 0, sources: new Set(), byReason: {} };
  }
}
