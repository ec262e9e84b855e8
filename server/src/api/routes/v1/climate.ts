/**
 * /api/v1/institutions/:id/rooms: a hospital's storage rooms with a climate sensor, and one room's
 * readings over a window (docs/transport/storage-climate.md). Seen by the hospital owning the room and
 * by regulators over it; carriers, disposal centres and the public do not see inside a hospital's room.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal, type ApiContext } from '../../context.ts';
import { instantParam, timeZoneParam } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { readInstitution } from '../../institution-access.ts';
import { ClimateRoomsResponse, InstitutionParams, RoomClimateParams, RoomClimateQuery, RoomClimateResponse, responses } from '../../schemas.ts';

const CLIMATE_ROLES = ['regulator', 'institution_admin'] as const;
/** Samples in one answer: a week of one reading a minute. */
export const MAX_CLIMATE_SAMPLES = 10_080;
/** The window when none is asked for. */
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export const climateRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/institutions/:id/rooms',
    {
      config: { roles: CLIMATE_ROLES },
      schema: { tags: ['climate'], summary: "The institution's storage rooms that have a climate sensor, with the time of each one's newest reading.", params: InstitutionParams, response: responses({ 200: ClimateRoomsResponse }, [400, 401, 403, 404]) },
    },
    async (req) => {
      const { inst } = await readInstitution(ctx, principal(req), req.params.id);
      const rooms = (await ctx.store.climateRooms()).filter((r) => r.institution === inst.id);
      return { rooms: rooms.map((r) => ({ room: r.room, lastReadingAt: r.lastTime })) };
    },
  );

  app.get(
    '/institutions/:id/rooms/:room/climate',
    {
      config: { roles: CLIMATE_ROLES },
      schema: {
        tags: ['climate'],
        summary: "A storage room's temperature and humidity readings over a window, oldest first.",
        description: `\`from\`/\`to\`: local days or RFC 3339 instants (\`to\` exclusive; a day counts whole). Default: the 24 h before now. At most ${MAX_CLIMATE_SAMPLES} samples: \`truncated\` says when there were more.`,
        params: RoomClimateParams,
        querystring: RoomClimateQuery,
        response: responses({ 200: RoomClimateResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const { inst } = await readInstitution(ctx, principal(req), req.params.id);
      const q = req.query;
      const tz = timeZoneParam(q.tz);
      const to = q.to !== undefined ? instantParam(q.to, 'query.to', tz, 'to') : new Date(ctx.now()).toISOString();
      const from = q.from !== undefined ? instantParam(q.from, 'query.from', tz, 'from') : new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString();
      if (from >= to) throw apiError('VALIDATION_FAILED', 'query.from must be before query.to', { field: 'query.from' });
      const rows = await ctx.store.climateSamples({ institution: inst.id, room: req.params.room, from, to, limit: MAX_CLIMATE_SAMPLES + 1 });
      const last = (await ctx.store.climateRooms()).find((r) => r.institution === inst.id && r.room === req.params.room);
      return {
        institution: inst.id,
        room: req.params.room,
        from,
        to,
        samples: rows.slice(0, MAX_CLIMATE_SAMPLES).map((r) => ({ time: r.time, temperature: r.temperature, humidity: r.humidity, outdoor: r.outdoor, device: r.device, seq: r.seq })),
        truncated: rows.length > MAX_CLIMATE_SAMPLES,
        lastReadingAt: last?.lastTime ?? null,
      };
    },
  );
};
