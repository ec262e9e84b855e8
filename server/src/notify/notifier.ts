/**
 * The notification shell: alert notices in (onEffects, which returns at once), deliveries out, in the
 * background, with retries, a bounded queue and counters.
 *
 *   onEffects(notices) ─> escalationsOf ─> queue (at most maxQueued; beyond: dropped, counted)
 *     ─> `concurrency` workers: jurisdiction path ─> planDeliveries ─> each delivery: attempt, back off, attempt ...
 *
 * close() stops taking notices and waits, at most closeTimeoutMs, for what is queued and in flight;
 * what is still going then is aborted and counted as abandoned.
 *
 * With an `outbox` (several processes on PostgreSQL) the queue is durable instead (outbox.ts): every
 * process enqueues, only the leader takes escalations from it and delivers them, and a leader that loses
 * its lease aborts what it has in hand for the next one to finish.
 */
import { randomUUID } from 'node:crypto';
import { exposeKeptCounts, Registry, silentLogger, type Logger } from '@wastetrail/runtime';
import type { AlertNotice } from '../alerting/ledger.ts';
import { smtpSender, type EmailSender } from './email.ts';
import type { Escalation } from './message.ts';
import { escalationKey, stableDeliveryIds, type NotificationQueue, type QueuedEscalation } from './outbox.ts';
import { backoffMs, type AttemptResult } from './retry.ts';
import { escalationsOf, planDeliveries, type Channel, type Delivery } from './route.ts';
import type { NotificationsConfig } from './settings.ts';
import { postWebhook } from './webhook.ts';

export type DeliveryOutcome = 'delivered' | 'failed' | 'abandoned';

export interface NotifierStats {
  /** Escalations taken into the queue; refused because it was full or the notifier closed; still waiting when close() gave up. */
  escalations: { queued: number; dropped: number; abandoned: number };
  deliveries: Record<Channel, Record<DeliveryOutcome, number>>;
  /** Attempts made (a delivered webhook that needed three tries counts 3). */
  attempts: Record<Channel, number>;
  /** Escalations waiting, and being delivered, now. */
  queued: number;
  inFlight: number;
}

export interface NotifierOptions {
  config: NotificationsConfig;
  /** The jurisdiction path of a jurisdiction id, broadest first (regulator routing); default: the id alone. */
  jurisdictionPath?: (jurisdiction: string) => Promise<readonly string[]>;
  /** The alerting clock, for an escalation whose time the alert does not record. */
  clock?: () => number;
  /** Real time, for signature timestamps (the receiver checks them against its own clock). */
  wallClockMs?: () => number;
  /** For the backoff jitter. */
  random?: () => number;
  /** Default: SMTP with config.smtp. */
  email?: EmailSender;
  /** A child of the process's root logger; default: silent. */
  logger?: Logger;
  /** The process's registry: the counts are added to it (wastetrail_notifications_*). */
  metrics?: Registry;
  /** Several processes: escalations go to this durable queue, and only the leader delivers them. */
  outbox?: NotifierOutbox;
}

export interface NotifierOutbox {
  queue: NotificationQueue;
  /** This process's name (the lease holder), kept with what it takes. */
  holder: string;
  isLeader: () => boolean;
  /** How often the leader looks at the queue (ms). */
  pollMs: number;
  /** The escalations the alerts record lately, queued again now and then by the leader (a process may die between the two writes). */
  recorded?: () => Promise<Escalation[]>;
  /** How often `recorded` is read (ms). */
  sweepMs?: number;
}

export interface Notifier {
  /** Give it to startAlerting: returns at once (with an outbox: once the escalations are queued). */
  onEffects(notices: readonly AlertNotice[]): void | Promise<void>;
  /** The counts (the same are on `options.metrics`, the process's registry). */
  stats(): NotifierStats;
  /** Resolves when nothing is queued or in flight (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function startNotifier(options: NotifierOptions): Notifier {
  return new NotificationService(options);
}

class NotificationService implements Notifier {
  private readonly config: NotificationsConfig;
  private readonly options: NotifierOptions;
  private readonly log: Logger;
  private readonly email: EmailSender | undefined;
  private readonly queue: Escalation[] = [];
  private readonly abort = new AbortController();
  private readonly idleWaiters: Array<() => void> = [];
  private inFlight = 0;
  /** Outbox mode: keys of the escalations being delivered, and the abort of the current leadership's deliveries. */
  private readonly inHand = new Set<string>();
  private term = new AbortController();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private lastSweep = 0;
  /** When this process last became the leader (outbox mode); undefined while it is not. */
  private leaderSince: number | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly counts: NotifierStats = {
    escalations: { queued: 0, dropped: 0, abandoned: 0 },
    deliveries: { webhook: { delivered: 0, failed: 0, abandoned: 0 }, email: { delivered: 0, failed: 0, abandoned: 0 } },
    attempts: { webhook: 0, email: 0 },
    queued: 0,
    inFlight: 0,
  };

