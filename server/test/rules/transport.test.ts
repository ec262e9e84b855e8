/**
 * The vehicle rules on small hand-made tracks, for the cases a simulated month does not reach: the
 * edges of each threshold, fixes and doors inside geofences, a door with no fix, a vehicle that is not
 * loaded, a vehicle with no registered route, thresholds per jurisdiction, and both languages.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRules, renderAlertMessage, ruleConfig, type TransportContext, type VehicleTrack } from '../../src/rules/index.ts';
import { at, INSTITUTIONS, iso, MIN, TRANSPORT } from './support.ts';

const T0 = at('2026-03-03T01:00:00.000Z');
const PLATE = '浙A27819';
/** A route due north along lon 120.16 from 30.24 to 30.30; a depot yard around its south end. */
const ROUTE: [number, number][] = [[120.16, 30.24], [120.16, 30.3]];
const DEPOT: [number, number][] = [[120.158, 30.238], [120.162, 30.238], [120.162, 30.242], [120.158, 30.242], [120.158, 30.238]];
/** 1e-5 degrees of longitude at 30.25°N is about 0.96 m. */
const EAST_M = 1 / 0.96;

let seq = 0;
const ref = () => ({ device: 't001-v1', seq: ++seq, hash: 'a'.repeat(64) });
/** A fix every minute at these (metres east of the route, metres north of 30.25) offsets. */
function track(offsets: [east: number, north: number][], extra: Partial<VehicleTrack> = {}): VehicleTrack {
  return {
    vehicle: PLATE,
    institution: TRANSPORT,
    device: 't001-v1',
    points: offsets.map(([e, n], i) => ({ atMs: T0 + i * MIN, lat: Math.round(30_250_000 + n * 9), lon: Math.round(120_160_000 + e * 10 * EAST_M), speed: 300, record: ref() })),
    doors: [],
    lastSeenMs: T0 + offsets.length * MIN,
    ...extra,
  };
}
const context = (tracks: VehicleTrack[], routes = [{ vehicle: PLATE, line: ROUTE }]): TransportContext => ({ tracks, routes, geofences: [{ id: 'depot', kind: 'depot', institution: TRANSPORT, ring: DEPOT }] });
const judge = (transport: TransportContext, o: { nowMs?: number; rules?: string[]; config?: ReturnType<typeof ruleConfig> } = {}) =>
  evaluateRules({ nowMs: o.nowMs ?? T0 + 2 * 3_600_000, config: o.config ?? ruleConfig(), institutions: INSTITUTIONS, transport, rules: (o.rules ?? ['route-deviation', 'abnormal-stop', 'door-opened', 'vehicle-silent']) as never }).candidates;
/** n fixes heading north 500 m a minute, this many metres east of the route. */
const driving = (n: number, east: number, from = 0): [number, number][] => Array.from({ length: n }, (_, i) => [east, (from + i) * 500]);

describe('route deviation', () => {
  it('fires for 3 minutes at more than 100 m, not for 2 minutes, nor at 90 m however long', () => {
    const off = judge(context([track([...driving(2, 0), ...driving(4, 250, 2), ...driving(2, 0, 6)])]), { rules: ['route-deviation'] });
    expect(off).toHaveLength(1);
    expect(off[0]).toMatchObject({ rule: 'route-deviation', severity: 'critical', institution: TRANSPORT, device: 't001-v1', subject: `vehicle:${PLATE}@${iso(T0 + 2 * MIN)}`, params: { minutes: 3, limitMetres: 100, limitMinutes: 3 } });
    expect(off[0]!.params.metres).toBeGreaterThan(240);
    expect(off[0]!.params.metres).toBeLessThan(260);
    expect(off[0]!.evidence.length).toBeGreaterThanOrEqual(2);
    expect(judge(context([track([...driving(2, 0), ...driving(3, 250, 2), ...driving(2, 0, 5)])]), { rules: ['route-deviation'] })).toEqual([]);
    expect(judge(context([track(driving(10, 90))]), { rules: ['route-deviation'] })).toEqual([]);
  });

  it('gives two episodes two alerts, ignores fixes in a geofence, and judges no vehicle without a route', () => {
    const twice = judge(context([track([...driving(4, 300), ...driving(2, 0, 4), ...driving(4, 300, 6)])]), { rules: ['route-deviation'] });
    expect(twice.map((c) => c.subject)).toEqual([`vehicle:${PLATE}@${iso(T0)}`, `vehicle:${PLATE}@${iso(T0 + 6 * MIN)}`]);
    // An hour in a yard whose fence lies 50-240 m east of the route's line, 150 m off it: never a deviation.
    const inDepot = track(Array.from({ length: 60 }, () => [150, -1000]));
    const fencedDepot: TransportContext = { ...context([inDepot]), geofences: [{ id: 'depot', kind: 'depot', institution: TRANSPORT, ring: [[120.1605, 30.2405], [120.1625, 30.2405], [120.1625, 30.2415], [120.1605, 30.2415], [120.1605, 30.2405]] }] };
    expect(judge(fencedDepot, { rules: ['route-deviation'] })).toEqual([]);
    expect(judge(context([track(driving(10, 500))], []), { rules: ['route-deviation'] })).toEqual([]);
  });

  it("takes a jurisdiction's own limits", () => {
    const strict = ruleConfig({ jurisdictions: { '330100': { routeDeviation: { metres: 50, minutes: 1 } } } });
    expect(judge(context([track([...driving(2, 70), ...driving(2, 0, 2)])]), { rules: ['route-deviation'], config: strict })).toHaveLength(1);
    expect(judge(context([track([...driving(2, 70), ...driving(2, 0, 2)])]), { rules: ['route-deviation'] })).toEqual([]);
  });
});

