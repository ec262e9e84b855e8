/**
 * /log/v1: the verifiable log in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles, docs/protocol/log.md),
 * anonymous and cacheable, so any tlog client, witness or CDN reads it: the signed checkpoint, the
 * verifier key, tiles of hashes and bundles of entries. Full tiles never change; a partial tile is a
 * prefix of the later full one, served briefly cacheable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseTilePath, TILE_WIDTH } from '@wastetrail/firmware-protocol';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { acceptCosignatures, cosignedNote } from '../../log/cosignatures.ts';
import { entryBundleBytes, tileBytes } from '../../log/tree.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { responses } from '../schemas.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT_LIVED = 'public, max-age=10';
/** A checkpoint with the log's signature and up to MAX_NOTE_SIGNATURES lines is far below this. */
const MAX_COSIGNED_NOTE_BYTES = 64 * 1024;

/** Anyone may read the log, from any origin: it publishes hashes and signatures, no record. */
function publicLog(reply: FastifyReply, cacheControl: string): FastifyReply {
  return reply.header('cache-control', cacheControl).header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
}

export function logPublic(ctx: ApiContext): NonNullable<ApiContext['deps']['log']> {
  if (!ctx.deps.log) throw apiError('NOT_AVAILABLE', 'this server keeps no verifiable log key');
  return ctx.deps.log;
}

export const logRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const anonymous = { anonymous: true } as const;

  app.get(
    '/checkpoint',
    {
      config: anonymous,
      schema: {
        tags: ['log'],
        summary: "The newest signed checkpoint (a C2SP signed note: origin, tree size, root hash, the log's signature, then the witnesses' cosignatures it holds).",
        security: [],
        produces: ['text/plain'],
        response: responses({ 200: Type.String({ description: 'c2sp.org/tlog-checkpoint in a c2sp.org/signed-note' }) }),
      },
    },
    async (_req, reply) => {
      logPublic(ctx);
      const checkpoint = await ctx.store.latestCheckpoint();
      if (!checkpoint) throw apiError('NOT_AVAILABLE', 'the log has signed no checkpoint yet');
      return publicLog(reply, 'no-cache').type('text/plain; charset=utf-8').send(await cosignedNote(ctx.store, checkpoint));
    },
  );

  // Scoped to this plugin: the rest of the API takes JSON only.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: MAX_COSIGNED_NOTE_BYTES }, (_req, body, done) => done(null, body));
  app.post(
    '/cosignature',
    {
      config: anonymous,
      bodyLimit: MAX_COSIGNED_NOTE_BYTES,
      schema: {
        tags: ['log'],
        summary:
          "A witness hands in its cosignature: the body is the checkpoint note as served with the witness's c2sp.org/tlog-cosignature line appended (`wastetrail witness` sends it). Cosignatures by witnesses in verifiableLog.witnesses are verified and kept; the checkpoint is served with them from then on.",
        security: [],
        consumes: ['text/plain'],
        body: Type.String({ description: 'a c2sp.org/signed-note: checkpoint text, blank line, signature lines' }),
        response: responses({ 200: Type.Object({ size: Type.Integer(), witnesses: Type.Array(Type.String(), { description: 'names of the witnesses whose cosignatures were verified and are kept' }) }) }, [400, 403, 409]),
      },
    },
    async (req) => {
      const log = logPublic(ctx);
      const outcome = await acceptCosignatures(ctx.store, log.witnesses ?? [], req.body, ctx.now);
      if (outcome.ok) return { size: outcome.size, witnesses: outcome.witnesses };
      if (outcome.reason === 'invalid') throw apiError('COSIGNATURE_INVALID', `${outcome.error.code}: ${outcome.error.message}`);
      throw apiError(outcome.reason === 'unknown-witness' ? 'UNKNOWN_WITNESS' : 'UNKNOWN_CHECKPOINT', outcome.message);
    },
  );

  app.get(
    '/key',
    {
      config: anonymous,
      schema: {
        tags: ['log'],
        summary: "The log's verifier key (<origin>+<key id>+<base64 key>), for `wastetrail verify --log-key` and tlog clients. Compare it with one obtained another way.",
        security: [],
        produces: ['text/plain'],
        response: responses({ 200: Type.String() }),
      },
    },
    async (_req, reply) => publicLog(reply, 'public, max-age=3600').type('text/plain; charset=utf-8').send(`${logPublic(ctx).verifierKey}\n`),
  );

  app.get(
    '/tile/*',
    {
      config: anonymous,
      schema: {
        tags: ['log'],
        summary: 'tile/<L>/<N>[.p/<W>]: hashes of tree level 8L (32 bytes each); tile/entries/<N>[.p/<W>]: the leaf entries (2-byte length, then record hash || signature).',
        security: [],
        produces: ['application/octet-stream'],
        response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }, [404]),
      },
    },
    async (req, reply) => {
      logPublic(ctx);
      const path = `tile/${(req.params as { '*': string })['*']}`;
      const parsed = parseTilePath(path);
      if (!parsed.ok) throw apiError('LOG_TILE_NOT_FOUND', parsed.error.message);
      const { width } = parsed.value.kind === 'tile' ? parsed.value.tile : parsed.value.bundle;
      const bytes = parsed.value.kind === 'tile' ? await tileBytes(ctx.store, parsed.value.tile) : await entryBundleBytes(ctx.store, parsed.value.bundle);
      if (!bytes) throw apiError('LOG_TILE_NOT_FOUND', `the log does not hold ${path} yet`);
      return publicLog(reply, width === TILE_WIDTH ? IMMUTABLE : SHORT_LIVED)
        .type('application/octet-stream')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
};
