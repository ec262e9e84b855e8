/**
 * The tables several server processes on one PostgreSQL coordinate through: the leader's lease, the
 * login limit's windows and the notification outbox. They are not custody data and exist only on
 * PostgreSQL (one SQLite process needs no coordination), so they are made here, idempotently, under the
 * same advisory lock the store's migrations take, rather than in the drizzle migrations both dialects share.
 */
import type pg from 'pg';

/** The store's migration lock (store/pg.ts): processes starting at once make the tables one after another. */
const MIGRATION_LOCK = 0x77745f6d;

const DDL = [
  // One row per lease name. `term` grows at every change of holder: a fencing number for logs and tests.
  `create table if not exists cluster_leases (
     name text primary key,
     holder text not null,
     term bigint not null,
     acquired_at timestamptz not null,
     expires_at timestamptz not null
   )`,
  // Fixed login-limit windows (api/login-limit.ts), shared by every process. Times in ms since the epoch, on the app's clock.
  `create table if not exists login_windows (
     key text primary key,
     started_ms bigint not null,
     count integer not null
   )`,
  // One row per escalation to notify about; `key` (alert id and level) makes enqueueing idempotent.
  `create table if not exists notification_outbox (
     key text primary key,
     escalation jsonb not null,
     enqueued_at timestamptz not null default now(),
     claimed_by text,
     claimed_until timestamptz,
     attempts integer not null default 0,
     delivered jsonb not null default '[]'::jsonb,
     done_at timestamptz,
     outcome text
   )`,
  `create index if not exists notification_outbox_waiting on notification_outbox (enqueued_at) where done_at is null`,
];

/** Creates the coordination tables in the pool's schema (its search_path) if they are missing. */
export async function ensureClusterTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const statement of DDL) await client.query(statement);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
