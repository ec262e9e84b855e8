/**
 * The simulated RS-WS-N01 sensor answers the bytes of the manufacturer's own example exchange, keeps
 * silent on a broken request or another address, and answers bad functions and registers with the
 * exceptions a real one sends.
 */
import { crc16Modbus } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { SensorBus, sensorReply, withCrc } from '../../src/climate/sensor.ts';
import type { SerialEndpoint } from '../../src/serial/endpoint.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** An endpoint in memory: what the host writes goes in with send(), what the bus answers comes out in `out`. */
function memoryBus() {
  let listener: ((b: Buffer) => void) | undefined;
  const out: Buffer[] = [];
  const endpoint: SerialEndpoint = {
    write: async (d) => void out.push(Buffer.from(d)),
    onData: (l) => (listener = l),
    close: async () => {},
  };
  const bus = new SensorBus({ endpoint, replyDelayMs: 0 });
  const send = async (b: Buffer) => {
    listener!(b);
    await new Promise((r) => setTimeout(r, 10));
  };
  return { bus, out, send };
}

describe('Modbus RTU sensor simulator', () => {
  it('CRC-16/MODBUS: the check value and the example request of the sensor manual', () => {
    expect(crc16Modbus(Buffer.from('123456789'))).toBe(0x4b37);
    expect(withCrc([0x01, 0x03, 0x00, 0x00, 0x00, 0x02])).toEqual(hex('01 03 00 00 00 02 C4 0B'));
  });

  it('answers the manual example: 65.8 %RH and -10.1 °C', () => {
    const registers = [658, -101];
    expect(sensorReply(hex('01 03 00 00 00 02 C4 0B'), registers)).toEqual(hex('01 03 04 02 92 FF 9B 5A 3D'));
  });

  it('exceptions: an unknown function (01), registers beyond the map (02)', () => {
    expect(sensorReply(withCrc([1, 0x06, 0, 0, 0, 1]), [1, 2])).toEqual(withCrc([1, 0x86, 1]));
    expect(sensorReply(withCrc([1, 0x03, 0, 1, 0, 2]), [1, 2])).toEqual(withCrc([1, 0x83, 2]));
  });

  it('on the bus: answers its own address only, ignores a broken request, resyncs after noise', async () => {
    const { bus, out, send } = memoryBus();
    const s = bus.add(1, { temperature: 231, humidity: 480 });
    await send(withCrc([2, 3, 0, 0, 0, 2]));
    expect(out).toEqual([]);
    const broken = withCrc([1, 3, 0, 0, 0, 2]);
    broken[7]! ^= 1;
    await send(broken);
    expect(out).toEqual([]);
    // Noise, then a good request split in two chunks.
    const good = withCrc([1, 3, 0, 0, 0, 2]);
    await send(Buffer.concat([hex('FF 00'), good.subarray(0, 3)]));
    await send(good.subarray(3));
    expect(out).toEqual([withCrc([1, 3, 4, 0x01, 0xe0, 0x00, 0xe7])]);
    expect(s.answered).toBe(1);
    expect(bus.badRequests).toBeGreaterThan(0);
  });

  it('faults: silent, a broken CRC, an exception, each for as many requests as asked', async () => {
    const { bus, out, send } = memoryBus();
    const s = bus.add(1);
    const req = withCrc([1, 4, 0, 0, 0, 2]);
    s.fault({ kind: 'silent' }, 2);
    await send(req);
    await send(req);
    expect(out).toHaveLength(0);
    s.fault({ kind: 'bad-crc' });
    await send(req);
    const bad = out.pop()!;
    expect(bad.readUInt16LE(bad.length - 2)).not.toBe(crc16Modbus(bad, 0, bad.length - 2));
    s.fault({ kind: 'exception', code: 4 });
    await send(req);
    expect(out.pop()).toEqual(withCrc([1, 0x84, 4]));
    await send(req);
    expect(out.pop()).toEqual(withCrc([1, 4, 4, 0x02, 0x26, 0x00, 0xb4]));
  });
});
