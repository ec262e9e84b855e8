/**
 * The dump detour through the real serial stack: the demo city's first vehicle drives its round with the
 * detour, its GNSS receiver speaking NMEA and its cargo module $PWTIO on two ptys (socat), a real vehicle
 * station (the edge agent) reading them and signing into its outbox; the records, exactly as signed, go
 * through the server's projection and rules. Route deviation and the door opened at the dump, with
 * positions, come out of bytes, not of hand-made tracks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVehicleAgent, parseConfig, type VehicleAgent } from '@wastetrail/edge-agent';
import { ed25519KeyPairFromSeed, ed25519Signer, fromUtf8, seededRandom, type CustodyEvent, type CustodyRecord } from '@wastetrail/firmware-protocol';
import { createCapturingLogger } from '@wastetrail/runtime';
import { evaluateRules, projectVehicleTracks, ruleConfig, type TrailRecord } from '@wastetrail/server';
import { CargoIoSimulator, dailyRound, GnssSimulator, openPtyDevice, placeOf, planCity, planGeography, playTrip, tripFixes, type PtyDevice } from '@wastetrail/simulators';
import { afterAll, describe, expect, it } from 'vitest';
import { transportReference } from '../src/transport.ts';

const layout = planCity({ institutions: 6, seed: 7 });
const geography = planGeography(layout);
const vehicle = layout.transport.vehicles[0]!;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the dump detour on ptys', () => {
  it('reads the NMEA and door bytes into signed records that raise route deviation and door opened at the dump', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-vehicle-pty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const gnssPty: PtyDevice = await openPtyDevice({ baudRate: 9600 });
    const cargoPty: PtyDevice = await openPtyDevice({ baudRate: 9600 });
    cleanups.push(() => gnssPty.endpoint.close(), () => cargoPty.endpoint.close());
    const start = Date.parse('2026-03-02T00:30:00.000Z');
    let clock = start;
    const config = parseConfig({
      deviceId: vehicle.tracker.deviceId,
      keyFile: join(dir, 'unused.key'),
      institution: layout.transport.id,
      station: { role: 'vehicle' },
      vehicle: { plate: vehicle.plate, gnss: { path: gnssPty.devicePath }, cargo: { path: cargoPty.devicePath }, trackSeconds: 60 },
      // Nobody listens there: the records stay in the outbox, which is what is read.
      mqtt: { url: 'mqtt://127.0.0.1:9', auth: { mode: 'none' }, reconnect: { minMs: 1000, maxMs: 5000 } },
      heartbeatMinutes: 0,
      dataDir: join(dir, 'data'),
      log: { level: 'warn' },
    });
    const agent: VehicleAgent = await startVehicleAgent(config, { logger: createCapturingLogger(), signer: ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(7)).privateKeyPem), wallClock: () => clock });
    cleanups.push(() => agent.stop());
    await waitFor(() => agent.devices.gnss.connected && agent.devices.cargo?.connected === true, 'ports open');

    const random = seededRandom(5);
    const trip = tripFixes(dailyRound(geography, { plate: vehicle.plate, random, incident: 'dump-detour' }), { startMs: start, stepSeconds: 5, random, jitterM: 8 });
    const gnss = new GnssSimulator(gnssPty.endpoint);
    const cargo = new CargoIoSimulator(cargoPty.endpoint, { tenthsC: 80 });
    let doorsSigned = 0;
    let fixesWritten = 0;
    const counted = { epoch: (e: Parameters<GnssSimulator['epoch']>[0]) => (fixesWritten++, gnss.epoch(e)) };
    await playTrip(trip, { gnss: counted, cargo }, {
      // Two ptys are two queues: the door goes once the station has read the fixes before it (under load
      // the door line would overtake them, and the door record would carry an older position).
      beforeDoor: async (atMs) => {
        await waitFor(() => agent.devices.gnss.counters.fixes === fixesWritten, 'the fixes before the door read');
        clock = atMs;
      },
      afterDoor: () => waitFor(() => agent.outbox.range(1, 100_000, 100_000).filter((r) => r.type === 'door').length === doorsSigned + 1, 'the door record').then(() => void doorsSigned++),
    });
    await waitFor(() => agent.devices.gnss.counters.fixes === trip.fixes.length, `all ${trip.fixes.length} fixes read`);
    clock = trip.endMs;
    agent.flush();

    // The outbox's records, exactly as signed, as the server's projection takes them.
    const records: TrailRecord[] = agent.outbox.range(1, 100_000, 100_000).map((r) => {
      const rec = JSON.parse(fromUtf8(r.bytes)!) as CustodyRecord;
      return { device: rec.device, seq: rec.seq, hash: r.hash, time: rec.time, institution: layout.transport.id, stations: ['vehicle'], event: { type: rec.type, body: rec.body } as CustodyEvent };
    });
    const fixes = records.flatMap((r) => (r.event.type === 'track' ? r.event.body.fixes : []));
    expect(fixes).toHaveLength(trip.fixes.length);
    expect(records.filter((r) => r.event.type === 'door').map((r) => (r.event.body as { action: string }).action)).toEqual(['open', 'close', 'open', 'close']);

    const found = evaluateRules({
      nowMs: trip.endMs + 60_000,
      config: ruleConfig(),
      institutions: [{ id: layout.transport.id, jurisdiction: ['330100'], mobile: true }],
      transport: { tracks: projectVehicleTracks(records), ...transportReference(geography) },
      rules: ['route-deviation', 'door-opened', 'abnormal-stop'],
    }).candidates;
    expect(found.map((c) => c.rule).sort()).toEqual(['abnormal-stop', 'door-opened', 'route-deviation']);
    const dump = placeOf(geography, 'dump').position;
    for (const c of found) {
      const [lat, lon] = String(c.params.position).split(',').map(Number) as [number, number];
      expect(Math.hypot((lat - dump[1]) * 111_320, (lon - dump[0]) * 96_000), c.rule).toBeLessThan(60);
    }
    expect(agent.devices.gnss.counters.dropped).toBe(0);
  }, 120_000);
});
