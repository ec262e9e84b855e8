/**
 * /api/v1/institutions/{id}/staff: an institution's staff registry, who carries which badge (docs/server/staff.md).
 * The institution's own account (its admin; a transport company's or disposal centre's account for its
 * own people) keeps it; a regulator reads those in its jurisdiction. The public never sees it: badges
 * and names are personal data, and its routes are not for that role.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { StaffBadge } from '../../../store/index.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { readInstitution } from '../../institution-access.ts';
import { responses, StaffBadgeParams, StaffEntry, StaffListResponse, StaffParams, StaffUpsertBody } from '../../schemas.ts';
import { staffView } from '../../views.ts';

const STAFF_READERS = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;
const STAFF_KEEPERS = ['institution_admin', 'transport', 'disposal'] as const;

export const staffRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/institutions/:id/staff',
    {
      config: { roles: [...STAFF_READERS] },
      schema: {
        tags: ['institutions'],
        summary: "The institution's staff registry: each badge's holder (name, role), active and withdrawn, by name.",
        params: StaffParams,
        response: responses({ 200: StaffListResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const { inst } = await readInstitution(ctx, principal(req), req.params.id);
      return { institution: inst.id, staff: (await ctx.store.staffOf(inst.id)).map(staffView) };
    },
  );

  app.put(
    '/institutions/:id/staff/:badge',
    {
      config: { roles: [...STAFF_KEEPERS] },
      schema: {
        tags: ['institutions'],
        summary: "Registers a badge's holder, or changes or withdraws one (active: false), in the caller's own institution.",
        description: "A withdrawn badge stays in the registry, so the steps it signed still name the person. A badge registered at another institution is BADGE_TAKEN.",
        params: StaffBadgeParams,
        body: StaffUpsertBody,
        response: responses({ 200: StaffEntry }, [400, 401, 403, 404, 409]),
      },
    },
    async (req) => {
      const p = principal(req);
      const { inst } = await readInstitution(ctx, p, req.params.id);
      // readInstitution lets a regulator see it; only the institution's own account keeps its registry.
      if (p.scope !== inst.id) throw apiError('FORBIDDEN', `only ${inst.id}'s own account keeps its staff registry`);
      const badge = req.params.badge;
      const held = await ctx.store.staffBadge(badge);
      if (held && held.institution !== inst.id) throw apiError('BADGE_TAKEN', `badge ${badge} is registered at another institution`, { field: 'params.badge' });
      const entry: StaffBadge = { badge, institution: inst.id, name: req.body.name, role: req.body.role, active: req.body.active ?? true, updatedAt: new Date(ctx.now()).toISOString() };
      await ctx.store.upsertStaffBadge(entry);
      return staffView(entry);
    },
  );
};
