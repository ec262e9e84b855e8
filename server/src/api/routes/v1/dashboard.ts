/**
 * /api/v1/dashboard/daily: the city dashboard's trends, counted in SQL over the caller's institutions
 * (a regulator's jurisdiction; an institution admin's own institution): per local day, kg sealed
 * against kg received, alerts opened by level, and the daily control index with its parts, for the
 * city and for each institution. docs/web.md#the-daily-control-index defines the index.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { jurisdictionSubtree, visibleInstitutionIds } from '../../../auth/index.ts';
import { ALERT_CLOSE_HOURS, CONTROL_INDEX_WEIGHTS } from '../../../dashboard/control-index.ts';
import { dailyView } from '../../../dashboard/daily.ts';
import { DEFAULT_THRESHOLDS } from '../../../rules/config.ts';
import { offsetMs } from '../../../rules/local-time.ts';
import { principal, type ApiContext } from '../../context.ts';
import { DEFAULT_TIME_ZONE, shiftDay, todayIn } from '../../days.ts';
import { Nullable, responses } from '../../schemas.ts';

export const DEFAULT_DASHBOARD_DAYS = 30;
export const MAX_DASHBOARD_DAYS = 90;

const Share = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const figures = {
  bags: Type.Integer(),
  sealedGrams: Type.Integer(),
  received: Type.Integer({ description: 'of the bags sealed that day, those weighed in at disposal' }),
  receivedGrams: Type.Integer(),
  alertsOpened: Type.Object({ critical: Type.Integer(), warning: Type.Integer(), info: Type.Integer() }, { description: 'alerts opened that day, by their severity when opened' }),
  handoverDue: Type.Integer({ description: 'bags handed over, or sealed longer ago than the handover limit' }),
  handedOverInTime: Type.Integer(),
  weighed: Type.Integer({ description: 'bags weighed at sealing and at disposal' }),
  reconciled: Type.Integer({ description: 'of those, the ones whose weights agree within the tolerance' }),
  closeDue: Type.Integer({ description: 'alerts resolved, or opened longer ago than the closing limit' }),
  closedInTime: Type.Integer(),
  control: Type.Object(
    { index: Nullable(Type.Number({ minimum: 0, maximum: 100 })), handover: Share, weight: Share, alerts: Share },
    { description: 'the control index (0-100) and its parts (shares 0-1); null where nothing is due yet' },
  ),
};
const Day = Type.Object({ day: Type.String(), ...figures });
const Series = { days: Type.Array(Day, { description: 'every day of the window, oldest first' }), window: Type.Object(figures, { description: 'the whole window' }) };

const DailyResponse = Type.Object({
  from: Type.String(),
  to: Type.String({ description: "today, in the time zone (the server's clock)" }),
  timeZone: Type.String(),
  asOf: Type.String(),
  thresholds: Type.Object({ handoverHours: Type.Number(), weightPercent: Type.Number(), weightMinGrams: Type.Number(), alertCloseHours: Type.Number() }),
  weights: Type.Object({ handover: Type.Number(), weight: Type.Number(), alerts: Type.Number() }),
  city: Type.Object(Series),
  institutions: Type.Array(Type.Object({ institution: Type.String(), name: Type.String(), ...Series })),
});

export const dashboardRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/dashboard/daily',
    {
      config: { roles: ['regulator', 'institution_admin'] },
      schema: {
        tags: ['dashboard'],
        summary: "Per local day over the caller's institutions: kg sealed and received, alerts opened by level, and the daily control index.",
        description: `\`days\`: the window ending today (default ${DEFAULT_DASHBOARD_DAYS}, at most ${MAX_DASHBOARD_DAYS}). Bags count on their sealing day, alerts on the day they were opened.`,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DASHBOARD_DAYS })) }, { additionalProperties: false }),
        response: responses({ 200: DailyResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      const now = ctx.now();
      const timeZone = DEFAULT_TIME_ZONE;
      const to = todayIn(timeZone, now);
      const from = shiftDay(to, -((req.query.days ?? DEFAULT_DASHBOARD_DAYS) - 1));
      const ids = visibleInstitutionIds(p, world);
      const jurisdictions = p.role === 'regulator' && p.scope !== null ? [...jurisdictionSubtree(p.scope, world.jurisdictions)] : [];
      const thresholds = {
        handoverHours: DEFAULT_THRESHOLDS.storageOverdue.criticalHours,
        weightPercent: DEFAULT_THRESHOLDS.weightDiscrepancy.percent,
        weightMinGrams: DEFAULT_THRESHOLDS.weightDiscrepancy.minGrams,
        alertCloseHours: ALERT_CLOSE_HOURS,
      };
      const counted = await ctx.store.dailyFigures({
        institutions: ids,
        jurisdictions,
        fromDay: from,
        toDay: to,
        utcOffsetMinutes: Math.round(offsetMs(now, timeZone) / 60_000),
        nowIso: new Date(now).toISOString(),
        handoverHours: thresholds.handoverHours,
        weightTolerance: { percent: thresholds.weightPercent, minGrams: thresholds.weightMinGrams },
        alertCloseHours: thresholds.alertCloseHours,
      });
      const days = Array.from({ length: req.query.days ?? DEFAULT_DASHBOARD_DAYS }, (_, k) => shiftDay(from, k));
      const view = dailyView(counted, days, ids);
      const names = new Map(world.institutions.map((i) => [i.id, i.name]));
      return {
        from,
        to,
        timeZone,
        asOf: new Date(now).toISOString(),
        thresholds,
        weights: { ...CONTROL_INDEX_WEIGHTS },
        city: view.city,
        institutions: view.institutions.map((i) => ({ ...i, name: names.get(i.institution) ?? i.institution })),
      };
    },
  );
};
