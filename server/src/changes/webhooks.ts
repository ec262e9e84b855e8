/**
 * Webhook subscriptions to the change feed, delivered (docs/interop/changes.md#webhooks): each due
 * subscription's next changes, as its owner's scope shows them, POSTed as JSON signed with the
 * subscription's secret (X-Wastetrail-Signature, as escalation webhooks are). A 2xx acknowledges them:
 * the store records the cursor, and nothing up to it is sent again, across restarts. Anything else
 * (an error status, no answer) is tried again with backoff, from the same cursor: changes are never
 * skipped, so a subscriber that refuses stays behind until it accepts.
 */
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '@wastetrail/runtime';
import { scopeReaderOf } from '../api/context.ts';
import { backoffMs, postWebhook } from '../notify/index.ts';
import type { CustodyStore, Subscription } from '../store/index.ts';
import { readFeed, type FeedEntry } from './feed.ts';

/** The X-Wastetrail-Event of change deliveries. */
export const CHANGES_EVENT = 'changes';

export interface ChangeDeliverySettings {
  /** How often due subscriptions are looked at. */
  pollMs: number;
  /** Changes looked at per delivery (what is out of scope is skipped, so a delivery may hold fewer). */
  batchSize: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long one process holds a subscription while delivering to it (several processes on one database). */
  leaseMs: number;
  /** Deliveries per subscription per poll, at most (a subscriber far behind catches up over a few polls). */
  batchesPerPoll: number;
  timeZone: string;
}

export const DEFAULT_CHANGE_DELIVERY: ChangeDeliverySettings = {
  pollMs: 1000,
  batchSize: 100,
  timeoutMs: 5_000,
  retryBaseMs: 1000,
  retryMaxMs: 10 * 60_000,
  leaseMs: 60_000,
  batchesPerPoll: 10,
  timeZone: 'Asia/Shanghai',
};

/** The body of a delivery: the subscription, the changes, and the cursor they bring the subscriber to. */
export interface ChangeDelivery {
  subscription: number;
  changes: FeedEntry[];
  next: number;
}

export interface ChangeDeliveryOptions {
  store: CustodyStore;
  settings?: Partial<ChangeDeliverySettings>;
  /** Wall clock (ms): backoff, leases, signatures. */
  wallClock?: () => number;
  logger?: Logger;
  random?: () => number;
}

export interface ChangeDeliverer {
  /** Delivers to every due subscription once (the poll calls it; tests may too). */
  deliverDue(): Promise<void>;
  close(): Promise<void>;
}

/** A new subscription's secret: 32 random bytes, base64url. */
export function newSubscriptionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function startChangeDelivery(o: ChangeDeliveryOptions): ChangeDeliverer {
  const s = { ...DEFAULT_CHANGE_DELIVERY, ...o.settings };
  const now = o.wallClock ?? Date.now;
  const log = o.logger ?? silentLogger;
  const reader = scopeReaderOf(o.store);
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  let closed = false;

  async function deliverTo(sub: Subscription): Promise<void> {
    const user = await o.store.userById(sub.userId);
    if (!user) return;
    const principal = { userId: user.id, username: user.username, role: user.role, scope: user.scope };
    let after = sub.deliveredThrough;
    let failures = sub.failures;
    for (let i = 0; i < s.batchesPerPoll && !closed; i++) {
      const page = await readFeed(reader, principal, { after, limit: s.batchSize, kinds: sub.kinds, locale: 'en', timeZone: s.timeZone });
      if (page.next === after) return;
      if (page.changes.length === 0) {
        // Nothing of it is the subscriber's to see: move past it without a request.
        await o.store.recordDelivery(sub.id, { deliveredThrough: page.next });
        after = page.next;
        continue;
      }
      const body = JSON.stringify({ subscription: sub.id, changes: page.changes, next: page.next } satisfies ChangeDelivery);
      const result = await postWebhook({ id: `${sub.id}:${after}-${page.next}`, url: sub.url, secret: sub.secret, event: CHANGES_EVENT, body }, { timeoutMs: s.timeoutMs, signal: stop.signal, wallClockMs: now });
      if (result.ok) {
        await o.store.recordDelivery(sub.id, { deliveredThrough: page.next });
        after = page.next;
        failures = 0;
        continue;
      }
      failures += 1;
      const waitMs = backoffMs(failures, s, o.random, result.retryAfterMs);
      await o.store.recordDelivery(sub.id, { failures, nextAttemptAt: new Date(now() + waitMs).toISOString(), lastError: result.reason });
      log.warn({ subscription: sub.id, failures, reason: result.reason, retryInMs: waitMs }, 'change delivery failed; will retry');
      return;
    }
  }

  async function deliverDue(): Promise<void> {
    const at = new Date(now()).toISOString();
    for (const sub of await o.store.subscriptions()) {
      if (closed) return;
      if (sub.nextAttemptAt > at) continue;
      if (!(await o.store.leaseSubscription(sub.id, at, new Date(now() + s.leaseMs).toISOString()))) continue;
      try {
        // Read again under the lease: another process may have delivered (and recorded) meanwhile.
        const held = await o.store.subscription(sub.id);
        if (held && held.nextAttemptAt <= at) await deliverTo(held);
      } finally {
        // An outcome recorded released it already; this covers the rest (nothing was due).
        await o.store.releaseSubscription(sub.id).catch((err: unknown) => log.error({ err, subscription: sub.id }, 'releasing a subscription lease failed'));
      }
    }
  }

  const timer = setInterval(() => {
    if (running || closed) return;
    running = deliverDue()
      .catch((err: unknown) => log.error({ err }, 'change delivery failed'))
      .finally(() => (running = undefined));
  }, s.pollMs);
  timer.unref();

  return {
    deliverDue,
    async close() {
      // The request in flight is let finish (within timeoutMs) and its answer recorded, so a stop never
      // makes a subscriber get again what it took; no new one starts.
      closed = true;
      clearInterval(timer);
      await running;
      stop.abort(new Error('closed'));
    },
  };
}
