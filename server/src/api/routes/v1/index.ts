/**
 * /api/v1: every route needs a session unless its config says `anonymous`, and a role in its
 * `roles` when it names some. Both are checked before the request is validated, so an anonymous or
 * wrong-role caller learns nothing from validation errors. Scope (which institution, which bag) is
 * checked in the handlers, which know what is asked for.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireSessionAndRole } from '../../route-access.ts';
import type { ApiContext } from '../../context.ts';
import { alertRoutes } from './alerts.ts';
import { bagRoutes } from './bags.ts';
import { climateRoutes } from './climate.ts';
import { dashboardRoutes } from './dashboard.ts';
import { changeRoutes } from './changes.ts';
import { deviceRoutes } from './devices.ts';
import { ingestRoutes } from './ingest.ts';
import { institutionRoutes } from './institutions.ts';
import { labelRoutes } from './labels.ts';
import { logProofRoutes } from './log.ts';
import { manifestRoutes } from './manifests.ts';
import { meRoutes } from './me.ts';
import { registerRoutes } from './register.ts';
import { sessionRoutes } from './session.ts';
import { staffRoutes } from './staff.ts';
import { supervisionRoutes } from './supervision.ts';
import { tagRoutes } from './tags.ts';
import { transportRoutes } from './transport.ts';

export const v1Routes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireSessionAndRole);
  for (const routes of [sessionRoutes, meRoutes, bagRoutes, tagRoutes, labelRoutes, alertRoutes, institutionRoutes, climateRoutes, deviceRoutes, ingestRoutes, registerRoutes, supervisionRoutes, logProofRoutes, manifestRoutes, transportRoutes, changeRoutes, staffRoutes, dashboardRoutes]) {
    await app.register(routes, { ctx });
  }
};
