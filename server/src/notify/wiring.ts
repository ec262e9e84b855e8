/** What the composition root (server/src/server.ts) needs to plug notifications into a server. */
import { jurisdictionPathOf } from '../alerting/world.ts';
import type { CustodyStore } from '../store/index.ts';

/** Regulator routing reads the jurisdiction parents when it needs them (rarely: on an escalation to level 3). */
export function storeJurisdictionPath(store: Pick<CustodyStore, 'jurisdictions'>): (jurisdiction: string) => Promise<string[]> {
  return async (jurisdiction) => jurisdictionPathOf(jurisdiction, new Map((await store.jurisdictions()).map((j) => [j.id, j])));
}
