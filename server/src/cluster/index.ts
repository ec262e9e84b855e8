/**
 * Several server processes on one PostgreSQL (docs/deploy/README.md): the coordination tables, the
 * elected leader, the shared login limit and the durable notification queue. A SQLite server uses
 * soloLeadership() and none of the rest.
 */
import type { Logger, Registry } from '@wastetrail/runtime';
import type { PgStore } from '../store/pg.ts';
import { startLeaderElection, type Leadership } from './leader.ts';
import { pgLoginWindows } from './login-windows.ts';
import { pgNotificationQueue } from './outbox.ts';
import { ensureClusterTables } from './tables.ts';
import type { NotificationQueue } from '../notify/outbox.ts';
import type { ClusterSettings } from './settings.ts';
import type { LoginWindows } from '../api/login-limit.ts';

export { DEFAULT_TAKEOVER_MS, leaseTiming, LEADER_LEASE, processHolder, soloLeadership, startLeaderElection, type Leadership } from './leader.ts';
export { ClusterSettingsSchema, type ClusterSettings } from './settings.ts';
export { ensureClusterTables } from './tables.ts';
export { pgNotificationQueue } from './outbox.ts';
export { pgLoginWindows } from './login-windows.ts';

export interface Cluster {
  leadership: Leadership;
  notifications: NotificationQueue;
  loginWindows: LoginWindows;
}

/** Makes the coordination tables if missing and starts taking part in the leader election. */
export async function joinCluster(store: PgStore, settings: ClusterSettings, logger: Logger, metrics: Registry): Promise<Cluster> {
  const pool = store.db.$client;
  await ensureClusterTables(pool);
  const leadership = await startLeaderElection({ pool, takeoverMs: settings.takeoverMs, logger, metrics });
  return { leadership, notifications: pgNotificationQueue(pool), loginWindows: pgLoginWindows(pool) };
}
