/**
 * /api/v1/institutions: the institutions in the caller's scope, and one of them with its departments
 * and its daily mass balance (kg sealed against kg received at disposal, by local sealing day). These
 * are aggregates, so the public role sees them too (public disclosure, 信息公开).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSeeInstitution } from '../../../auth/index.ts';
import { principal, type ApiContext } from '../../context.ts';
import { dayParam, daySpan, DEFAULT_TIME_ZONE, shiftDay, todayIn } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { readInstitution } from '../../institution-access.ts';
import { InstitutionDetailResponse, InstitutionListResponse, InstitutionParams, InstitutionQuery, MassBalanceQuery, responses } from '../../schemas.ts';
import { institutionView } from '../../views.ts';

/** Days shown when none are asked for, and the most one request may ask for. */
export const DEFAULT_MASS_BALANCE_DAYS = 30;
export const MAX_MASS_BALANCE_DAYS = 366;

export const institutionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/institutions',
    {
      schema: {
        tags: ['institutions'],
        summary: "Institutions in the caller's scope (a regulator's jurisdiction and below; one's own institution).",
        querystring: InstitutionQuery,
        response: responses({ 200: InstitutionListResponse }, [400, 401]),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      const institutions = world.institutions.filter((i) => (req.query.kind === undefined || i.kind === req.query.kind) && canSeeInstitution(p, i, world));
      return { institutions: institutions.map((i) => institutionView(i, world.jurisdictions)) };
    },
  );

  app.get(
    '/institutions/:id',
    {
      schema: {
        tags: ['institutions'],
        summary: 'One institution, its departments and its daily mass balance.',
        description: `\`from\`/\`to\`: local days (default: the last ${DEFAULT_MASS_BALANCE_DAYS} days to today; at most ${MAX_MASS_BALANCE_DAYS}).`,
        params: InstitutionParams,
        querystring: MassBalanceQuery,
        response: responses({ 200: InstitutionDetailResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const p = principal(req);
      const { inst, world } = await readInstitution(ctx, p, req.params.id);
      const to = req.query.to !== undefined ? dayParam(req.query.to, 'query.to') : todayIn(DEFAULT_TIME_ZONE, ctx.now());
      const from = req.query.from !== undefined ? dayParam(req.query.from, 'query.from') : shiftDay(to, -(DEFAULT_MASS_BALANCE_DAYS - 1));
      const span = daySpan(from, to);
      if (span < 1) throw apiError('VALIDATION_FAILED', 'query.from must not be after query.to', { field: 'query.from' });
      if (span > MAX_MASS_BALANCE_DAYS) throw apiError('VALIDATION_FAILED', `at most ${MAX_MASS_BALANCE_DAYS} days at once`, { field: 'query.from' });
      const days = await ctx.store.dailyMassBalance(inst.id, from, to);
      const total = days.reduce((t, d) => ({ bags: t.bags + d.bags, sealedGrams: t.sealedGrams + d.sealedGrams, received: t.received + d.received, receivedGrams: t.receivedGrams + d.receivedGrams }), {
        bags: 0,
        sealedGrams: 0,
        received: 0,
        receivedGrams: 0,
      });
      const departments = await ctx.store.departments(inst.id);
      return {
        institution: institutionView(inst, world.jurisdictions),
        departments: departments.map((d) => ({ code: d.code, name: d.name })),
        massBalance: { from, to, days, total },
      };
    },
  );
};
