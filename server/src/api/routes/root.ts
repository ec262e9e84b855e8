/** Outside the versioned API: the health check and the Prometheus metrics, both without a session. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.ts';
import { HealthResponse, MetricsResponse, responses } from '../schemas.ts';

export const rootRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/healthz',
    {
      config: { anonymous: true },
      schema: {
        tags: ['operations'],
        summary: 'Is the server up and does its store answer? 200 when it does, 503 when not.',
        security: [],
        response: responses({ 200: HealthResponse, 503: HealthResponse }),
      },
    },
    async (req, reply) => {
      const time = new Date(ctx.now()).toISOString();
      try {
        // A primary-key lookup: cheap on any store size, and it goes through the real connection.
        await ctx.store.institution('healthz-probe');
        return { status: 'ok' as const, store: 'ok' as const, time };
      } catch (err) {
        req.log.error({ err }, 'health check: the store does not answer');
        return reply.code(503).send({ status: 'unavailable' as const, store: 'unavailable' as const, time });
      }
    },
  );

  app.get(
    '/metrics',
    {
      config: { anonymous: true },
      schema: {
        tags: ['operations'],
        summary: "Prometheus metrics: the process's (CPU, memory, event loop), the API's, the gateway's, ingest's, alerting's and notifications'.",
        description: 'No session needed, like most scrape targets: expose it only on an internal network (docs/server/api.md).',
        security: [],
        produces: ['text/plain'],
        response: responses({ 200: MetricsResponse }),
      },
    },
    async (_req, reply) => reply.type(ctx.registry.contentType).send(await ctx.registry.metrics()),
  );
};
