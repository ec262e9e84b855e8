/**
 * /api/v1/alerts: the alert book as people see it: list, one alert, acknowledge, explain, resolve. Texts
 * come in the reader's language (`lang`, else Accept-Language). What an action does is the alert book's
 * decision (alert-actions.ts); here only who may ask: whoever sees the alert (canSeeAlert), for what its
 * rule lets the role do (ALERT_PERMISSIONS).
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Locale } from '../../../rules/messages.ts';
import { alertActionsAllowed, alertActionsNow, jurisdictionSubtree, visibleInstitutionIds, type AlertAction, type Principal, type ScopeWorld } from '../../../auth/index.ts';
import type { Alert, AlertFilter } from '../../../store/index.ts';
// Straight from its module: the store's index also re-exports the PostgreSQL store, which a SQLite server must not load.
import { compareAlerts } from '../../../store/queries/alerts.ts';
import { alertActionsOf, type AlertActionErrorCode, type AlertActionOutcome } from '../../alert-actions.ts';
import { alertVisible } from '../../alert-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { AcknowledgeBody, AlertIdParams, AlertListResponse, AlertQuery, AlertViewSchema, ExplainBody, LangQuery, ResolveBody, responses } from '../../schemas.ts';
import { alertView, negotiateLocale } from '../../views.ts';

const ALERT_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;

export const alertRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const actions = alertActionsOf(ctx.deps);

  const visible = (p: Principal, a: Alert, world: ScopeWorld) => alertVisible(ctx, p, a, world);

  async function visibleAlert(p: Principal, id: number): Promise<Alert> {
    const a = await ctx.store.alert(id);
    if (!a) throw apiError('ALERT_NOT_FOUND', `no alert ${id}`);
    if (!(await visible(p, a, await ctx.world()))) throw apiError('FORBIDDEN', `alert ${id} is outside the scope of ${p.username}`);
    return a;
  }

  /** The alert, if the principal sees it and its rule lets the role take this action. */
  async function actionableAlert(p: Principal, id: number, action: AlertAction): Promise<Alert> {
    const a = await visibleAlert(p, id);
    if (!alertActionsAllowed(p, a.rule).includes(action)) throw apiError('FORBIDDEN', `a ${p.role} user may not ${action} a ${a.rule} alert (docs/server/alerting.md#who-may-act-on-an-alert)`);
    return a;
  }

  type AlertRequest = FastifyRequest<{ Params: { id: number }; Querystring: { lang?: Locale }; Body: { note?: string } }>;
  const view = (p: Principal, a: Alert, req: Pick<AlertRequest, 'query' | 'headers'>) => alertView(a, negotiateLocale(req.query.lang, req.headers['accept-language']), alertActionsNow(p, a));

  /** The handler of an action: the alert seen, the action allowed to the role for its rule, then the book's decision. */
  const act =
    (action: AlertAction, decide: (id: number, by: string, note: string | undefined) => Promise<AlertActionOutcome>) =>
    async (req: AlertRequest) => {
      const p = principal(req);
      await actionableAlert(p, req.params.id, action);
      const outcome = await decide(req.params.id, p.username, req.body.note);
      if (!outcome.ok) throw refusal(outcome.error.code, outcome.error.message);
      return view(p, outcome.alert, req);
    };

  app.get(
    '/alerts',
    {
      config: { roles: ALERT_ROLES },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in the caller\'s scope, by status, severity, rule, institution, bag or device; oldest first, newest first or worst first; `total` counts every page.',
        querystring: AlertQuery,
        response: responses({ 200: AlertListResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const q = req.query;
      const world = await ctx.world();
      const locale = negotiateLocale(q.lang, req.headers['accept-language']);
      const base: AlertFilter = {
        ...(q.status ? { status: q.status } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.rule ? { rule: q.rule } : {}),
        ...(q.institution ? { institution: q.institution } : {}),
        ...(q.bag ? { bag: q.bag } : {}),
        ...(q.device ? { device: q.device } : {}),
      };
      const empty = { alerts: [], total: 0, limit: q.limit, offset: q.offset };
      const page = { order: q.sort, limit: q.limit, offset: q.offset };
      let found: Alert[];
      let total: number;
      if (p.role === 'regulator' || p.role === 'institution_admin') {
        // The store's filter is the whole of what these roles see (canSeeAlert): the jurisdiction
        // subtree, or the institution itself; so the store counts and pages it.
        const filter: AlertFilter = { ...base };
        if (p.role === 'regulator') {
          if (p.scope === null) return empty;
          if (q.institution && !visibleInstitutionIds(p, world).includes(q.institution)) return empty;
          filter.jurisdictions = [...jurisdictionSubtree(p.scope, world.jurisdictions)];
        } else {
          if (q.institution && q.institution !== p.scope) return empty;
          filter.institution = p.scope ?? '';
        }
        [found, total] = await Promise.all([ctx.store.alerts({ ...filter, ...page }), ctx.store.countAlerts(filter)]);
      } else {
        // Routed to the company or centre itself, plus the unresolved alerts about bags it handled
        // (routed to the hospital: a bag missing in transit on its vehicle, say).
        if (q.institution && q.institution !== p.scope) return empty;
        const ownFilter: AlertFilter = { ...base, institution: p.scope ?? '' };
        const own = await ctx.store.alerts({ ...ownFilter, order: q.sort, limit: q.offset + q.limit, offset: 0 });
        const wantsUnresolved = !q.status || q.status.some((st) => st !== 'resolved');
        const aboutTheirBags: Alert[] = [];
        if (wantsUnresolved && !q.institution) {
          for (const a of await ctx.store.unresolvedAlerts()) {
            if (a.bag !== null && a.institution !== p.scope && matches(a, base) && (await visible(p, a, world))) aboutTheirBags.push(a);
          }
        }
        // The two sets never share an alert (routed to the caller, or to another institution).
        total = (await ctx.store.countAlerts(ownFilter)) + aboutTheirBags.length;
        found = [...own, ...aboutTheirBags].sort(compareAlerts(q.sort)).slice(q.offset, q.offset + q.limit);
      }
      return { alerts: found.map((a) => alertView(a, locale, alertActionsNow(p, a))), total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/alerts/:id',
    {
      config: { roles: ALERT_ROLES },
      schema: { tags: ['alerts'], summary: 'One alert.', params: AlertIdParams, querystring: LangQuery, response: responses({ 200: AlertViewSchema }, [400, 401, 403, 404]) },
    },
    async (req) => {
      const p = principal(req);
      return view(p, await visibleAlert(p, req.params.id), req);
    },
  );

  app.post(
    '/alerts/:id/acknowledge',
    {
      config: { roles: ALERT_ROLES },
      // A bare POST (no body) acknowledges without a note.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an open alert: someone is dealing with it, and escalation stops.',
        params: AlertIdParams,
        querystring: LangQuery,
        body: AcknowledgeBody,
        response: responses({ 200: AlertViewSchema }, [400, 401, 403, 404, 409]),
      },
    },
    act('acknowledge', (id, by, note) => actions.acknowledge(id, by, note)),
  );

  app.post(
    '/alerts/:id/resolve',
    {
      config: { roles: ALERT_ROLES },
      schema: {
        tags: ['alerts'],
        summary: 'Resolve an alert with a note saying what was done (an open alert may be resolved directly).',
        params: AlertIdParams,
        querystring: LangQuery,
        body: ResolveBody,
        response: responses({ 200: AlertViewSchema }, [400, 401, 403, 404, 409]),
      },
    },
    act('resolve', (id, by, note) => actions.resolve(id, by, note ?? '')),
  );

  app.post(
    '/alerts/:id/explain',
    {
      config: { roles: ALERT_ROLES },
      schema: {
        tags: ['alerts'],
        summary: "Add a party's explanation to an unresolved alert; its status and escalation do not change.",
        params: AlertIdParams,
        querystring: LangQuery,
        body: ExplainBody,
        response: responses({ 200: AlertViewSchema }, [400, 401, 403, 404, 409]),
      },
    },
    act('explain', (id, by, note) => actions.explain(id, by, note ?? '')),
  );
};

/** An alert against the list filters, for alerts not read through the store's filter. */
function matches(a: Alert, f: AlertFilter): boolean {
  const among = <T>(v: T, want: T | T[] | undefined) => want === undefined || (Array.isArray(want) ? want.includes(v) : want === v);
  return among(a.status, f.status) && among(a.severity, f.severity) && among(a.rule, f.rule) && among(a.bag, f.bag) && among(a.device, f.device);
}

/** The book's refusal as the API error of the same code (NOTE_REQUIRED names the field). */
function refusal(code: AlertActionErrorCode, message: string) {
  return apiError(code, message, code === 'NOTE_REQUIRED' ? { field: 'body.note' } : {});
}
