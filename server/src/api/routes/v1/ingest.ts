/** /api/v1/ingest/stats: what ingest has taken in and refused, for regulators (it spans every device). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { IngestStatsResponse, responses } from '../../schemas.ts';

export const ingestRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/ingest/stats',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['operations'],
        summary: 'Ingest counters: messages, records accepted, duplicates, quarantined by code, gaps, commit latency.',
        response: responses({ 200: IngestStatsResponse }, [401, 403, 503]),
      },
    },
    async () => {
      const stats = ctx.deps.ingestStats?.();
      if (stats === undefined) throw apiError('NOT_AVAILABLE', 'this server runs no ingest');
      return { stats: stats as Record<string, unknown> };
    },
  );
};
