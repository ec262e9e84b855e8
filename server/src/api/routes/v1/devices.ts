/** /api/v1/devices: the devices in the caller's scope, with their keys and last known status. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSeeDevice } from '../../../auth/index.ts';
import { principal, type ApiContext } from '../../context.ts';
import { apiError } from '../../errors.ts';
import { DeviceListResponse, DeviceParams, DeviceQuery, DeviceViewSchema, responses } from '../../schemas.ts';
import { deviceView } from '../../views.ts';

const DEVICE_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;

export const deviceRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/devices',
    {
      config: { roles: DEVICE_ROLES },
      schema: {
        tags: ['devices'],
        summary: "Devices in the caller's scope, in id order, by institution and state, a page at a time: stations, keys (revoked ones too), and status (online/offline, last seen, backlog, acknowledged seq).",
        querystring: DeviceQuery,
        response: responses({ 200: DeviceListResponse }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const q = req.query;
      const world = await ctx.world();
      const statuses = new Map((await ctx.store.deviceStatuses()).map((s) => [s.device, s]));
      // Registered devices are counted in hundreds, not millions: filtered and paged here, in id order.
      const devices = (await ctx.store.devices())
        .filter((d) => (q.institution === undefined || d.institution === q.institution) && (q.state === undefined || statuses.get(d.id)?.state === q.state) && canSeeDevice(p, d, world))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { devices: devices.slice(q.offset, q.offset + q.limit).map((d) => deviceView(d, statuses.get(d.id))), total: devices.length, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/devices/:id',
    {
      config: { roles: DEVICE_ROLES },
      schema: { tags: ['devices'], summary: 'One device and its status.', params: DeviceParams, response: responses({ 200: DeviceViewSchema }, [400, 401, 403, 404]) },
    },
    async (req) => {
      const p = principal(req);
      const device = (await ctx.store.devices()).find((d) => d.id === req.params.id);
      if (!device) throw apiError('DEVICE_NOT_FOUND', `no device ${req.params.id}`);
      if (!canSeeDevice(p, device, await ctx.world())) throw apiError('FORBIDDEN', `device ${device.id} is outside the scope of ${p.username}`);
      return deviceView(device, await ctx.store.deviceStatus(device.id));
    },
  );
};
