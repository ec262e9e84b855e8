/**
 * A storage station with its room sensor: the simulated RS-WS-N01 on a real pty, the agent reading it
 * through modbus-serial, batching the readings into signed `climate` records in its outbox, and the
 * server's test double (Mosquitto on loopback) verifying every one of them against the record format.
 * A sensor that stops answering shows up as failed polls in the records; the station keeps polling.
 */
import { join } from 'node:path';
import { decodeRecordBytes, fromUtf8, type EventBody } from '@wastetrail/firmware-protocol';
import { createCapturingLogger } from '@wastetrail/runtime';
import { openPtyDevice, SensorBus } from '@wastetrail/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent.ts';
import { parseConfig } from '../../src/config/config.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { FakeServer } from '../support/fake-server.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';
import { simulatedDevices, stationConfig } from '../support/station-rig.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Climate = EventBody<'climate'>;

describe('storage station climate records', () => {
  it('signs batches of readings, counts failed polls in them, keeps polling, and signs the last batch on stop', async () => {
    const id = testIdentity(['storage']);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const { keyFile } = writeIdentityFiles(id, t.dir);
    const devices = await simulatedDevices();
    cleanups.push(() => devices.close());
    const pty = await openPtyDevice({ baudRate: 4800 });
    const bus = new SensorBus({ endpoint: pty.endpoint, replyDelayMs: 2 });
    cleanups.push(() => bus.close());
    const room = bus.add(1, { temperature: 172, humidity: 530 });
    const server = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring });
    cleanups.push(() => server.close());
    const base = stationConfig({ deviceId: id.deviceId, keyFile, dataDir: join(t.dir, 'data'), scalePath: devices.scalePty.devicePath, readerPath: devices.readerPty.devicePath, mqttUrl: 'mqtt://127.0.0.1:1883' });
    const config = parseConfig(
      {
        ...base,
        site: 'STORE-1',
        station: { ...base.station, role: 'storage' },
        serial: { ...base.serial, climate: { path: pty.devicePath, unit: 1, intervalSeconds: 5, samplesPerRecord: 3, replyTimeoutMs: 150 } },
      },
      t.dir,
    );
    expect(config.serial?.climate).toMatchObject({ baudRate: 4800, parity: 'none', unit: 1, samplesPerRecord: 3 });
    // The schema's shortest interval is 5 s; the test polls five times a second.
    config.serial!.climate!.intervalSeconds = 0.2;
    const agent = await startAgent(config, { logger: createCapturingLogger('warn') });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : agent.stop()));

    const climateBodies = () =>
      agent.outbox
        .range(1, 1000, 1000)
        .filter((r) => r.type === 'climate')
        .map((r) => (JSON.parse(fromUtf8(r.bytes)!) as { body: Climate }).body);
    await waitFor(() => climateBodies().length >= 1, 'a first climate record', 10_000);
    room.fault({ kind: 'silent' }, 2);
    await waitFor(() => climateBodies().some((b) => b.failed > 0), 'a record with failed polls', 10_000);
    room.temperature = 215;
    await waitFor(() => climateBodies().some((b) => b.samples.some((s) => s.temperature === 215)), 'the warmer reading', 10_000);

    const bodies = climateBodies();
    expect(bodies[0]).toMatchObject({ room: 'STORE-1', unit: 1 });
    expect(bodies[0]!.samples.map((s) => [s.temperature, s.humidity])).toEqual(bodies[0]!.samples.map(() => [172, 530]));
    // Every poll is accounted for: 3 a record, readings plus failures.
    for (const b of bodies) expect(b.samples.length + b.failed).toBe(3);
    const sensor = agent.devices.climate!;
    // The two polls the sensor did not answer (and any made before the port was open, on a busy machine).
    expect(sensor.stats.failures.TIMEOUT).toBe(2);
    const times = bodies.flatMap((b) => b.samples.map((s) => Date.parse(s.time)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The kiosk's list of custody steps is not flooded with climate batches.
    expect(agent.outbox.recentCustody(8)).toEqual([]);

    stopped = true;
    await agent.stop();
    // Every poll the sensor answered is a sample in a signed record, the batch not yet full included.
    const outbox = new Outbox(join(t.dir, 'data', 'outbox.sqlite'), { deviceId: id.deviceId });
    cleanups.push(() => outbox.close());
    const all = outbox.range(1, 10_000, 10_000);
    const final = all.filter((r) => r.type === 'climate').map((r) => decodeRecordBytes(r.bytes)).map((d) => (d.ok ? (d.value.body as Climate) : undefined));
    expect(final).not.toContain(undefined);
    expect(final.reduce((n, b) => n + b!.samples.length, 0)).toBe(room.answered);
    expect(final.reduce((n, b) => n + b!.failed, 0)).toBe(Object.values(sensor.stats.failures).reduce((a, b) => a + b, 0));
    // The server's double verified the signatures and bodies of what it got, and refused nothing.
    await waitFor(() => server.accepted.filter((r) => r.record.type === 'climate').length >= bodies.length, 'the server to have the climate records', 10_000);
    expect(server.rejected).toEqual([]);
  });
});
