/** /api/v1/me: who is signed in, the scope's name, and what the role may see. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { maySeeBags, maySeeIngestStats, userView } from '../../../auth/index.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { MeResponse, responses } from '../../schemas.ts';

export const meRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/me',
    { schema: { tags: ['session'], summary: 'The signed-in user.', response: responses({ 200: MeResponse }, [401]) } },
    async (req) => {
      const p = principal(req);
      const user = await ctx.store.userById(p.userId);
      if (!user) throw apiError('UNAUTHENTICATED', 'the user of this session no longer exists');
      let scopeName: string | null = null;
      if (p.scope !== null) {
        const world = await ctx.world();
        scopeName = world.jurisdictions.find((j) => j.id === p.scope)?.name ?? world.institutions.find((i) => i.id === p.scope)?.name ?? null;
      }
      const bags = maySeeBags(p);
      return {
        user: userView(user),
        scopeName,
        can: { seeBags: bags, seeAlerts: bags, seeDevices: bags, seeIngestStats: maySeeIngestStats(p), exportRegister: bags },
      };
    },
  );
};
