/**
 * /api/v1/bags: search (the projection, narrowed to the caller's scope), one bag's trail (re-verified
 * from its records), and its audit bundle (the records exactly as signed, for `wastetrail verify`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { buildBundle, bundleFileName } from '../../../exports/index.ts';
import type { BagFilter } from '../../../store/index.ts';
import { readBag, scopedBagFilter } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { instantParam, timeZoneParam } from '../../days.ts';
import { BagIdParams, BagSearchQuery, BagSearchResponse, BundleResponse, responses, TrailResponse } from '../../schemas.ts';
import { bundleLog, trailAnswer } from '../../trail-log.ts';

const BAG_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;

export const bagRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/bags',
    {
      config: { roles: BAG_ROLES },
      schema: {
        tags: ['bags'],
        summary: 'Search bags: by sealing institution, disposal centre, vehicle, sealing time, state, category, manifest.',
        description: 'Newest sealed first, or oldest first (`sort`). Results are limited to what the caller may see; `total` counts those.',
        querystring: BagSearchQuery,
        response: responses({ 200: BagSearchResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const q = req.query;
      const tz = timeZoneParam(q.timeZone);
      const requested: BagFilter = {
        ...(q.institution ? { institutions: q.institution } : {}),
        ...(q.disposalInstitution ? { disposalInstitution: q.disposalInstitution } : {}),
        ...(q.vehicle ? { vehicles: q.vehicle } : {}),
        ...(q.from ? { from: instantParam(q.from, 'query.from', tz, 'from') } : {}),
        ...(q.to ? { to: instantParam(q.to, 'query.to', tz, 'to') } : {}),
        ...(q.state ? { states: q.state } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.manifest ? { manifest: q.manifest } : {}),
        ...(q.sort ? { order: q.sort } : {}),
        limit: q.limit,
        offset: q.offset,
      };
      const filter = await scopedBagFilter(ctx, p, requested, await ctx.world());
      if (!filter) return { bags: [], total: 0, limit: q.limit, offset: q.offset };
      const found = await ctx.store.searchBags(filter);
      return { bags: found.bags, total: found.total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/bags/:id',
    {
      config: { roles: BAG_ROLES },
      schema: {
        tags: ['bags'],
        summary: "A bag's custody trail: steps, holders, places, weights, dwell times, anomalies, and each record re-verified.",
        params: BagIdParams,
        response: responses({ 200: TrailResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const world = await ctx.world();
      const loaded = await readBag(ctx, principal(req), req.params.id, world);
      return trailAnswer(ctx, world, loaded);
    },
  );

  app.get(
    '/bags/:id/bundle',
    {
      config: { roles: BAG_ROLES },
      schema: {
        tags: ['bags', 'exports'],
        summary: "A bag's audit bundle: its records exactly as signed, its devices' keys and each record's inclusion proof in the log, for `wastetrail verify bundle.json --keys keyring.json --log-key <key>`.",
        params: BagIdParams,
        response: responses({ 200: BundleResponse }, [400, 401, 403, 404]),
      },
    },
    async (req, reply) => {
      const loaded = await readBag(ctx, principal(req), req.params.id, await ctx.world());
      // The records as stored, verified or not: the bundle shows what the server holds, and the verifier judges.
      const bundle = await buildBundle(ctx.store, loaded.trail.bag, loaded.records.map((r) => r.stored), ctx.now(), bundleLog(ctx));
      ctx.metrics.bundlesExported.inc();
      reply.header('content-disposition', `attachment; filename="${bundleFileName(loaded.trail.bag)}"`);
      return bundle;
    },
  );
};
