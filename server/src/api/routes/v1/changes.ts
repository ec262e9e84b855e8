/**
 * /api/v1/changes: the change feed (records, bags, alerts, manifests) after a cursor, in the caller's scope;
 * /api/v1/subscriptions: webhook subscriptions to it, delivered by server/src/changes/webhooks.ts.
 * docs/interop/changes.md.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { readFeed } from '../../../changes/feed.ts';
import { newSubscriptionSecret } from '../../../changes/webhooks.ts';
import type { Subscription } from '../../../store/index.ts';
import { CHANGE_KINDS } from '../../../store/vocabulary.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { ChangesQuery, ChangesResponse, CreatedSubscriptionSchema, SubscriptionBody, SubscriptionListResponse, SubscriptionParams, SubscriptionViewSchema } from '../../interop-schemas.ts';
import { responses } from '../../schemas.ts';
import { negotiateLocale } from '../../views.ts';

const FEED_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;

function subscriptionView(s: Subscription) {
  return { id: s.id, url: s.url, kinds: [...s.kinds], createdAt: s.createdAt, deliveredThrough: s.deliveredThrough, failures: s.failures, nextAttemptAt: s.nextAttemptAt, lastError: s.lastError };
}

export const changeRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const timeZone = ctx.deps.epcis?.timeZone ?? 'Asia/Shanghai';

  app.get(
    '/changes',
    {
      config: { roles: FEED_ROLES },
      schema: {
        tags: ['changes'],
        summary: 'What changed after the cursor: records (with their EPCIS events), bags, alerts and transfer manifests, in your scope.',
        querystring: ChangesQuery,
        response: responses({ 200: ChangesResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const q = req.query;
      const after = q.after ?? 0;
      if (after > (await ctx.store.lastChangeId())) throw apiError('CURSOR_AHEAD', `cursor ${after} is beyond the newest change: it is not from this server's feed`, { field: 'query.after' });
      return readFeed(ctx, principal(req), { after, limit: q.limit ?? 100, ...(q.kind ? { kinds: q.kind } : {}), locale: negotiateLocale(q.lang, req.headers['accept-language']), timeZone });
    },
  );

  app.post(
    '/subscriptions',
    {
      config: { roles: FEED_ROLES },
      schema: {
        tags: ['changes'],
        summary: 'Subscribe a webhook to the change feed (what your scope sees); the answer shows its signing secret once.',
        body: SubscriptionBody,
        response: responses({ 201: CreatedSubscriptionSchema }, [400, 401, 403]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const b = req.body;
      const last = await ctx.store.lastChangeId();
      if (b.after !== undefined && b.after > last) throw apiError('CURSOR_AHEAD', `cursor ${b.after} is beyond the newest change (${last})`, { field: 'body.after' });
      try {
        new URL(b.url);
      } catch {
        throw apiError('VALIDATION_FAILED', 'body.url is not a URL', { field: 'body.url' });
      }
      const s = await ctx.store.insertSubscription({ userId: p.userId, url: b.url, secret: newSubscriptionSecret(), kinds: b.kinds ?? [...CHANGE_KINDS], createdAt: new Date(ctx.sessionNow()).toISOString(), deliveredThrough: b.after ?? last });
      return reply.code(201).send({ ...subscriptionView(s), secret: s.secret });
    },
  );

  app.get(
    '/subscriptions',
    {
      config: { roles: FEED_ROLES },
      schema: { tags: ['changes'], summary: 'Your webhook subscriptions and how far each has been delivered.', response: responses({ 200: SubscriptionListResponse }, [401, 403]) },
    },
    async (req) => ({ subscriptions: (await ctx.store.subscriptions({ userId: principal(req).userId })).map(subscriptionView) }),
  );

  app.get(
    '/subscriptions/:id',
    {
      config: { roles: FEED_ROLES },
      schema: { tags: ['changes'], summary: 'One of your webhook subscriptions.', params: SubscriptionParams, response: responses({ 200: SubscriptionViewSchema }, [400, 401, 403, 404]) },
    },
    async (req) => subscriptionView(await ownSubscription(principal(req).userId, req.params.id)),
  );

  app.delete(
    '/subscriptions/:id',
    {
      config: { roles: FEED_ROLES },
      schema: { tags: ['changes'], summary: 'Ends one of your webhook subscriptions.', params: SubscriptionParams, response: responses({ 204: Type.Null({ description: 'ended' }) }, [400, 401, 403, 404]) },
    },
    async (req, reply) => {
      const s = await ownSubscription(principal(req).userId, req.params.id);
      await ctx.store.deleteSubscription(s.id);
      return reply.code(204).send(null);
    },
  );

  async function ownSubscription(userId: number, id: number): Promise<Subscription> {
    const s = await ctx.store.subscription(id);
    // Another user's subscription is answered as absent: its existence is not theirs to learn.
    if (!s || s.userId !== userId) throw apiError('SUBSCRIPTION_NOT_FOUND', `you have no subscription ${id}`);
    return s;
  }
};
