/**
 * /api/v1/vehicles (the vehicles in scope where they were last, loaded or not: the dashboard's map),
 * /api/v1/vehicles/:plate/track (a vehicle's track over a window: its company and regulators) and
 * /api/v1/transit (the leg that carried a bag, or a manifest's bags: whoever may see the bag). Both give
 * the fixes, door events, stops and positioned transport alerts of trackView.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { canSeeVehicleTrack } from '../../../auth/index.ts';
import { vehicleTrailRecord } from '../../../alerting/transport.ts';
import { projectVehicleTracks } from '../../../custody/vehicle-track.ts';
import type { Alert } from '../../../store/index.ts';
// Straight from its module: the store's index also re-exports the PostgreSQL store, which a SQLite server must not load.
import { vehicleInRecords } from '../../../store/repository.ts';
import { readBag, scopedBagFilter } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { instantParam } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { Code, DayOrInstant, Nullable, responses, TagParam } from '../../schemas.ts';
import { fixView, POSITIONED_RULES, trackView } from '../../track-view.ts';
import { ruleDevices } from '../../../alerting/world.ts';

/** The longest window one request may ask for: a week of 1 Hz fixes is 600 000 points. */
const MAX_WINDOW_MS = 7 * 86_400_000;
/** How far back /vehicles looks for a last fix when the newest track record has none. */
const LAST_FIX_LOOKBACK_MS = 24 * 3_600_000;
/** A leg not yet received is shown up to now, but never longer than this after the pickup. */
const OPEN_LEG_MS = 48 * 3_600_000;

const Degrees = { lat: Type.Number(), lon: Type.Number() };
const LonLat = Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lon, lat] degrees, as GeoJSON' });
const trackFields = {
  vehicle: Type.String(),
  from: Type.String(),
  to: Type.String(),
  points: Type.Array(Type.Object({ at: Type.String(), ...Degrees, speedKmh: Type.Number() })),
  doors: Type.Array(Type.Object({ at: Type.String(), action: Type.Union([Type.Literal('open'), Type.Literal('close')]), lat: Type.Optional(Type.Number()), lon: Type.Optional(Type.Number()), geofence: Type.Optional(Type.String()) })),
  stops: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), minutes: Type.Integer(), ...Degrees, geofence: Type.Optional(Type.String()) })),
  alerts: Type.Array(Type.Object({ id: Type.Integer(), rule: Type.String(), severity: Type.String(), at: Type.String(), ...Degrees, messageKey: Type.String(), params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])) })),
  route: Type.Array(LonLat, { description: "the vehicle's registered route; empty when it has none" }),
  geofences: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), ring: Type.Array(LonLat) })),
};
const TrackResponse = Type.Object(trackFields, { description: 'Positions in WGS-84 degrees; times RFC 3339 UTC.' });
const VehicleListResponse = Type.Object({
  asOf: Type.String(),
  vehicles: Type.Array(
    Type.Object({
      plate: Type.String(),
      company: Type.String({ description: 'the transport company (an institution id)' }),
      companyName: Type.String(),
      lastFix: Nullable(Type.Object({ at: Type.String(), ...Degrees, speedKmh: Type.Number() }, { description: 'the newest fix of its newest track record; null before its station sent a position' })),
      bagsInTransit: Type.Integer({ description: 'bags picked up on it and not received yet' }),
      loaded: Type.Boolean({ description: 'bagsInTransit > 0' }),
    }),
  ),
});
const TransitResponse = Type.Object({ ...trackFields, bag: Type.String(), manifest: Type.Union([Type.String(), Type.Null()]), received: Type.Boolean() });

