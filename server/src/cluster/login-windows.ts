/** The login limit's windows (api/login-limit.ts) in PostgreSQL, so every process counts the same attempts. */
import type pg from 'pg';
import type { LoginWindows } from '../api/login-limit.ts';

/** One in this many attempts also sweeps expired windows, so the table stays the size of the last minute's keys. */
const SWEEP_EVERY = 100;

export function pgLoginWindows(pool: pg.Pool): LoginWindows {
  let attempts = 0;
  return {
    async incr(key, nowMs, windowMs) {
      if (++attempts % SWEEP_EVERY === 0) await pool.query('delete from login_windows where started_ms + $2 <= $1', [nowMs, windowMs]);
      // One statement: two processes counting the same key at once both count.
      const { rows } = await pool.query<{ count: number; started_ms: string }>(
        `insert into login_windows (key, started_ms, count) values ($1, $2, 1)
         on conflict (key) do update set
           count = case when login_windows.started_ms + $3 <= $2 then 1 else login_windows.count + 1 end,
           started_ms = case when login_windows.started_ms + $3 <= $2 then $2 else login_windows.started_ms end
         returning count, started_ms`,
        [key, nowMs, windowMs],
      );
      return { count: rows[0]!.count, startedMs: Number(rows[0]!.started_ms) };
    },
    async read(key, nowMs, windowMs) {
      const { rows } = await pool.query<{ count: number; started_ms: string }>('select count, started_ms from login_windows where key = $1 and started_ms + $3 > $2', [key, nowMs, windowMs]);
      return rows[0] ? { count: rows[0].count, startedMs: Number(rows[0].started_ms) } : undefined;
    },
  };
}
