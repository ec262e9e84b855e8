/**
 * /api/v1/log: proofs from the verifiable log (docs/protocol/log.md), anonymous like the tiles they could
 * be computed from: inclusion of a leaf in a tree size, consistency between two sizes. Sizes default to
 * the newest signed checkpoint's, the one a client holds; hashes are base64, leaf side first.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatTlogProof, toBase64 } from '@wastetrail/firmware-protocol';
import { Type } from 'typebox';
import { consistencyProofOf, inclusionProofOf } from '../../../log/tree.ts';
import type { ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { responses } from '../../schemas.ts';
import { logPublic } from '../log.ts';

const TreeSize = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));
const Hashes = Type.Array(Type.String({ description: 'base64 of a 32-byte hash' }), { description: 'RFC 9162 proof hashes, leaf side first' });

const InclusionQuery = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: 'the leaf index (a bundle names each record\'s)' }),
    size: TreeSize("the tree size to prove inclusion in; default: the newest checkpoint's"),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('tlog-proof')], { description: 'json (default), or the c2sp.org/tlog-proof text with the newest checkpoint (then size, if given, must be its size)' })),
  },
  { additionalProperties: false },
);
const InclusionResponse = Type.Object({ index: Type.Integer(), size: Type.Integer(), hashes: Hashes });

const ConsistencyQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, description: 'the older tree size (a checkpoint the client holds)' }),
    to: TreeSize("the newer tree size; default: the newest checkpoint's"),
  },
  { additionalProperties: false },
);
const ConsistencyResponse = Type.Object({ from: Type.Integer(), to: Type.Integer(), hashes: Hashes });

export const logProofRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  /** The newest checkpoint's size and note, and how far the stored tree reaches. */
  const logState = async () => {
    logPublic(ctx);
    const [checkpoint, stored] = await Promise.all([ctx.store.latestCheckpoint(), ctx.store.logSize()]);
    return { checkpoint, stored };
  };
  const within = (size: number, stored: number, field: string) => {
    if (size > stored) throw apiError('LOG_RANGE_INVALID', `the log holds ${stored} leaves, not ${size}`, { field });
  };

  app.get(
    '/log/inclusion',
    {
      config: { anonymous: true },
      schema: {
        tags: ['log'],
        summary: 'An inclusion proof: leaf `index` is in the tree of `size` leaves.',
        security: [],
        querystring: InclusionQuery,
        response: responses({ 200: InclusionResponse }, [400]),
      },
    },
    async (req, reply) => {
      const { index, format } = req.query;
      const { checkpoint, stored } = await logState();
      const size = req.query.size ?? checkpoint?.size ?? 0;
      within(size, stored, 'size');
      if (index >= size) throw apiError('LOG_RANGE_INVALID', `leaf ${index} is not in a tree of ${size} leaves${req.query.size === undefined ? ' (the newest checkpoint\'s)' : ''}`, { field: 'index' });
      const hashes = await inclusionProofOf(ctx.store, index, size);
      if (format === 'tlog-proof') {
        if (!checkpoint || checkpoint.size !== size) throw apiError('LOG_RANGE_INVALID', `a tlog-proof is against the newest checkpoint (size ${checkpoint?.size ?? 0}); leave size out`, { field: 'size' });
        return reply.type('text/plain; charset=utf-8').send(formatTlogProof({ index, proof: hashes, checkpoint: checkpoint.note }));
      }
      return { index, size, hashes: hashes.map(toBase64) };
    },
  );

  app.get(
    '/log/consistency',
    {
      config: { anonymous: true },
      schema: {
        tags: ['log'],
        summary: 'A consistency proof: the tree of `to` leaves extends the tree of `from` leaves (empty when they are equal).',
        security: [],
        querystring: ConsistencyQuery,
        response: responses({ 200: ConsistencyResponse }, [400]),
      },
    },
    async (req) => {
      const { from } = req.query;
      const { checkpoint, stored } = await logState();
      const to = req.query.to ?? checkpoint?.size ?? 0;
      within(to, stored, 'to');
      if (from > to) throw apiError('LOG_RANGE_INVALID', `the log never shrinks: no proof from ${from} leaves to ${to}`, { field: 'from' });
      return { from, to, hashes: (await consistencyProofOf(ctx.store, from, to)).map(toBase64) };
    },
  );
};
