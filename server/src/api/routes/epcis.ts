/**
 * /epcis: a subset of GS1's EPCIS 2.0 REST query binding (docs/interop/epcis.md#query). GET /epcis/events
 * answers an EPCISQueryDocument of the events of the records the caller's scope covers, a page at a
 * time; the next page's URL is in the Link header (rel="next"), its token signed and expiring
 * (GS1-Next-Page-Token-Expires).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSeeDevice } from '../../auth/index.ts';
import { epcisQueryDocument } from '../../interop/epcis.ts';
import { eventPage, parseEventQuery, EVENT_QUERY_PARAMETERS, type EventQueryParameter } from '../../interop/event-query.ts';
import { placesOf } from '../../interop/event-source.ts';
import { readPageToken, signPageToken } from '../../interop/page-token.ts';
import { principal, type ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { EpcisEventsQuery, EpcisQueryDocumentSchema } from '../interop-schemas.ts';
import { requireSessionAndRole } from '../route-access.ts';
import { responses } from '../schemas.ts';

const DEFAULT_TOKEN_TTL_MS = 10 * 60_000;
/** Records looked at for one page at most (a query that matches little answers a short page and a token). */
const MAX_SCAN = 20_000;

export const epcisRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const settings = ctx.deps.epcis ?? {};
  const key = settings.pageTokenKey ?? randomBytes(32);
  const ttlMs = settings.pageTokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  const timeZone = settings.timeZone ?? 'Asia/Shanghai';
  app.addHook('onRequest', requireSessionAndRole);

  app.get(
    '/events',
    {
      config: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] },
      schema: {
        tags: ['epcis'],
        summary: 'EPCIS 2.0 events of the custody records in your scope (GS1 REST binding subset: docs/interop/epcis.md).',
        querystring: EpcisEventsQuery,
        response: responses({ 200: EpcisQueryDocumentSchema }, [400, 401, 403, 410]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const q = req.query as { perPage?: number; nextPageToken?: string } & Partial<Record<EventQueryParameter, string>>;
      const raw: Partial<Record<EventQueryParameter, string>> = {};
      for (const n of EVENT_QUERY_PARAMETERS) if (q[n] !== undefined) raw[n] = q[n];
      const checked = parseEventQuery(raw);
      if (!checked.ok) throw apiError('VALIDATION_FAILED', checked.message, { field: checked.field });
      let after = 0;
      if (q.nextPageToken !== undefined) {
        const t = readPageToken(q.nextPageToken, key, ctx.sessionNow());
        if (!t.ok) throw apiError(t.code, t.message, { field: 'query.nextPageToken' });
        if (t.claims.user !== p.userId) throw apiError('PAGE_TOKEN_INVALID', 'nextPageToken was made for another user', { field: 'query.nextPageToken' });
        // The next page answers the same question: the filters are the first page's (GS1: the URL of rel="next").
        if (t.claims.query !== checked.text) throw apiError('PAGE_TOKEN_INVALID', 'nextPageToken belongs to a query with other parameters: send the URL of the Link header as it is', { field: 'query.nextPageToken' });
        after = t.claims.after;
      }
      const [world, devices] = await Promise.all([ctx.world(), ctx.store.devices()]);
      const places = placesOf(devices);
      const perPage = q.perPage ?? 30;
      const page = await eventPage(ctx.store, checked.query, {
        after,
        perPage,
        visibleDevice: (d) => {
          const place = places.get(d);
          return place !== undefined && canSeeDevice(p, place, world);
        },
        places,
        timeZone,
        maxScan: MAX_SCAN,
      });
      reply.header('GS1-EPCIS-Version', '2.0.0').header('GS1-CBV-Version', '2.0.0');
      if (page.more) {
        const expiresAt = ctx.sessionNow() + ttlMs;
        const token = signPageToken({ user: p.userId, query: checked.text, after: page.after, expiresAt }, key);
        const next = new URLSearchParams({ ...raw, perPage: String(perPage), nextPageToken: token });
        reply.header('Link', `</epcis/events?${next.toString()}>; rel="next"`).header('GS1-Next-Page-Token-Expires', new Date(expiresAt).toISOString());
      }
      return epcisQueryDocument(page.events, new Date(ctx.now()).toISOString());
    },
  );
};
