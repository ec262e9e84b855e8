/** The change feed and its webhook subscriptions (ChangeFeedStore; rows written by triggers, migration 0010; docs/interop/changes.md). */
import { and, asc, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Change, ChangeFeedStore, ChangeKind, NewSubscription, Subscription, SubscriptionOutcome } from '../repository.ts';
import { storedRecordFromRow } from './records.ts';
import type { Queries } from './context.ts';

export function changeFeedQueries({ db, t, dialect }: Queries): ChangeFeedStore {
  const s = t.subscriptions;
  return {
    async changesAfter(after, limit) {
      const rows = await db.select().from(t.changes).where(gt(t.changes.id, after)).orderBy(asc(t.changes.id)).limit(limit);
      return rows.map(changeFromRow);
    },

    async lastChangeId() {
      // PostgreSQL's max of a bigint comes back as text.
      const [row] = await db.select({ id: sql<string | number | null>`max(${t.changes.id})` }).from(t.changes);
      return Number(row?.id ?? 0);
    },

    async recordById(id) {
      const [row] = await db.select().from(t.records).where(eq(t.records.id, id));
      return row && storedRecordFromRow(row);
    },

    async insertSubscription(subscription) {
      const [row] = await db.insert(s).values(newSubscriptionRow(subscription)).returning();
      return subscriptionFromRow(row!);
    },

    async subscription(id) {
      const [row] = await db.select().from(s).where(eq(s.id, id));
      return row && subscriptionFromRow(row);
    },

    async subscriptions(filter = {}) {
      const where = filter.userId === undefined ? undefined : eq(s.userId, filter.userId);
      return (await db.select().from(s).where(where).orderBy(asc(s.id))).map(subscriptionFromRow);
    },

    async deleteSubscription(id) {
      return (await db.delete(s).where(eq(s.id, id)).returning({ id: s.id })).length > 0;
    },

    async leaseSubscription(id, now, until) {
      const free = or(sql`${s.leaseUntil} is null`, lt(s.leaseUntil, now));
      return (await db.update(s).set({ leaseUntil: until }).where(and(eq(s.id, id), free)).returning({ id: s.id })).length > 0;
    },

    async recordDelivery(id, outcome) {
      // An acknowledgement never moves the cursor back (a slower deliverer's older batch).
      const through = 'deliveredThrough' in outcome ? { deliveredThrough: dialect.greatest(s.deliveredThrough, outcome.deliveredThrough) } : {};
      await db.update(s).set({ ...deliveryChanges(outcome), ...through }).where(eq(s.id, id));
    },

    async releaseSubscription(id) {
      await db.update(s).set({ leaseUntil: null }).where(eq(s.id, id));
    },
  };
}

// ---- Rows ----

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
