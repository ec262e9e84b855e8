/**
 * Whether a principal sees an alert: routed to its scope, or (transport, disposal) about a bag it may
 * see. Shared by the alert routes and the change feed.
 */
import { canSeeAlert, type Principal, type ScopeWorld } from '../auth/index.ts';
import type { Alert } from '../store/index.ts';
import { bagFactsOfSummary } from './bag-access.ts';
import type { ScopeReader } from './context.ts';

export async function alertVisible(ctx: ScopeReader, p: Principal, a: Alert, world: ScopeWorld): Promise<boolean> {
  if (canSeeAlert(p, a, world)) return true;
  if ((p.role !== 'transport' && p.role !== 'disposal') || a.bag === null) return false;
  const bag = await ctx.store.bag(a.bag);
  return bag !== undefined && canSeeAlert(p, a, world, await bagFactsOfSummary(ctx, p, bag));
}
