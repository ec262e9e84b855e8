/**
 * /api/v1/manifests: the transfer manifests (转移联单) from the manifest projection, narrowed to the
 * caller's scope (auth/scope.ts manifestScopeFor): search, one manifest, and its 联单 export as CSV.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { manifestScopeFor, type Principal, type ScopeWorld } from '../../../auth/index.ts';
import { manifestExportHeader, manifestExportLines, type Manifest } from '../../../manifests/index.ts';
import type { ManifestFilter } from '../../../store/index.ts';
import { principal, type ApiContext } from '../../context.ts';
import { instantParam, timeZoneParam } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { manifestVisible, principalVehicles, withPartyNames } from '../../manifest-access.ts';
import { CsvResponse, ManifestExportQuery, ManifestParams, ManifestSchema, ManifestSearchQuery, ManifestSearchResponse, responses } from '../../schemas.ts';

const MANIFEST_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;


export const manifestRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  async function readManifest(p: Principal, code: string, world: ScopeWorld): Promise<Manifest> {
    const m = await ctx.store.manifest(code);
    if (!m) throw apiError('MANIFEST_NOT_FOUND', `no record names manifest ${code}`);
    if (!(await manifestVisible(ctx, p, m, world))) throw apiError('FORBIDDEN', `manifest ${code} is outside the scope of ${p.username}`);
    return m;
  }

  app.get(
    '/manifests',
    {
      config: { roles: MANIFEST_ROLES },
      schema: {
        tags: ['manifests'],
        summary: 'Search transfer manifests (转移联单): by party, vehicle, status, time of the first signature, discrepancy, open or closed.',
        description: 'Newest first unless `sort` says otherwise. Only the manifests the caller is a party to (a regulator: with a party in its jurisdiction); `total` counts those. A transport crew\'s "today" is `vehicle`, `from` and `to` of the day.',
        querystring: ManifestSearchQuery,
        response: responses({ 200: ManifestSearchResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const q = req.query;
      const tz = timeZoneParam(q.timeZone);
      const world = await ctx.world();
      const parties = manifestScopeFor(p, world, await principalVehicles(ctx, p));
      if (!parties) throw apiError('FORBIDDEN', `a ${p.role} user sees aggregates only, not manifests`);
      const filter: ManifestFilter = {
        parties,
        ...(q.producer ? { producer: q.producer } : {}),
        ...(q.transporter ? { transporter: q.transporter } : {}),
        ...(q.receiver ? { receiver: q.receiver } : {}),
        ...(q.vehicle ? { vehicle: q.vehicle } : {}),
        ...(q.status ? { statuses: q.status } : {}),
        ...(q.from ? { from: instantParam(q.from, 'query.from', tz, 'from') } : {}),
        ...(q.to ? { to: instantParam(q.to, 'query.to', tz, 'to') } : {}),
        ...(q.discrepant !== undefined ? { discrepant: q.discrepant === 'true' } : {}),
        ...(q.open !== undefined ? { open: q.open === 'true' } : {}),
        ...(q.sort ? { order: q.sort } : {}),
        limit: q.limit,
        offset: q.offset,
      };
      const found = await ctx.store.searchManifests(filter);
      return { manifests: found.manifests.map((m) => withPartyNames(m, world)), total: found.total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/manifests/:manifest',
    {
      config: { roles: MANIFEST_ROLES },
      schema: {
        tags: ['manifests'],
        summary: 'One transfer manifest: status, parties, signatures in order, versions, per-bag weights and outcomes, discrepancies.',
        params: ManifestParams,
        response: responses({ 200: ManifestSchema }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const world = await ctx.world();
      return withPartyNames(await readManifest(principal(req), req.params.manifest, world), world);
    },
  );

  app.get(
    '/manifests/:manifest/export.csv',
    {
      config: { roles: MANIFEST_ROLES },
      schema: {
        tags: ['manifests', 'exports'],
        summary: 'The transfer manifest as a 联单: number, producer, transporter, receiver, waste class and code (HW01, 841-00x-01), quantity, weights, vehicle, each party\'s signature time; CSV, UTF-8 with BOM, headers in Chinese and English.',
        params: ManifestParams,
        querystring: ManifestExportQuery,
        produces: ['text/csv'],
        response: responses({ 200: CsvResponse }, [400, 401, 403, 404]),
      },
    },
    async (req, reply) => {
      const world = await ctx.world();
      const m = await readManifest(principal(req), req.params.manifest, world);
      const tz = timeZoneParam(req.query.timeZone);
      const institutions = new Map(world.institutions.map((i) => [i.id, i]));
      reply.header('content-disposition', `attachment; filename="manifest-${encodeURIComponent(m.manifest)}.csv"`).type('text/csv; charset=utf-8');
      return manifestExportHeader(tz) + manifestExportLines(m, institutions, tz);
    },
  );
};
