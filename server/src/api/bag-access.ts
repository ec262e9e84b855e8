/**
 * Reading a bag on behalf of a principal: load and re-verify its records, then check the principal's
 * scope against what the trail itself says (who sealed it, which vehicles carried it, where it was
 * received), not against the projection, which may lag. Shared by the trail, bundle and register routes.
 */
import { bagFilterFor, canSeeBag, matchesNothing, type BagFacts, type Principal, type ScopeWorld } from '../auth/index.ts';
import type { BagTrail } from '../custody/index.ts';
import { loadBag, type LoadedBag } from '../exports/index.ts';
import type { BagFilter, BagSummary } from '../store/index.ts';
import type { ApiContext } from './context.ts';
import { apiError } from './errors.ts';

export async function bagFactsOfTrail(ctx: ApiContext, trail: BagTrail): Promise<BagFacts> {
  const vehicleCompanies = await ctx.vehicleCompanies();
  const companies = new Set<string>();
  const disposal = new Set<string>();
  for (const s of trail.steps) {
    const company = (s.step === 'picked-up' || s.step === 'received') && s.vehicle ? vehicleCompanies.get(s.vehicle) : undefined;
    if (company) companies.add(company);
    if (s.step === 'received' || s.step === 'disposed') disposal.add(s.institution);
  }
  return { institution: trail.institution ?? null, vehicleCompanies: [...companies], disposalInstitutions: [...disposal] };
}

/** Facts from a projected summary (alerts list): cheaper than a trail, and enough to route by. */
export async function bagFactsOfSummary(ctx: Pick<ApiContext, 'companyVehicles'>, p: Principal, bag: BagSummary): Promise<BagFacts> {
  const companies: string[] = [];
  if (p.role === 'transport' && p.scope !== null && bag.vehicle !== null && (await ctx.companyVehicles(p.scope)).includes(bag.vehicle)) companies.push(p.scope);
  return { institution: bag.institution, vehicleCompanies: companies, disposalInstitutions: bag.disposalInstitution === null ? [] : [bag.disposalInstitution] };
}

/** The bag a tag names, for this principal: BAG_NOT_FOUND, FORBIDDEN, or the re-verified bag. */
export async function readBag(ctx: ApiContext, p: Principal, tag: string, world: ScopeWorld): Promise<LoadedBag> {
  const loaded = await loadBag(ctx.store, tag, await ctx.keyring());
  if (!loaded) throw apiError('BAG_NOT_FOUND', `no record names ${tag}`);
  const facts = await bagFactsOfTrail(ctx, loaded.trail);
  if (!canSeeBag(p, facts, world)) throw apiError('FORBIDDEN', `bag ${loaded.trail.bag} is outside the scope of ${p.username}`);
  return loaded;
}

/** The requested bag filter narrowed to the principal's scope; undefined when it can match nothing. */
export async function scopedBagFilter(ctx: ApiContext, p: Principal, requested: BagFilter, world: ScopeWorld): Promise<BagFilter | undefined> {
  const vehicles = p.role === 'transport' && p.scope !== null ? await ctx.companyVehicles(p.scope) : [];
  const filter = bagFilterFor(p, requested, world, vehicles);
  if (!filter) throw apiError('FORBIDDEN', `a ${p.role} user sees aggregates only, not bags`);
  return matchesNothing(filter) ? undefined : filter;
}
