/** What the composition root (server/src/server.ts) needs to plug notifications into a server. */
import type { GatewayLogger } from '@wastetrail/gateway';
import { jurisdictionPathOf } from '../alerting/world.ts';
import type { CustodyStore } from '../store/index.ts';

/** Regulator routing reads the jurisdiction parents when it needs them (rarely: on an escalation to level 3). */
export function storeJurisdictionPath(store: Pick<CustodyStore, 'jurisdictions'>): (jurisdiction: string) => Promise<string[]> {
  return async (jurisdiction) => jurisdictionPathOf(jurisdiction, new Map((await store.jurisdictions()).map((j) => [j.id, j])));
}

/** A line logger (the server's) as a GatewayLogger that keeps the fields: a delivery's log line must say which and why. */
export function lineLogger(sink: { info(m: string): void; warn(m: string): void; error(m: string): void }, prefix: string): GatewayLogger {
  const line = (m: string, fields?: Record<string, unknown>) => `${prefix}: ${m}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))}` : ''}`;
  return { debug: () => {}, info: (m, f) => sink.info(line(m, f)), warn: (m, f) => sink.warn(line(m, f)), error: (m, f) => sink.error(line(m, f)) };
}
