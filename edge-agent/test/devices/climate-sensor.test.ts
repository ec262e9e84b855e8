/**
 * The climate sensor shell through the real serial stack: modbus-serial over our SerialLink on a real
 * pseudo-terminal, the simulated RS-WS-N01 sensors on the other end. Real RTU frames both ways, and the
 * ugly cases: no reply, a broken CRC, an exception, an impossible reading, the outdoor probe missing.
 * Each poll ends in one reading or one failure with its code, and the next poll works again.
 */
import { openPtyDevice, SensorBus, type PtyDevice, type SimulatedSensor } from '@wastetrail/simulators';
import { createCapturingLogger } from '@wastetrail/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClimateConfig } from '../../src/config/config.ts';
import { ClimateSensor, type ClimateFailure, type ClimateReading } from '../../src/devices/climate-sensor.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(config: Partial<ClimateConfig> = {}) {
  const pty: PtyDevice = await openPtyDevice({ baudRate: 4800 });
  const bus = new SensorBus({ endpoint: pty.endpoint, replyDelayMs: 2 });
  cleanups.push(() => bus.close());
  const room = bus.add(1, { temperature: 183, humidity: 612 });
  const readings: ClimateReading[] = [];
  const failures: ClimateFailure[] = [];
  let wall = Date.parse('2026-07-20T01:00:00.000Z');
  const sensor = new ClimateSensor({
    // A long interval: the test polls by hand, one poll after the other.
    config: { path: pty.devicePath, baudRate: 4800, dataBits: 8, parity: 'none', stopBits: 1, unit: 1, intervalSeconds: 3600, samplesPerRecord: 10, replyTimeoutMs: 300, ...config },
    logger: createCapturingLogger(),
    wall: () => (wall += 60_000),
    onReading: (r) => readings.push(r),
    onFailure: (f) => failures.push(f),
  });
  sensor.start();
  cleanups.push(() => sensor.close());
  await waitFor(() => sensor.connected, 'port open');
  return { bus, room, sensor, readings, failures };
}

describe('climate sensor over Modbus RTU on a pty', () => {
  it('reads humidity and temperature in tenths from registers 0 and 1, below zero too', async () => {
    const { room, sensor, readings, failures } = await rig();
    await sensor.poll();
    room.temperature = -52;
    room.humidity = 1000;
    await sensor.poll();
    expect(failures).toEqual([]);
    expect(readings.map((r) => [r.temperature, r.humidity])).toEqual([
      [183, 612],
      [-52, 1000],
    ]);
    expect(readings[0]!.outdoor).toBeUndefined();
    expect(readings[1]!.at - readings[0]!.at).toBe(60_000);
    expect(room.answered).toBe(2);
  });

  it('no reply: TIMEOUT after replyTimeoutMs, and the next poll reads again', async () => {
    const { room, sensor, readings, failures } = await rig();
    room.fault({ kind: 'silent' });
    const t0 = performance.now();
    await sensor.poll();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(failures.map((f) => [f.code, f.unit])).toEqual([['TIMEOUT', 1]]);
    expect(readings).toEqual([]);
    await sensor.poll();
    expect(readings.map((r) => r.temperature)).toEqual([183]);
    expect(sensor.stats.failures.TIMEOUT).toBe(1);
  });

  it('a reply with a broken CRC is refused (BAD_CRC), never read as a temperature', async () => {
    const { room, sensor, readings, failures } = await rig();
    room.temperature = 260;
    room.fault({ kind: 'bad-crc' }, 2);
    await sensor.poll();
    await sensor.poll();
    await sensor.poll();
    expect(failures.map((f) => f.code)).toEqual(['BAD_CRC', 'BAD_CRC']);
    expect(readings.map((r) => r.temperature)).toEqual([260]);
  });

  it('an exception response names the exception code; a wrong register map is an exception too', async () => {
    const { room, sensor, readings, failures } = await rig();
    room.fault({ kind: 'exception', code: 4 });
    await sensor.poll();
    expect(failures).toMatchObject([{ code: 'EXCEPTION', unit: 1, exception: 4 }]);
    await sensor.poll();
    expect(readings).toHaveLength(1);
  });

  it('a sensor at another address than configured: every poll times out, none is read', async () => {
    const { sensor, readings, failures } = await rig({ unit: 7 });
    await sensor.poll();
    await sensor.poll();
    expect(failures.map((f) => [f.code, f.unit])).toEqual([
      ['TIMEOUT', 7],
      ['TIMEOUT', 7],
    ]);
    expect(readings).toEqual([]);
  });

  it('an impossible reading (a broken probe reports 0x7FFF) is OUT_OF_RANGE, not 3276.7 °C', async () => {
    const { room, sensor, readings, failures } = await rig();
    room.temperature = 0x7fff;
    await sensor.poll();
    expect(failures.map((f) => f.code)).toEqual(['OUT_OF_RANGE']);
    expect(readings).toEqual([]);
  });

  it('the outdoor probe on the same bus: its temperature rides with the room reading, and its failure only leaves it out', async () => {
    const { bus, sensor, readings, failures } = await rig({ outdoorUnit: 2 });
    const outdoor: SimulatedSensor = bus.add(2, { temperature: 318, humidity: 400 });
    await sensor.poll();
    outdoor.fault({ kind: 'silent' });
    await sensor.poll();
    expect(readings.map((r) => [r.temperature, r.outdoor])).toEqual([
      [183, 318],
      [183, undefined],
    ]);
    expect(failures).toEqual([]);
    expect(sensor.stats.failures.TIMEOUT).toBe(1);
  });
});