export const transportRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  /** The vehicle's track from the store, projected, with the transport alerts of its station in the window. */
  const loadTrack = async (vehicle: string, fromMs: number, toMs: number) => {
    const [records, geofences, devices, statuses, routes] = await Promise.all([
      ctx.store.vehicleRecords({ vehicles: [vehicle], from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }),
      ctx.store.geofences(),
      ctx.store.devices(),
      ctx.store.deviceStatuses(),
      ctx.store.vehicleRoutes(),
    ]);
    const byDevice = new Map(ruleDevices(devices, statuses).map((d) => [d.device, d]));
    const track = projectVehicleTracks(records.map((r) => vehicleTrailRecord(r, byDevice))).find((t) => t.vehicle === vehicle);
    const alerts: Alert[] = [];
    if (track) {
      for (const rule of POSITIONED_RULES) alerts.push(...(await ctx.store.alerts({ rule, device: track.device })));
    }
    const inWindow = alerts.filter((a) => Date.parse(a.since) >= fromMs && Date.parse(a.since) <= toMs);
    const route = routes.find((r) => r.plate === vehicle)?.line;
    return trackView(track, { vehicle, fromMs, toMs, geofences, alerts: inWindow, ...(route ? { route } : {}) });
  };

  app.get(
    '/vehicles',
    {
      config: { roles: ['regulator', 'transport'] },
      schema: {
        tags: ['transport'],
        summary: 'The vehicles in scope at their last position, loaded or not.',
        description: "A transport company's own vehicles; a regulator's, those of the companies in its jurisdiction. In plate order.",
        response: responses({ 200: VehicleListResponse }, [401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      const vehicles = (await ctx.store.vehicles()).filter((v) => canSeeVehicleTrack(p, v.company, world)).sort((a, b) => (a.plate < b.plate ? -1 : a.plate > b.plate ? 1 : 0));
      const plates = vehicles.map(vehicleInRecords);
      const [latest, devices, statuses] = await Promise.all([ctx.store.latestVehicleTracks(plates), ctx.store.devices(), ctx.store.deviceStatuses()]);
      const byDevice = new Map(ruleDevices(devices, statuses).map((d) => [d.device, d]));
      const project = (records: typeof latest) => projectVehicleTracks(records.map((r) => vehicleTrailRecord(r, byDevice)));
      const tracks = new Map(project(latest).map((t) => [t.vehicle, t]));
      // A newest span without a fix (a tunnel, a dead receiver): the last fix before it, within LAST_FIX_LOOKBACK_MS.
      for (const t of tracks.values()) {
        if (t.points.length > 0 || t.lastSeenMs === undefined) continue;
        const older = await ctx.store.vehicleRecords({ vehicles: [t.vehicle], from: new Date(t.lastSeenMs - LAST_FIX_LOOKBACK_MS).toISOString(), to: new Date(t.lastSeenMs).toISOString() });
        const found = project(older).find((x) => x.vehicle === t.vehicle);
        if (found) tracks.set(t.vehicle, found);
      }
      const names = new Map(world.institutions.map((i) => [i.id, i.name]));
      return {
        asOf: new Date(ctx.now()).toISOString(),
        vehicles: await Promise.all(
          vehicles.map(async (v) => {
            const plate = vehicleInRecords(v);
            const last = tracks.get(plate)?.points.at(-1);
            const { total } = await ctx.store.searchBags({ vehicles: [plate], states: ['picked-up'], limit: 1 });
            return {
              plate,
              company: v.company,
              companyName: names.get(v.company) ?? v.company,
              lastFix: last ? fixView(last) : null,
              bagsInTransit: total,
              loaded: total > 0,
            };
          }),
        ),
      };
    },
  );

  app.get(
    '/vehicles/:plate/track',
    {
      config: { roles: ['regulator', 'transport'] },
      schema: {
        tags: ['transport'],
        summary: "A vehicle's track over a time window: fixes, cargo door events, stops and the transport alerts with their positions.",
        description: 'The transport company sees its own vehicles, a regulator those of companies in its jurisdiction; hospitals and disposal centres see the legs that carried their bags (GET /api/v1/transit). At most 7 days.',
        params: Type.Object({ plate: Code }),
        querystring: Type.Object({ from: DayOrInstant, to: DayOrInstant }),
        response: responses({ 200: TrackResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const p = principal(req);
      const vehicle = (await ctx.store.vehicles()).find((v) => v.plate === req.params.plate);
      if (!vehicle) throw apiError('VEHICLE_NOT_FOUND', `no registered vehicle has plate ${req.params.plate}`);
      if (!canSeeVehicleTrack(p, vehicle.company, await ctx.world())) throw apiError('FORBIDDEN', `vehicle ${vehicle.plate} is outside the scope of ${p.username}`);
      const fromMs = Date.parse(instantParam(req.query.from, 'query.from', 'Asia/Shanghai', 'from'));
      const toMs = Date.parse(instantParam(req.query.to, 'query.to', 'Asia/Shanghai', 'to'));
      if (toMs < fromMs) throw apiError('VALIDATION_FAILED', 'query.to is before query.from', { field: 'query.to' });
      if (toMs - fromMs > MAX_WINDOW_MS) throw apiError('VALIDATION_FAILED', 'the window is longer than 7 days: ask for less', { field: 'query.to' });
      return loadTrack(vehicle.plate, fromMs, toMs);
    },
  );

  app.get(
    '/transit',
    {
      config: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] },
      schema: {
        tags: ['transport', 'bags'],
        summary: 'The transit leg of a bag, or of a manifest (its first bag the caller may see): the vehicle track from pickup to receipt.',
        description: 'Exactly one of `bag` (a tag, as for /bags/:id) or `manifest`. A leg not received yet runs up to now (at most 48 h after the pickup).',
        querystring: Type.Object({ bag: Type.Optional(TagParam), manifest: Type.Optional(Code) }),
        response: responses({ 200: TransitResponse }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      const { bag, manifest } = req.query;
      if ((bag === undefined) === (manifest === undefined)) throw apiError('VALIDATION_FAILED', 'give exactly one of bag or manifest', { field: 'query' });
      let tag = bag;
      if (manifest !== undefined) {
        const filter = await scopedBagFilter(ctx, p, { manifest, limit: 1, offset: 0 }, world);
        const found = filter ? (await ctx.store.searchBags(filter)).bags[0] : undefined;
        if (!found) throw apiError('TRANSIT_NOT_FOUND', `no bag you may see travelled on manifest ${manifest}`);
        tag = found.bag;
      }
      const loaded = await readBag(ctx, p, tag!, world);
      const steps = loaded.trail.steps;
      const pickup = steps.find((s) => s.step === 'picked-up' && (manifest === undefined || s.manifest === manifest));
      if (!pickup?.vehicle) throw apiError('TRANSIT_NOT_FOUND', `bag ${loaded.trail.bag} was never picked up by a vehicle`);
      const received = steps.find((s) => s.step === 'received' && Date.parse(s.time) >= Date.parse(pickup.time));
      const fromMs = Date.parse(pickup.time);
      const toMs = received ? Date.parse(received.time) : Math.min(ctx.now(), fromMs + OPEN_LEG_MS);
      const view = await loadTrack(pickup.vehicle, fromMs, Math.max(fromMs, toMs));
      return { ...view, bag: loaded.trail.bag, manifest: pickup.manifest ?? null, received: received !== undefined };
    },
  );
};
