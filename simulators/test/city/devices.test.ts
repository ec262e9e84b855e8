/**
 * A station's simulated devices on in-process mock ports: the host opens the paths through the
 * factory, the scale streams the load put on it, the reader answers inventories with what is in its
 * field, a port closed and opened again by the host still reaches the same device, and a badge taken
 * away is only put back once the host has had time to notice it left.
 */
import { ChafonFrameParser, ChafonInventoryAssembler, encodeChafonInventoryCommand, epcFromBadgeId, toHex, Xk3190Parser, type ScaleReading } from '@wastetrail/firmware-protocol';
import type { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { MockSerialPorts, StationDevices } from '../../src/city/devices.ts';
import { CITY_STATION_TIMING } from '../../src/city/station.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(ports: MockSerialPorts, path: string, baudRate: number): Promise<SerialPortMock> {
  const port = ports.createPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(() => new Promise((r) => (port.isOpen ? port.close(() => r(undefined)) : r(undefined))));
  return port;
}

function scaleReadings(port: SerialPortMock): ScaleReading[] {
  const parser = new Xk3190Parser();
  const readings: ScaleReading[] = [];
  port.on('data', (chunk: Buffer) => {
    readings.push(...parser.push(chunk));
  });
  return readings;
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('station devices on mock ports', () => {
  it('the scale streams the load; a port reopened by the host reaches the same scale', async () => {
    const ports = new MockSerialPorts();
    const devices = await StationDevices.open('h01-icu', { kind: 'mock', ports }, CITY_STATION_TIMING);
    cleanups.push(() => devices.close());
    const first = await open(ports, devices.scalePath, 9600);
    const readings = scaleReadings(first);
    await devices.put(2350);
    await until(() => readings.some((r) => r.grams === 2350), 'the bag on the scale');

    await new Promise((r) => first.close(r));
    const second = await open(ports, devices.scalePath, 9600);
    const again = scaleReadings(second);
    await devices.clear();
    await until(() => again.some((r) => r.grams === 0), 'the empty scale on the reopened port');
  });

  it('the reader answers inventories with the field; a badge comes back only once it was forgotten', async () => {
    const ports = new MockSerialPorts();
    const devices = await StationDevices.open('h01-store', { kind: 'mock', ports }, CITY_STATION_TIMING);
    cleanups.push(() => devices.close());
    const port = await open(ports, devices.readerPath, 57_600);
    const parser = new ChafonFrameParser();
    const assembler = new ChafonInventoryAssembler('plain');
    const inventories: string[][] = [];
    port.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        const r = assembler.push(frame);
        if (r?.ok) inventories.push(r.value.tags.map((t) => toHex(t.epc)));
      }
    });
    const poll = setInterval(() => port.write(Buffer.from(encodeChafonInventoryCommand(255))), CITY_STATION_TIMING.rfidPollMs);
    cleanups.push(async () => clearInterval(poll));

    const badge = epcFromBadgeId('giai:6923456.1001')!;
    await devices.enter(badge, 'badge');
    await until(() => inventories.at(-1)?.includes(toHex(badge)) === true, 'the badge in the field');
    await devices.leave(badge);
    const left = performance.now();
    const seen = inventories.length;
    await devices.enter(badge, 'badge');
    expect(performance.now() - left).toBeGreaterThanOrEqual(CITY_STATION_TIMING.rfidLostAfterMs);
    // In between, inventories without the badge were answered.
    expect(inventories.slice(seen).filter((tags) => !tags.includes(toHex(badge))).length).toBeGreaterThanOrEqual(2);
  });
});
