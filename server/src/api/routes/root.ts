/**
 * Outside the versioned API: the health check and, when asked for (`http.serveMetrics`), the Prometheus
 * metrics, both without a session. Metrics are not public by default: they name routes, devices'
 * refusal reasons and load; the server's own `metrics` listener (127.0.0.1 by default) serves them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.ts';
import { loadOf } from '../load-shedding.ts';
import { HealthResponse, MetricsResponse, responses } from '../schemas.ts';

export const rootRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; serveMetrics: boolean }> = async (app, { ctx, serveMetrics }) => {
  app.get(
    '/healthz',
    {
      config: { anonymous: true, reportsLoad: true },
      schema: {
        tags: ['operations'],
        summary: 'Is the server up, does its store answer, is it shedding load? 200 when all is well, 503 when not.',
        security: [],
        response: responses({ 200: HealthResponse, 503: HealthResponse }),
      },
    },
    async (req, reply) => {
      const time = new Date(ctx.now()).toISOString();
      const load = loadOf(app);
      let store: 'ok' | 'unavailable' = 'ok';
      try {
        // A primary-key lookup: cheap on any store size, and it goes through the real connection.
        await ctx.store.institution('healthz-probe');
      } catch (err) {
        req.log.error({ err }, 'health check: the store does not answer');
        store = 'unavailable';
      }
      const status = store === 'unavailable' ? 'unavailable' : load.overloaded ? 'overloaded' : 'ok';
      return reply.code(status === 'ok' ? 200 : 503).send({ status, store, time, load });
    },
  );

  if (!serveMetrics) return;
  app.get(
    '/metrics',
    {
      // Never shed: an overloaded server is exactly when its metrics are wanted.
      config: { anonymous: true, reportsLoad: true },
      schema: {
        tags: ['operations'],
        summary: "Prometheus metrics: the process's (CPU, memory, event loop), the API's, the gateway's, ingest's, alerting's and notifications'.",
        description: 'Only with http.serveMetrics; no session needed, like most scrape targets: expose it only on an internal network (docs/server/api.md).',
        security: [],
        produces: ['text/plain'],
        response: responses({ 200: MetricsResponse }),
      },
    },
    async (_req, reply) => reply.type(ctx.registry.contentType).send(await ctx.registry.metrics()),
  );
};
