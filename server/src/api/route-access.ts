/**
 * Who may call a route, checked before the request is even validated (so an anonymous or wrong-role
 * caller learns nothing from validation errors): a session unless the route's config says `anonymous`,
 * and one of its `roles` when it names some. /api/v1 and /epcis share it.
 */
import type { FastifyRequest } from 'fastify';
import { apiError } from './errors.ts';

export async function requireSessionAndRole(req: FastifyRequest): Promise<void> {
  const config = req.routeOptions.config;
  if (config.anonymous) return;
  if (!req.principal) throw apiError('UNAUTHENTICATED', 'log in first (POST /api/v1/session), then send the session cookie or Authorization: Bearer <token>');
  if (config.roles && !config.roles.includes(req.principal.role)) {
    throw apiError('FORBIDDEN', `a ${req.principal.role} user may not ${req.method} ${req.routeOptions.url}`);
  }
}
