/**
 * The dialect-free part of the store, one file per aggregate, put together: everything but what each
 * dialect writes in its own transactions (the group commit, an inspection with its findings, closing).
 * A dialect may replace a query with a faster one of its own (SQLite's prepared hot path does).
 */
import type { CustodyStore } from '../repository.ts';
import type { Queries } from './context.ts';
import { alertQueries } from './alerts.ts';
import { bagQueries } from './bags.ts';
import { changeFeedQueries } from './change-feed.ts';
import { dashboardQueries } from './dashboard.ts';
import { deviceQueries, type RevokeKey } from './devices.ts';
import { logQueries } from './log.ts';
import { manifestQueries } from './manifests.ts';
import { quarantineQueries, recordQueries } from './records.ts';
import { referenceDataQueries } from './reference-data.ts';
import { supervisionQueries } from './supervision.ts';
import { trackQueries } from './tracks.ts';
import { userQueries } from './users.ts';

export type DialectWrites = 'appendRecords' | 'insertInspection' | 'close';

export interface SharedOptions {
  /** Quarantined payloads are kept up to this many bytes. */
  quarantineLimit: number;
  /** revokeDeviceKey's read-then-write, in the dialect's transaction. */
  revokeKey: RevokeKey;
}

export function sharedQueries(q: Queries, options: SharedOptions): Omit<CustodyStore, DialectWrites> {
  return {
    ...recordQueries(q),
    ...quarantineQueries(q, options.quarantineLimit),
    ...referenceDataQueries(q),
    ...trackQueries(q),
    ...deviceQueries(q, options.revokeKey),
    ...bagQueries(q),
    ...manifestQueries(q),
    ...alertQueries(q),
    ...userQueries(q),
    ...supervisionQueries(q),
    ...logQueries(q),
    ...changeFeedQueries(q),
    ...dashboardQueries(q),
  };
}
