/** /api/v1/tags/:tag: a bag's trail by any of its tags, as a reader saw it (epc:<hex> or qr:<label>). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readBag } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { responses, TagParams, TrailResponse } from '../../schemas.ts';
import { trailAnswer } from '../../trail-log.ts';

export const tagRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/tags/:tag',
    {
      config: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] },
      schema: {
        tags: ['bags'],
        summary: 'The trail of the bag that carries this tag.',
        params: TagParams,
        response: responses({ 200: TrailResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const world = await ctx.world();
      const loaded = await readBag(ctx, principal(req), req.params.tag, world);
      return trailAnswer(ctx, world, loaded);
    },
  );
};
