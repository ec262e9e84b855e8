import { MtSicsReplyParser, Xk3190Parser, type MtSicsReply, type ScaleReading } from '@wastetrail/firmware-protocol';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ScaleSimulator } from '../../src/scale/simulator.ts';
import { attachMockDevice } from '../../src/serial/mock.ts';
import type { SerialEndpoint } from '../../src/serial/endpoint.ts';

const PATH = '/dev/ttyMOCK-scale';
let port: SerialPortMock | undefined;
let endpoint: SerialEndpoint | undefined;

afterEach(async () => {
  await endpoint?.close();
  if (port?.isOpen) await new Promise((r) => port!.close(r));
  SerialPortMock.binding.reset();
  port = endpoint = undefined;
});

function openHost(): SerialPortMock {
  SerialPortMock.binding.createPort(PATH, { echo: false, record: true });
  return new SerialPortMock({ path: PATH, baudRate: 9600 });
}

/** Collects decoded messages from the host port until `count` have arrived. */
function collect<T>(p: SerialPortMock, parse: (b: Buffer) => T[], count: number): Promise<T[]> {
  const got: T[] = [];
  return new Promise((resolve) => {
    p.on('data', (b: Buffer) => {
      got.push(...parse(b));
      if (got.length >= count) resolve(got);
    });
  });
}

describe('attachMockDevice (binding-mock)', () => {
  it('a host program asks an MT-SICS scale for its weight', async () => {
    port = openHost();
    endpoint = attachMockDevice(port); // before 'open': hooks in when the port opens
    const clock = new ManualClock();
    const sim = new ScaleSimulator({ protocol: 'mt-sics', endpoint, clock, model: { settleMs: 0 } });
    sim.start();
    await sim.run([{ op: 'put', grams: 2500 }]);

    const parser = new MtSicsReplyParser();
    const replies = collect<MtSicsReply>(port, (b) => parser.push(b), 2);
    await new Promise((r) => port!.once('open', r));
    port.write('S\r\nI4\r\n');
    const [weight, serial] = await replies;
    expect(weight).toMatchObject({ kind: 'weight', reading: { state: 'stable', grams: 2500 } });
    expect(serial).toMatchObject({ kind: 'done', id: 'I4', values: ['WT-SIM-0001'] });
    expect(port.port!.recording.toString()).toBe('S\r\nI4\r\n');
    sim.stop();
  });

  it('an XK3190 streams to a port attached after it opened', async () => {
    port = openHost();
    await new Promise((r) => port!.once('open', r));
    endpoint = attachMockDevice(port);
    const clock = new ManualClock();
    const sim = new ScaleSimulator({ protocol: 'xk3190', endpoint, clock, intervalMs: 100, model: { settleMs: 0 } });
    await sim.run([{ op: 'put', grams: 20_000 }]);
    const parser = new Xk3190Parser();
    const frames = collect<ScaleReading>(port, (b) => parser.push(b), 5);
    sim.start();
    await clock.advance(400);
    expect((await frames).map((r) => r.grams)).toEqual([20_000, 20_000, 20_000, 20_000, 20_000]);
    sim.stop();
  });

  it('refuses a port that is not a mock', () => {
    const fake = { isOpen: true, port: {}, once: () => undefined };
    expect(() => attachMockDevice(fake)).toThrow(TypeError);
  });

  it('writes after detaching fail instead of reaching the host', async () => {
    port = openHost();
    await new Promise((r) => port!.once('open', r));
    endpoint = attachMockDevice(port);
    await endpoint.close();
    await expect(endpoint.write(Uint8Array.of(1))).rejects.toThrow(/detached/);
  });
});
