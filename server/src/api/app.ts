/**
 * The HTTP API as a fastify app, without listening: external plugins (security headers, load shedding,
 * cookies, the login limit, OpenAPI and its UI), then the app's hooks (who is asking; counters), then the routes (routes/, one file per
 * URL folder), then the web UI's routes. server.ts starts it; tests call `inject()` on it.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createMetricsRegistry, silentLogger } from '@wastetrail/runtime';
import { principalOfToken, SESSION_COOKIE } from '../auth/index.ts';
import { createContext, type ApiInstance, type AppDeps } from './context.ts';
import { ApiError, apiError, fromFastifyError, validationError } from './errors.ts';
import { registerLoadShedding } from './load-shedding.ts';
import { clockRateLimitStore, sharedRateLimitStore } from './login-limit.ts';
import { apiMetrics } from './metrics.ts';
import { readTextValues } from './request-values.ts';
import { epcisRoutes } from './routes/epcis.ts';
import { logRoutes } from './routes/log.ts';
import { rootRoutes } from './routes/root.ts';
import { v1Routes } from './routes/v1/index.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export type { AppDeps, ApiInstance } from './context.ts';

/** Request bodies are small JSON objects (login, notes); anything bigger is a mistake or an attack. */
const BODY_LIMIT = 64 * 1024;
/** The longest path segment the router passes on; longer is URI_TOO_LONG (414). */
const MAX_PARAM_LENGTH = 1024;

/** Every response names its request: the id in the log lines about it, for a client to quote. */
export const REQUEST_ID_HEADER = 'x-request-id';

export async function buildApp(deps: AppDeps): Promise<ApiInstance> {
  const app = Fastify({
    // One log: the process's root logger; every line about a request carries its reqId.
    loggerInstance: (deps.logger ?? silentLogger) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    // request.ip (the login limit) and request.protocol (the cookie's Secure flag) from X-Forwarded-*
    // only when the operator says a proxy is in front; otherwise anyone could claim https or an address.
    trustProxy: trustProxyOption(deps.trustProxy ?? false),
    bodyLimit: BODY_LIMIT,
    // Requests that arrive while closing get SHUTTING_DOWN in the API's error shape (load-shedding.ts).
    return503OnClosing: false,
    // Path segments up to what the schemas allow (a 203-character tag): they, not the router, refuse.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Unknown fields are refused (VALIDATION_FAILED), not silently dropped; nothing is coerced: path and
    // query numbers and lists are read on purpose (request-values.ts), bodies must be what they say.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
    // The router's own refusals (a bad escape in the path, a path segment too long) in the API's shape.
    frameworkErrors: (err, _req, reply) => {
      const e = fromFastifyError(err) ?? apiError('INTERNAL', 'the server failed; the log has the details');
      (reply as FastifyReply).code(e.statusCode).send(e.body());
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Bodies are JSON only: plain text would otherwise reach validation as a string instead of a 415.
  app.removeContentTypeParser('text/plain');
  const registry = deps.metrics ?? createMetricsRegistry();
  const metrics = apiMetrics(registry);
  const ctx = createContext(deps, registry, metrics);

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { validation?: unknown[]; validationContext?: string; code?: string; statusCode?: number };
    let apiErr: ApiError;
    if (e instanceof ApiError) apiErr = e;
    else if (Array.isArray(e.validation)) apiErr = validationError(e.validation as Parameters<typeof validationError>[0], e.validationContext);
    else apiErr = fromFastifyError(e) ?? apiError('INTERNAL', `the server failed; the log has the details under request id ${req.id}`, { requestId: req.id });
    if (apiErr.statusCode >= 500) req.log.error({ err: e, method: req.method, url: req.url }, 'request failed');
    return reply.code(apiErr.statusCode).headers(apiErr.headers).send(apiErr.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = apiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
    return reply.code(e.statusCode).send(e.body());
  });

  await registerSecurityHeaders(app);
  await registerLoadShedding(app, deps.loadShedding);
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    store: deps.loginWindows ? sharedRateLimitStore(deps.loginWindows, () => (deps.sessionClock ?? deps.clock)()) : clockRateLimitStore(() => (deps.sessionClock ?? deps.clock)()),
    errorResponseBuilder: (_req, context) => {
      metrics.logins.inc({ outcome: 'rate_limited' });
      return apiError('RATE_LIMITED', `too many login attempts for this user from this address: try again in ${context.after}`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      });
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wastetrail API',
        version: '1',
        description: 'Medical-waste custody: trails, alerts, institutions, devices, audit bundles, the handover register, EPCIS 2.0 events and the change feed. docs/server/api.md and docs/interop/ have the details.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'the token from POST /api/v1/session' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  // Swagger UI's assets are served from the package itself (no CDN), under the app's CSP but for one
  // thing, on its own pages only: it sets an inline style.
  await app.register(swaggerUi, { routePrefix: '/docs', transformStaticCSP: (csp) => csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") });

  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('authVia', null);
  // Who is asking, for every route (the web UI's too); API routes refuse anonymous requests themselves.
  app.addHook('onRequest', async (req) => {
    const bearer = /^Bearer ([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookieToken = req.cookies[SESSION_COOKIE];
    const token = bearer ?? cookieToken;
    if (!token) return;
    const p = await principalOfToken(deps.store, token, (deps.sessionClock ?? deps.clock)());
    if (!p) return;
    req.principal = p;
    req.authVia = bearer ? 'bearer' : 'cookie';
  });
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema;
    if (schema?.params) req.params = readTextValues(schema.params, req.params);
    if (schema?.querystring) req.query = readTextValues(schema.querystring, req.query);
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.requestSeconds.observe(labels, reply.elapsedTime / 1000);
  });

  await app.register(rootRoutes, { ctx, serveMetrics: deps.serveMetrics === true });
  await app.register(v1Routes, { ctx, prefix: '/api/v1' });
  await app.register(logRoutes, { ctx, prefix: '/log/v1' });
  await app.register(epcisRoutes, { ctx, prefix: '/epcis' });
  if (deps.webRoutes) await deps.webRoutes(app as unknown as Parameters<NonNullable<AppDeps['webRoutes']>>[0]);
  return app;
}

/** A hop count as the function proxy-addr makes of one (fastify's types take no number): trust the nearest `hops` hops. */
function trustProxyOption(setting: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
