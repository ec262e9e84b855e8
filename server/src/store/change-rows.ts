/** Change-feed rows to and from the repository's types (both dialects). */
import type { Change, ChangeKind, NewSubscription, Subscription, SubscriptionOutcome } from './repository.ts';

export function changeFromRow(r: { id: number; kind: ChangeKind; key: string }): Change {
  return { id: Number(r.id), kind: r.kind, key: r.key };
}

export function subscriptionFromRow(r: Subscription & { leaseUntil: string | null }): Subscription {
  const { leaseUntil: _lease, ...s } = r;
  return { ...s, id: Number(s.id), userId: Number(s.userId), deliveredThrough: Number(s.deliveredThrough) };
}

/** A new subscription's row: nothing delivered past its starting cursor, no failures, due at once. */
export function newSubscriptionRow(s: NewSubscription) {
  return { ...s, kinds: [...s.kinds], failures: 0, nextAttemptAt: s.createdAt, lastError: null, leaseUntil: null };
}

/** The columns a delivery outcome sets; the lease is released either way. */
export function deliveryChanges(outcome: SubscriptionOutcome) {
  return 'deliveredThrough' in outcome
    ? { failures: 0, lastError: null, leaseUntil: null }
    : { failures: outcome.failures, nextAttemptAt: outcome.nextAttemptAt, lastError: outcome.lastError.slice(0, 500), leaseUntil: null };
}
