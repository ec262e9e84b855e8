/**
 * Whether a principal sees a transfer manifest: as a party to it (a transport company also through its
 * vehicles), a regulator through its jurisdiction (auth/scope.ts manifestScopeFor). Shared by the
 * manifest routes and the change feed.
 */
import { canSeeManifest, type Principal, type ScopeWorld } from '../auth/index.ts';
import type { Manifest } from '../manifests/index.ts';
import type { ScopeReader } from './context.ts';

/** The vehicles a transport user's company runs; none for other roles. */
export async function principalVehicles(ctx: Pick<ScopeReader, 'companyVehicles'>, p: Principal): Promise<string[]> {
  return p.role === 'transport' && p.scope !== null ? await ctx.companyVehicles(p.scope) : [];
}

export async function manifestVisible(ctx: Pick<ScopeReader, 'companyVehicles'>, p: Principal, m: Manifest, world: ScopeWorld): Promise<boolean> {
  return canSeeManifest(p, m, world, await principalVehicles(ctx, p));
}

/** The manifest as the API gives it: with the names of the institutions it names, as a 联单 prints them. */
export function withPartyNames(m: Manifest, world: ScopeWorld): Manifest & { partyNames: Record<string, string> } {
  const named = new Set([m.producer, m.transporter, m.receiver, ...m.signatures.map((s) => s.institution)]);
  const partyNames: Record<string, string> = {};
  for (const i of world.institutions) if (named.has(i.id)) partyNames[i.id] = i.name;
  return { ...m, partyNames };
}
