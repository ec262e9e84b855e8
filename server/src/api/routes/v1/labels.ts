/**
 * /api/v1/labels/:label: a bag's trail by the text printed on its label (typed in, or scanned). A
 * wastetrail label (WT1....) is checked first, so a mistyped character or two swapped ones are caught
 * by its check character (LABEL_INVALID) instead of finding nothing; any other label text is looked up
 * as the QR tag it is.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeBagLabel, TAG_ID_PATTERN } from '@wastetrail/firmware-protocol';
import { readBag } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { LabelParams, responses, TrailResponse } from '../../schemas.ts';
import { trailAnswer } from '../../trail-log.ts';

export const labelRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/labels/:label',
    {
      config: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] },
      schema: {
        tags: ['bags'],
        summary: 'The trail of the bag whose QR label reads this text.',
        params: LabelParams,
        response: responses({ 200: TrailResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const text = req.params.label.trim();
      const decoded = decodeBagLabel(text);
      if (!decoded.ok && decoded.error.code !== 'NOT_A_LABEL') {
        throw apiError('LABEL_INVALID', `label ${text}: ${decoded.error.message}`, { field: 'params.label' });
      }
      const tag = `qr:${text}`;
      if (!TAG_ID_PATTERN.test(tag)) throw apiError('LABEL_INVALID', `label ${text} holds characters no QR tag can (printable ASCII without spaces)`, { field: 'params.label' });
      const world = await ctx.world();
      const loaded = await readBag(ctx, principal(req), tag, world);
      return trailAnswer(ctx, world, loaded);
    },
  );
};