describe('abnormal stop', () => {
  it('fires for 10 minutes within 50 m outside every geofence, with the position, and not for 9', () => {
    const parked = (minutes: number) => track([...driving(3, 0), ...Array.from({ length: minutes + 1 }, (_, i): [number, number] => [i % 2 ? 20 : -20, 1500 + (i % 3) * 10]), ...driving(3, 0, 5)]);
    const stop = judge(context([parked(10)]), { rules: ['abnormal-stop'] });
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({ rule: 'abnormal-stop', params: { minutes: 10, limitMinutes: 10, vehicle: PLATE } });
    expect(String(stop[0]!.params.position)).toMatch(/^30\.2635\d\d,120\.1597\d\d$/);
    expect(renderAlertMessage('abnormal-stop', stop[0]!.params, 'zh-CN')).toContain(`车辆 ${PLATE} 自 ${iso(T0 + 3 * MIN)} 起在 ${stop[0]!.params.position} 停留 10 分钟`);
    expect(judge(context([parked(9)]), { rules: ['abnormal-stop'] })).toEqual([]);
  });

  it('a tick whose window cuts into a stop or a deviation an earlier tick filed does not file it again under a later start', () => {
    // Parked 40 minutes, then 5 minutes 300 m off the route: each filed once, named by when it began.
    const parkedThenOff = track([...driving(3, 0), ...Array.from({ length: 41 }, (_, i): [number, number] => [i % 2 ? 20 : -20, 1500]), ...driving(5, 300, 4)]);
    const all = judge(context([parkedThenOff]), { rules: ['abnormal-stop', 'route-deviation'] });
    expect(all.map((c) => c.subject).sort()).toEqual([`vehicle:${PLATE}@${iso(T0 + 3 * MIN)}`, `vehicle:${PLATE}@${iso(T0 + 44 * MIN)}`]);
    // A later tick: its window begins 20 minutes into the stop, and its tracks reach further back.
    expect(judge({ ...context([parkedThenOff]), judgedFromMs: T0 + 23 * MIN }, { rules: ['abnormal-stop', 'route-deviation'] }).map((c) => c.subject)).toEqual([`vehicle:${PLATE}@${iso(T0 + 44 * MIN)}`]);
    // Why the tracks reach back past judgedFromMs: cut exactly there, the stop would look new, from the cut.
    const cut = { ...parkedThenOff, points: parkedThenOff.points.filter((p) => p.atMs >= T0 + 23 * MIN) };
    expect(judge({ ...context([cut]), judgedFromMs: T0 + 23 * MIN }, { rules: ['abnormal-stop'] }).map((c) => c.subject)).toEqual([`vehicle:${PLATE}@${iso(T0 + 23 * MIN)}`]);
  });

  it('does not fire for an hour in the depot yard', () => {
    const inDepot = track(Array.from({ length: 61 }, () => [0, -1000]));
    expect(judge(context([inDepot]), { rules: ['abnormal-stop'] })).toEqual([]);
  });
});

describe('door opened', () => {
  const door = (position: { lat: number; lon: number } | undefined, action: 'open' | 'close' = 'open') => ({ atMs: T0 + 5 * MIN, action, ...(position ? { position } : {}), record: ref() });

  it('fires outside the geofences, with the position, and without one when there was no fix yet', () => {
    const found = judge(context([track(driving(10, 0), { doors: [door({ lat: 30_260_000, lon: 120_160_000 }), door(undefined), door({ lat: 30_260_000, lon: 120_160_000 }, 'close')] })]), { rules: ['door-opened'] });
    expect(found.map((c) => c.params.position)).toEqual(['30.260000,120.160000', '-']);
    expect(found[0]!.message).toBe(`The cargo door of vehicle ${PLATE} was opened at ${iso(T0 + 5 * MIN)} at 30.260000,120.160000, outside any hospital, disposal centre or depot.`);
  });

  it('does not fire in a geofence', () => {
    expect(judge(context([track(driving(3, 0), { doors: [door({ lat: 30_240_000, lon: 120_160_000 })] })]), { rules: ['door-opened'] })).toEqual([]);
  });
});

describe('vehicle silent while loaded', () => {
  it('needs bags on board: an empty vehicle may be switched off', () => {
    const dark = track(driving(5, 0));
    expect(judge(context([dark]), { nowMs: dark.lastSeenMs! + 3_600_000, rules: ['vehicle-silent'] })).toEqual([]);
  });
});
