/**
 * Reading an institution on behalf of a principal: the one an id names, if the principal's scope covers
 * it. Shared by the institution, credit and inspection routes.
 */
import { canSeeInstitution, type Principal, type ScopeWorld } from '../auth/index.ts';
import type { Institution } from '../store/index.ts';
import type { ApiContext } from './context.ts';
import { apiError } from './errors.ts';

/**
 * The institution an id names, for this principal: INSTITUTION_NOT_FOUND, FORBIDDEN, or the institution
 * and the world it was found in (for what the route decides next).
 */
export async function readInstitution(ctx: ApiContext, p: Principal, id: string): Promise<{ inst: Institution; world: ScopeWorld }> {
  const world = await ctx.world();
  const inst = world.institutions.find((i) => i.id === id);
  if (!inst) throw apiError('INSTITUTION_NOT_FOUND', `no institution ${id}`);
  if (!canSeeInstitution(p, inst, world)) throw apiError('FORBIDDEN', `institution ${inst.id} is outside the scope of ${p.username}`);
  return { inst, world };
}
