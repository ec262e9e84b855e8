/**
 * The notification queue (notify/outbox.ts) in PostgreSQL: a table of our own rather than pg-boss or
 * graphile-worker. What it must do is small (insert once by key, take the oldest unfinished, mark
 * deliveries) and only the elected leader takes from it, so it needs no worker protocol, no polling of
 * its own and no further schema; a job library would bring both, and a second notion of who runs jobs.
 */
import type pg from 'pg';
import type { Escalation } from '../notify/message.ts';
import { escalationKey, type NotificationQueue, type QueuedEscalation } from '../notify/outbox.ts';

export function pgNotificationQueue(pool: pg.Pool): NotificationQueue {
  return {
    async enqueue(escalations: readonly Escalation[]): Promise<number> {
      if (escalations.length === 0) return 0;
      const keys = escalations.map(escalationKey);
      const { rowCount } = await pool.query(
        `insert into notification_outbox (key, escalation)
         select * from unnest($1::text[], $2::jsonb[]) on conflict (key) do nothing`,
        [keys, escalations.map((e) => JSON.stringify(e))],
      );
      return rowCount ?? 0;
    },

    async claim(holder: string, limit: number, except: readonly string[], othersToo: boolean): Promise<QueuedEscalation[]> {
      if (limit <= 0) return [];
      const { rows } = await pool.query<{ key: string; escalation: Escalation; delivered: string[] }>(
        `update notification_outbox set claimed_by = $1, attempts = attempts + 1
         where key in (
           select key from notification_outbox
           where done_at is null and not (key = any($3::text[])) and (claimed_by is null or claimed_by = $1 or $4)
           order by enqueued_at, key limit $2 for update skip locked)
         returning key, escalation, delivered`,
        [holder, limit, [...except], othersToo],
      );
      return rows.map((r) => ({ key: r.key, escalation: r.escalation, delivered: r.delivered }));
    },

    async delivered(key: string, deliveryId: string): Promise<void> {
      await pool.query(`update notification_outbox set delivered = delivered || to_jsonb($2::text) where key = $1 and not delivered ? $2`, [key, deliveryId]);
    },

    async finish(key: string, outcome: 'delivered' | 'failed'): Promise<void> {
      await pool.query(`update notification_outbox set done_at = now(), outcome = $2 where key = $1 and done_at is null`, [key, outcome]);
    },
  };
}
