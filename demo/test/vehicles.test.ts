/**
 * The demo's vehicle stations end to end: each demo vehicle carries a real edge agent in the vehicle role,
 * fed by the simulated GNSS receiver and cargo module (in-process ports) driving its rounds on the demo's
 * clock. With the dump-detour and scrapyard-stop incidents, the server's rules must catch the detour
 * (route deviation and the door opened, near the dump site) and the stop (abnormal stop, at the
 * scrapyard) from the signed records; and the transport company's login must see a real track on the
 * transit leg of one of its pickups.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { placeOf, planGeography, type LonLat } from '@wastetrail/simulators';
import { startDemo, type RunningDemo } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wastetrail-demo-vehicles-'));
let demo: RunningDemo | undefined;
afterAll(async () => {
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Metres between an alert's "lat,lon" position and a place (flat earth: a few hundred metres at most). */
function metresFrom(position: string | number | undefined, place: LonLat): number {
  const [lat, lon] = String(position).split(',').map(Number) as [number, number];
  return Math.hypot((lat - place[1]) * 111_320, (lon - place[0]) * 111_320 * Math.cos((place[1] * Math.PI) / 180));
}

describe('the demo vehicles', () => {
  it('drive their rounds as real vehicle stations: the dump detour and the scrapyard stop are caught where they happen, and the transport login sees a track', async () => {
    const log: string[] = [];
    demo = await startDemo({ dataDir: dir, institutions: 3, speed: 2400, seed: 3, incidents: ['dump-detour', 'scrapyard-stop'], bagsPerWard: { min: 2, max: 3 }, log: (l) => log.push(l) });
    const { layout, server } = demo;
    const trackers = layout.transport.vehicles.map((v) => v.tracker.deviceId);
    expect(trackers).toEqual(['t01-v1-gnss', 't01-v2-gnss']);
    expect(layout.stations.filter((s) => s.role === 'vehicle').map((s) => s.deviceId)).toEqual(trackers);
    const geography = planGeography(layout);
    const dump = placeOf(geography, 'dump').position;
    const scrapyard = placeOf(geography, 'scrapyard').position;

    const transportAlerts = async () => (await server.store.alerts({})).filter((a) => ['route-deviation', 'door-opened', 'abnormal-stop'].includes(a.rule));
    const alerts = await waitFor(
      async () => {
        const found = await transportAlerts();
        const near = (rule: string, place: LonLat) => found.some((a) => a.rule === rule && metresFrom(a.params.position, place) < 100);
        return near('route-deviation', dump) && near('door-opened', dump) && near('abnormal-stop', dump) && near('abnormal-stop', scrapyard) ? found : undefined;
      },
      'the transport alerts',
      150_000,
    ).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}; alerts: ${JSON.stringify((await transportAlerts()).map((a) => [a.rule, a.params]))}; incidents: ${log.filter((l) => l.startsWith('incident')).join(' / ')}`);
    });
    const [v1, v2] = layout.transport.vehicles as [(typeof layout.transport.vehicles)[0], (typeof layout.transport.vehicles)[0]];
    // The detour: the first vehicle off its route and its door opened, both at the dump site (GNSS noise and the lane aside).
    if (process.env.DEBUG_DEMO) console.info(alerts.map((a) => `${a.rule} ${a.params.vehicle} ${a.params.position} (dump ${Math.round(metresFrom(a.params.position, dump))} m, scrapyard ${Math.round(metresFrom(a.params.position, scrapyard))} m)`).join('\n'));
    const of = (rule: string, plate: string) => alerts.filter((a) => a.rule === rule && a.params.vehicle === plate);
    const door = alerts.filter((a) => a.rule === 'door-opened');
    expect(door).toHaveLength(1);
    expect(door[0]!.params.vehicle).toBe(v1.plate);
    expect(door[0]!.device).toBe(v1.tracker.deviceId);
    expect(metresFrom(door[0]!.params.position, dump)).toBeLessThan(100);
    // Off the route: on the way to the lane (the detour leaves the route at once) and at the dump.
    expect(of('route-deviation', v1.plate).map((a) => metresFrom(a.params.position, dump)).some((m) => m < 100)).toBe(true);
    expect(of('abnormal-stop', v1.plate).map((a) => metresFrom(a.params.position, dump)).some((m) => m < 100)).toBe(true);
    // The stop: the second vehicle parked at the scrapyard (off its route too); no door opened there.
    expect(of('abnormal-stop', v2.plate).map((a) => metresFrom(a.params.position, scrapyard)).some((m) => m < 100)).toBe(true);
    expect(log.some((l) => l.startsWith(`incident dump-detour: ${v1.plate}`))).toBe(true);
    expect(log.some((l) => l.startsWith(`incident scrapyard-stop: ${v2.plate}`))).toBe(true);

    // The transport company's login opens the transit leg of a bag one of its vehicles picked up and sees the track.
    const pickup = await waitFor(async () => (await server.store.recordsOfDevice(v2.station.deviceId, 1, 10_000)).find((r) => r.type === 'picked-up'), 'a pickup', 30_000);
    const tag = (pickup.body as { bags: { tag: string }[] }).bags[0]!.tag;
    const login = await fetch(new URL('/api/v1/session', demo.httpUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo-transport', password: 'demo-pass-transport' }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const transit = await waitFor(
      async () => {
        const res = await fetch(new URL(`/api/v1/transit?bag=${encodeURIComponent(tag)}`, demo!.httpUrl), { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { vehicle?: string; points?: unknown[]; doors?: { action: string }[] };
        return res.status === 200 && (body.points?.length ?? 0) > 10 ? body : undefined;
      },
      `the transit leg of ${tag} with a track`,
      30_000,
    );
    expect(transit.vehicle).toBe(v2.plate);

    // Four simulated hours after the stop began, every tick's 3-hour track window has cut into it: the
    // stop at the scrapyard is still one alert (each cut used to file it again under a later start).
    const stopFrom = Math.min(...of('abnormal-stop', v2.plate).filter((a) => metresFrom(a.params.position, scrapyard) < 100).map((a) => Date.parse(String(a.params.from))));
    await waitFor(async () => (demo!.progress().simTime > stopFrom + 4 * 3_600_000 ? true : undefined), 'four simulated hours after the stop', 60_000);
    const atScrapyard = (await transportAlerts()).filter((a) => a.rule === 'abnormal-stop' && a.params.vehicle === v2.plate && metresFrom(a.params.position, scrapyard) < 100);
    expect(atScrapyard.map((a) => a.params.from)).toHaveLength(1);
  }, 300_000);
});
