/**
 * The durable notification queue several server processes share (PostgreSQL: cluster/outbox.ts). Any
 * process enqueues the escalations its alert book decided; only the leader delivers. An escalation is
 * queued once (its key: alert and level), and each delivery of it is marked as it succeeds, so a process
 * killed mid-delivery leaves the rest to the next leader. The one case left is a delivery the receiver
 * took while its sender died before marking it: it goes out again, with the same delivery id
 * (X-Wastetrail-Delivery, the webhook's `id`) for the receiver to drop. At least once, never lost.
 */
import type { AlertNotice } from '../alerting/ledger.ts';
import { ESCALATION_AUDIENCE } from '../alerts/index.ts';
import type { Alert as StoredAlert } from '../store/index.ts';
import type { Escalation } from './message.ts';
import { escalationsOf } from './route.ts';
import { NOTIFIED_LEVELS } from './settings.ts';

export interface QueuedEscalation {
  key: string;
  escalation: Escalation;
  /** Ids of this escalation's deliveries already made. */
  delivered: string[];
}

export interface NotificationQueue {
  /** Adds the escalations not queued before (by escalationKey); resolves to how many were new. */
  enqueue(escalations: readonly Escalation[]): Promise<number>;
  /**
   * Up to `limit` escalations not finished, oldest first, leaving out `except` (those in hand); marks them
   * taken by `holder`. Those another holder took only with `othersToo` (a former leader may still be
   * finishing an attempt it started).
   */
  claim(holder: string, limit: number, except: readonly string[], othersToo: boolean): Promise<QueuedEscalation[]>;
  /** One delivery of the escalation made: a later attempt skips it. */
  delivered(key: string, deliveryId: string): Promise<void>;
  /** Every delivery made, or given up after its attempts. */
  finish(key: string, outcome: 'delivered' | 'failed'): Promise<void>;
}

/** The idempotency key of an escalation: one alert reaches one level once. */
export function escalationKey(e: Pick<Escalation, 'alert' | 'level'>): string {
  return `alert-${e.alert.id}-level-${e.level}`;
}

/** Delivery ids that are the same however often the escalation is attempted: `<key>/<n>` in plan order. */
export function stableDeliveryIds(key: string): () => string {
  let n = 0;
  return () => `${key}/${++n}`;
}

/**
 * The escalations the alerts record (details.escalations) from `sinceMs` on: what the leader puts in the
 * queue again, in case a process died between storing an escalation and queueing its notification.
 */
export function recordedEscalations(alerts: readonly StoredAlert[], sinceMs: number, nowMs: number): Escalation[] {
  const notices: AlertNotice[] = [];
  for (const alert of alerts) {
    for (const level of NOTIFIED_LEVELS) if (alert.escalationLevel >= level) notices.push({ alert, effect: { kind: 'escalated', alertId: alert.id, dedupeKey: alert.dedupeKey, severity: alert.severity, level, audience: ESCALATION_AUDIENCE[level] } });
  }
  return escalationsOf(notices, nowMs).filter((e) => Date.parse(e.at) >= sinceMs);
}
