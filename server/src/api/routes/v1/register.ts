/**
 * /api/v1/register.csv: the handover register (条例 Art. 12) of the bags sealed in a period, as CSV for
 * Excel (exports/register.ts has the columns). Streamed page by page, so a month of a hospital costs
 * the memory of one page; rows are re-verified trails, newest sealed first (the bag search's order).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { loadBag, registerHeader, registerLine, registerRow, type LoadedBag } from '../../../exports/index.ts';
import type { BagFilter, StaffBadge } from '../../../store/index.ts';
import { scopedBagFilter } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { instantParam, timeZoneParam } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { CsvResponse, RegisterQuery, responses } from '../../schemas.ts';
import { trailBadges } from '../../views.ts';

/** Rows one export may hold: beyond it, ask for a shorter period or one institution. */
export const MAX_REGISTER_ROWS = 100_000;
const PAGE = 200;

export const registerRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/register.csv',
    {
      config: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] },
      schema: {
        tags: ['exports'],
        summary: 'The handover register (医疗废物管理条例 Art. 12) of the bags sealed from `from` to `to`, as CSV (UTF-8 with BOM; headers in Chinese and English).',
        description: `Source, category, weights, handover times, handlers' badges, vehicle and manifest, disposal method and final destination; one row per bag. At most ${MAX_REGISTER_ROWS} rows.`,
        querystring: RegisterQuery,
        produces: ['text/csv'],
        response: responses({ 200: CsvResponse }, [400, 401, 403]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const q = req.query;
      const tz = timeZoneParam(q.timeZone);
      const from = instantParam(q.from, 'query.from', tz, 'from');
      const to = instantParam(q.to, 'query.to', tz, 'to');
      if (from >= to) throw apiError('VALIDATION_FAILED', 'query.from must be before query.to', { field: 'query.from' });
      const requested: BagFilter = { ...(q.institution ? { institutions: q.institution } : {}), ...(q.disposalInstitution ? { disposalInstitution: q.disposalInstitution } : {}), from, to };
      const world = await ctx.world();
      const filter = await scopedBagFilter(ctx, p, requested, world);
      const total = filter ? (await ctx.store.searchBags({ ...filter, limit: 1, offset: 0 })).total : 0;
      if (total > MAX_REGISTER_ROWS) {
        throw apiError('VALIDATION_FAILED', `${total} bags in this period: at most ${MAX_REGISTER_ROWS} per export; ask for a shorter period or one institution`, { field: 'query.from' });
      }
      const institutions = new Map(world.institutions.map((i) => [i.id, i]));
      const keyring = await ctx.keyring();
      const store = ctx.store;
      const metrics = ctx.metrics;
      async function* lines(): AsyncGenerator<string> {
        yield registerHeader(tz);
        if (!filter) return;
        let rows = 0;
        // The handlers' names, looked up once per badge: an institution has few people and many bags.
        const staff = new Map<string, StaffBadge | null>();
        for (let offset = 0; offset < total; offset += PAGE) {
          const page = await store.searchBags({ ...filter, limit: PAGE, offset });
          const loaded: LoadedBag[] = [];
          for (const bag of page.bags) {
            const one = await loadBag(store, bag.bag, keyring);
            if (one) loaded.push(one);
          }
          const unseen = [...new Set(loaded.flatMap(trailBadges))].filter((b) => !staff.has(b));
          for (const b of unseen) staff.set(b, null);
          for (const entry of await store.staffByBadges(unseen)) staff.set(entry.badge, entry);
          for (const one of loaded) {
            yield registerLine(registerRow(one, institutions, tz, staff));
            rows++;
          }
          if (page.bags.length < PAGE) break;
        }
        metrics.registerRowsExported.inc(rows);
      }
      const name = `wastetrail-register-${q.from.slice(0, 10)}-${q.to.slice(0, 10)}.csv`;
      reply.header('content-disposition', `attachment; filename="${name}"`).type('text/csv; charset=utf-8');
      return reply.send(Readable.from(lines()));
    },
  );
};
