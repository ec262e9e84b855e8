/**
 * The vehicle station end to end on real pseudo-terminals: a simulated GNSS receiver and cargo I/O
 * module (socat ptys, opened by the agent with the real serialport binding), the durable outbox, and the
 * uplink to the broker on 127.0.0.1:1883 through a proxy that can be down for a whole day of driving.
 */
import { join } from 'node:path';
import { type DecodedRecord, type EventBody } from '@wastetrail/firmware-protocol';
import { createCapturingLogger } from '@wastetrail/runtime';
import { CargoIoSimulator, GnssSimulator, openPtyDevice, type PtyDevice } from '@wastetrail/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.ts';
import { startVehicleAgent, type VehicleAgent } from '../../src/vehicle/agent.ts';
import { FakeServer } from '../support/fake-server.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

const PLATE = '浙A27819';
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function vehicle(mqttUrl: string, trackSeconds = 60) {
  const identity = testIdentity(['vehicle']);
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const files = writeIdentityFiles(identity, dir.dir);
  const gnssPty: PtyDevice = await openPtyDevice({ baudRate: 9600 });
  const cargoPty: PtyDevice = await openPtyDevice({ baudRate: 9600 });
  cleanups.push(() => gnssPty.endpoint.close(), () => cargoPty.endpoint.close());
  const config = parseConfig({
    deviceId: identity.deviceId,
    keyFile: files.keyFile,
    institution: 'hz-t01',
    station: { role: 'vehicle' },
    vehicle: { plate: PLATE, gnss: { path: gnssPty.devicePath }, cargo: { path: cargoPty.devicePath }, trackSeconds, temperatureSeconds: 1 },
    mqtt: { url: mqttUrl, auth: { mode: 'none' }, reconnect: { minMs: 50, maxMs: 300 }, keepaliveSeconds: 10, connectTimeoutSeconds: 5 },
    heartbeatMinutes: 0,
    dataDir: join(dir.dir, 'data'),
    log: { level: 'warn' },
  });
  const log = createCapturingLogger();
  const agent: VehicleAgent = await startVehicleAgent(config, { logger: log });
  cleanups.push(() => agent.stop());
  const server = await FakeServer.start({ deviceId: identity.deviceId, keyring: identity.keyring });
  cleanups.push(() => server.close());
  await waitFor(() => agent.devices.gnss.connected && agent.devices.cargo!.connected === true, 'ports open');
  return { agent, server, gnss: new GnssSimulator(gnssPty.endpoint), cargo: new CargoIoSimulator(cargoPty.endpoint, { tenthsC: 45 }), log };
}

/** Heading north-east from the depot at about 36 km/h (10 m/s): 1e-4 degrees of latitude is about 11 m. */
const epochAt = (second: number) => ({ atMs: T0 + second * 1000, lat: 30.25 + second * 0.00009, lon: 120.16 + second * 0.00001, speedKmh: 36, satellites: 10 });

const bodies = <T extends 'track' | 'door'>(records: DecodedRecord[], type: T) => records.filter((r) => r.record.type === type).map((r) => r.record.body as EventBody<T>);

describe('vehicle station on ptys', () => {
  it('signs a minute of fixes as one track record, counts the tunnel, and skips bad sentences', async () => {
    const { agent, server, gnss, cargo } = await vehicle('mqtt://127.0.0.1:1883');
    await cargo.send();
    for (let s = 0; s < 30; s++) await gnss.epoch(epochAt(s));
    // A tunnel: the receiver keeps talking, with no fix, for ten seconds.
    for (let s = 30; s < 40; s++) await gnss.epoch({ atMs: T0 + s * 1000 });
    // Line noise: a bad checksum and a sentence cut in two by a reconnect, then good ones again.
    await gnss.raw('$GNGGA,084100.00,3015.000000,N,12009.600000,E,1,09,0.9,12.0,M,7.0,M,,*00\r\n');
    for (let s = 40; s < 61; s++) await gnss.epoch(epochAt(s));
    await server.untilHead(1);
    const [track] = bodies(server.accepted, 'track');
    expect(track!.vehicle).toBe(PLATE);
    expect(track!.fixes).toHaveLength(50);
    expect(track!.fixes[0]).toEqual({ at: '2026-03-02T08:00:00.000Z', lat: 30_250_000, lon: 120_160_000, speed: 360, quality: 'gps', satellites: 10 });
    expect(track!.fixes.at(-1)!.at).toBe('2026-03-02T08:00:59.000Z');
    expect(track!.noFix).toBe(10);
    expect(track!.temperatures[0]!.value).toBe(45);
    expect(agent.devices.gnss.counters.dropped).toBeGreaterThanOrEqual(1);
    expect(server.rejected).toEqual([]);
  });

  it('signs the door opening and closing with the last position', async () => {
    const { agent, server, gnss, cargo } = await vehicle('mqtt://127.0.0.1:1883');
    await cargo.send();
    for (let s = 0; s < 5; s++) await gnss.epoch(epochAt(s));
    await waitFor(() => agent.devices.gnss.counters.fixes === 5, 'five fixes');
    await cargo.door('open');
    await cargo.door('close');
    await waitFor(() => server.accepted.length >= 2, 'two door records');
    const doors = bodies(server.accepted, 'door');
    expect(doors.map((d) => [d.action, d.position])).toEqual([
      ['open', { lat: 30_250_360, lon: 120_160_040 }],
      ['close', { lat: 30_250_360, lon: 120_160_040 }],
    ]);
    expect(server.accepted.map((r) => r.record.type)).toEqual(['door', 'door']);
  });

  it('offline for a day of driving: delivers the whole track, in order, when back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 }, false);
    cleanups.push(() => proxy.close());
    const { agent, server, gnss } = await vehicle(proxy.url, 600);
    // 24 h at one fix every 10 s of receiver time (8640 epochs, ~1.3 MB of NMEA): 144 spans of 10 min.
    const DAY_SECONDS = 86_400;
    for (let s = 0; s < DAY_SECONDS; s += 10) await gnss.epoch({ ...epochAt(s % 3600), atMs: T0 + s * 1000 });
    await gnss.epoch({ ...epochAt(0), atMs: T0 + DAY_SECONDS * 1000 });
    await waitFor(() => agent.outbox.head().seq >= 144, '144 track records in the outbox', 60_000);
    expect(server.messages).toBe(0);
    expect(agent.uplink.status().state).not.toBe('connected');
    proxy.up();
    await server.untilHead(144);
    const tracks = bodies(server.accepted, 'track');
    expect(tracks).toHaveLength(144);
    expect(tracks.flatMap((t) => t.fixes).length).toBe(DAY_SECONDS / 10);
    const times = tracks.flatMap((t) => t.fixes.map((f) => Date.parse(f.at)));
    expect(times[0]).toBe(T0);
    expect(times.at(-1)).toBe(T0 + (DAY_SECONDS - 10) * 1000);
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === 10_000)).toBe(true);
    expect(server.rejected).toEqual([]);
  }, 120_000);
});
