/**
 * /api/v1/session: log in (a session cookie for browsers AND a bearer token for scripts, the same
 * token) and log out. Login attempts are limited per client address and username (login-limit.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkPassword, endSession, SESSION_COOKIE, startSession, userView } from '../../../auth/index.ts';
import type { ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { LOGIN_ATTEMPTS, LOGIN_WINDOW_MS, loginLimitKey } from '../../login-limit.ts';
import { LoginBody, responses, SessionResponse } from '../../schemas.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.post(
    '/session',
    {
      config: {
        anonymous: true,
        // After body validation, so the key has the username; before the password is checked.
        rateLimit: { max: LOGIN_ATTEMPTS, timeWindow: LOGIN_WINDOW_MS, hook: 'preHandler', keyGenerator: loginLimitKey },
      },
      schema: {
        tags: ['session'],
        summary: 'Log in: sets an HttpOnly, SameSite=Strict session cookie and returns the same token for `Authorization: Bearer`.',
        description: `At most ${LOGIN_ATTEMPTS} attempts a minute per client address and username (RATE_LIMITED, with Retry-After).`,
        security: [],
        body: LoginBody,
        response: responses({ 200: SessionResponse }, [400, 401, 429]),
      },
    },
    async (req, reply) => {
      const user = await checkPassword(ctx.store, req.body.username, req.body.password);
      if (!user) {
        ctx.metrics.logins.inc({ outcome: 'failure' });
        throw apiError('INVALID_CREDENTIALS', 'unknown username or wrong password');
      }
      ctx.metrics.logins.inc({ outcome: 'success' });
      const session = await startSession(ctx.store, user, ctx.sessionNow());
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        path: '/',
        expires: new Date(session.expiresAt),
      });
      return { token: session.token, expiresAt: session.expiresAt, user: userView(user) };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out: the session ends for the cookie and the token alike.',
        response: responses({ 204: Type.Null() }, [401]),
      },
    },
    async (req, reply) => {
      const bearer = /^Bearer ([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = bearer ?? req.cookies[SESSION_COOKIE];
      if (token) await endSession(ctx.store, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https' });
      return reply.code(204).send(null);
    },
  );
};