  constructor(options: NotifierOptions) {
    this.options = options;
    this.config = options.config;
    this.log = options.logger ?? silentLogger;
    exposeNotifierStats(options.metrics ?? new Registry(), () => this.stats());
    this.email = options.email ?? (options.config.smtp ? smtpSender(options.config.smtp, options.config.delivery.timeoutMs) : undefined);
    if (options.outbox) this.schedulePoll(options.outbox);
  }

  onEffects(notices: readonly AlertNotice[]): void | Promise<void> {
    const escalations = escalationsOf(notices, (this.options.clock ?? Date.now)());
    if (this.options.outbox) return this.enqueue(this.options.outbox, escalations);
    for (const e of escalations) {
      if (this.closing || this.queue.length >= this.config.delivery.maxQueued) {
        this.counts.escalations.dropped++;
        this.log.error({ alert: e.alert.id, escalationLevel: e.level, queued: this.queue.length }, this.closing ? 'notifications closed: escalation not sent' : 'notification queue full: escalation not sent');
        continue;
      }
      this.counts.escalations.queued++;
      this.queue.push(e);
      // Straight to a free worker, so the queue holds only what actually waits.
      this.pump();
    }
  }

  stats(): NotifierStats {
    return structuredClone({ ...this.counts, queued: this.queue.length, inFlight: this.inFlight });
  }

  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.pollTimer);
    await this.polling;
    const { closeTimeoutMs } = this.config.delivery;
    if (!(await within(this.idle(), closeTimeoutMs))) {
      const left = this.queue.splice(0);
      this.counts.escalations.abandoned += left.length;
      this.log.warn({ queued: left.length, inFlight: this.inFlight }, 'closing: abandoning notifications still being delivered');
      this.abort.abort();
      // Aborted attempts end at once; an SMTP exchange ends by its own timeout at the latest.
      await within(this.idle(), Math.min(closeTimeoutMs, 1000));
      this.settleIdle();
    }
    this.email?.close();
  }

  private pump(): void {
    while (this.inFlight < this.config.delivery.concurrency && this.queue.length > 0 && !this.abort.signal.aborted) {
      const e = this.queue.shift()!;
      this.inFlight++;
      void this.deliverEscalation(e)
        .catch((err: unknown) => this.log.error({ alert: e.alert.id, escalationLevel: e.level, err }, 'notification failed'))
        .finally(() => {
          this.inFlight--;
          this.pump();
          this.settleIdle();
        });
    }
  }

  private settleIdle(): void {
    if (this.queue.length === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async deliverEscalation(e: Escalation, signal = this.abort.signal, newId: () => string = randomUUID, made?: { skip: ReadonlySet<string>; mark(id: string): Promise<void> }): Promise<DeliveryOutcome[]> {
    let path: readonly string[] = [];
    if (e.level === 3 && e.alert.jurisdiction !== null) {
      path = this.options.jurisdictionPath ? await this.options.jurisdictionPath(e.alert.jurisdiction).catch(() => [e.alert.jurisdiction!]) : [e.alert.jurisdiction];
    }
    const deliveries = planDeliveries(e, this.config, path, newId);
    if (deliveries.length === 0) this.log.warn({ alert: e.alert.id, escalationLevel: e.level }, 'escalation with nobody to notify (no webhook for this level, no recipients)');
    return Promise.all(
      deliveries.map(async (d): Promise<DeliveryOutcome> => {
        if (made?.skip.has(d.id)) return 'delivered';
        const outcome = await this.deliver(d, signal);
        if (outcome === 'delivered') await made?.mark(d.id);
        return outcome;
      }),
    );
  }

  // ---- The durable queue (outbox mode) ----

  private async enqueue(outbox: NotifierOutbox, escalations: Escalation[]): Promise<void> {
    if (escalations.length === 0) return;
    try {
      const added = await outbox.queue.enqueue(escalations);
      this.counts.escalations.queued += added;
    } catch (err) {
      // The leader's sweep (outbox.recorded) queues it later from the alert's own history.
      this.log.error({ escalations: escalations.map(escalationKey), err }, 'escalations not queued; the leader will queue them from the alerts');
    }
  }

  private schedulePoll(outbox: NotifierOutbox): void {
    if (this.closing) return;
    this.pollTimer = setTimeout(() => {
      this.polling = this.poll(outbox)
        .catch((err: unknown) => this.log.error({ err }, 'notification queue not read'))
        .finally(() => {
          this.polling = undefined;
          this.schedulePoll(outbox);
        });
    }, outbox.pollMs);
    this.pollTimer.unref();
  }

  private async poll(outbox: NotifierOutbox): Promise<void> {
    const now = (this.options.wallClockMs ?? Date.now)();
    if (!outbox.isLeader()) {
      this.leaderSince = undefined;
      // No longer the leader: stop what is in hand; the next leader delivers what was not marked.
      if (this.inHand.size > 0) {
        this.term.abort();
        this.term = new AbortController();
      }
      return;
    }
    this.leaderSince ??= now;
    // What a former leader took may still be in its last attempt (an SMTP exchange cannot be called
    // back): it is taken over once that attempt must have ended, so it is not sent twice.
    const othersToo = now - this.leaderSince >= this.config.delivery.timeoutMs + outbox.pollMs;
    if (outbox.recorded && now - this.lastSweep >= (outbox.sweepMs ?? 60_000)) {
      this.lastSweep = now;
      await this.enqueue(outbox, await outbox.recorded());
    }
    const free = this.config.delivery.concurrency - this.inHand.size;
    const taken = await outbox.queue.claim(outbox.holder, free, [...this.inHand], othersToo);
    const signal = AbortSignal.any([this.abort.signal, this.term.signal]);
    for (const q of taken) {
      this.inHand.add(q.key);
      this.inFlight++;
      void this.deliverQueued(outbox, q, signal)
        .catch((err: unknown) => this.log.error({ escalation: q.key, err }, 'notification failed'))
        .finally(() => {
          this.inHand.delete(q.key);
          this.inFlight--;
          this.settleIdle();
        });
    }
  }

  private async deliverQueued(outbox: NotifierOutbox, q: QueuedEscalation, signal: AbortSignal): Promise<void> {
    const skip = new Set(q.delivered);
    const outcomes = await this.deliverEscalation(q.escalation, signal, stableDeliveryIds(q.key), { skip, mark: (id) => outbox.queue.delivered(q.key, id) });
    // Abandoned (closing, or leadership lost): left unfinished for the next leader.
    if (outcomes.includes('abandoned')) return;
    await outbox.queue.finish(q.key, outcomes.includes('failed') ? 'failed' : 'delivered');
  }

  private async deliver(d: Delivery, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { maxAttempts, timeoutMs } = this.config.delivery;
    const where = d.channel === 'webhook' ? { url: safeUrl(d.url) } : { recipients: d.to.length };
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return this.finish(d, 'abandoned', attempt - 1, 'closing');
      this.counts.attempts[d.channel]++;
      const result: AttemptResult =
        d.channel === 'webhook'
          ? await postWebhook(d, { timeoutMs, signal, wallClockMs: this.options.wallClockMs ?? Date.now })
          : this.email
            ? await this.email.send(d)
            : { ok: false, retryable: false, reason: 'no SMTP settings' };
      if (result.ok) return this.finish(d, 'delivered', attempt);
      if (signal.aborted) return this.finish(d, 'abandoned', attempt, result.reason);
      if (!result.retryable || attempt >= maxAttempts) return this.finish(d, 'failed', attempt, result.reason);
      const wait = backoffMs(attempt, this.config.delivery, this.options.random, result.retryAfterMs);
      this.log.warn({ delivery: d.id, alert: d.alertId, escalationLevel: d.level, ...where, attempt, reason: result.reason, retryInMs: wait }, `${d.channel} delivery attempt failed; trying again`);
      await sleep(wait, signal);
    }
  }

  private finish(d: Delivery, outcome: DeliveryOutcome, attempts: number, reason?: string): DeliveryOutcome {
    this.counts.deliveries[d.channel][outcome]++;
    const fields = { delivery: d.id, alert: d.alertId, escalationLevel: d.level, ...(d.channel === 'webhook' ? { url: safeUrl(d.url) } : { recipients: d.to.length }), attempts, ...(reason !== undefined ? { reason } : {}) };
    if (outcome === 'delivered') this.log.info(fields, `${d.channel} notification delivered`);
    else this.log.error(fields, `${d.channel} notification ${outcome}`);
    return outcome;
  }
}

