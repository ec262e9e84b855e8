/**
 * The notification shell: alert notices in (onEffects, which returns at once), deliveries out, in the
 * background, with retries, a bounded queue and counters.
 *
 *   onEffects(notices) ─> escalationsOf ─> queue (at most maxQueued; beyond: dropped, counted)
 *     ─> `concurrency` workers: jurisdiction path ─> planDeliveries ─> each delivery: attempt, back off, attempt ...
 *
 * close() stops taking notices and waits, at most closeTimeoutMs, for what is queued and in flight;
 * what is still going then is aborted and counted as abandoned.
 */
import { randomUUID } from 'node:crypto';
import { exposeKeptCounts, Registry, silentLogger, type Logger } from '@wastetrail/runtime';
import type { AlertNotice } from '../alerting/ledger.ts';
import { smtpSender, type EmailSender } from './email.ts';
import type { Escalation } from './message.ts';
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
}

export interface Notifier {
  /** Give it to startAlerting: returns at once. */
  onEffects(notices: readonly AlertNotice[]): void;
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
  }

  onEffects(notices: readonly AlertNotice[]): void {
    const escalations = escalationsOf(notices, (this.options.clock ?? Date.now)());
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

  private async deliverEscalation(e: Escalation): Promise<void> {
    let path: readonly string[] = [];
    if (e.level === 3 && e.alert.jurisdiction !== null) {
      path = this.options.jurisdictionPath ? await this.options.jurisdictionPath(e.alert.jurisdiction).catch(() => [e.alert.jurisdiction!]) : [e.alert.jurisdiction];
    }
    const deliveries = planDeliveries(e, this.config, path, randomUUID);
    if (deliveries.length === 0) this.log.warn({ alert: e.alert.id, escalationLevel: e.level }, 'escalation with nobody to notify (no webhook for this level, no recipients)');
    await Promise.all(deliveries.map((d) => this.deliver(d)));
  }

  private async deliver(d: Delivery): Promise<void> {
    const { maxAttempts, timeoutMs } = this.config.delivery;
    const signal = this.abort.signal;
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

  private finish(d: Delivery, outcome: DeliveryOutcome, attempts: number, reason?: string): void {
    this.counts.deliveries[d.channel][outcome]++;
    const fields = { delivery: d.id, alert: d.alertId, escalationLevel: d.level, ...(d.channel === 'webhook' ? { url: safeUrl(d.url) } : { recipients: d.to.length }), attempts, ...(reason !== undefined ? { reason } : {}) };
    if (outcome === 'delivered') this.log.info(fields, `${d.channel} notification delivered`);
    else this.log.error(fields, `${d.channel} notification ${outcome}`);
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