const CHANNELS = ['webhook', 'email'] as const;

/** The counts on the process's registry, read from stats() when scraped. */
function exposeNotifierStats(registry: Registry, read: () => NotifierStats, p = 'wastetrail_notifications'): void {
  exposeKeptCounts(registry, [
    {
      name: `${p}_escalations_total`,
      kind: 'counter',
      help: 'Escalations to notify about: queued, dropped (queue full, or closed), abandoned (still queued at shutdown).',
      labelNames: ['outcome'],
      read: () => Object.entries(read().escalations).map(([outcome, n]) => [{ outcome }, n] as const),
    },
    {
      name: `${p}_deliveries_total`,
      kind: 'counter',
      help: 'Notification deliveries by channel and final outcome (delivered, failed, abandoned).',
      labelNames: ['channel', 'outcome'],
      read: () => {
        const s = read();
        return CHANNELS.flatMap((channel) => Object.entries(s.deliveries[channel]).map(([outcome, n]) => [{ channel, outcome }, n] as const));
      },
    },
    { name: `${p}_attempts_total`, kind: 'counter', help: 'Delivery attempts, retries included.', labelNames: ['channel'], read: () => CHANNELS.map((channel) => [{ channel }, read().attempts[channel]] as const) },
    { name: `${p}_queued`, kind: 'gauge', help: 'Escalations waiting to be delivered (the queue depth).', read: () => read().queued },
    { name: `${p}_in_flight`, kind: 'gauge', help: 'Escalations being delivered.', read: () => read().inFlight },
  ]);
}

/** The URL without credentials or query (which may hold a token), for logs. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unreadable url)';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** true if `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
