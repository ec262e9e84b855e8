/**
 * End to end on a real pseudo-terminal pair: the simulator holds one end, the test opens the other
 * with the real serialport binding (as the edge agent opens /dev/ttyUSB0) and reads it with the
 * firmware-protocol stream parsers.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { MtSicsReplyParser, StabilityDetector, Xk3190Parser, encodeMtSicsCommand, type MtSicsReply } from '@wastetrail/firmware-protocol';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaleSimulator } from '../src/scale/simulator.ts';
import { openPtyDevice, type PtyDevice } from '../src/serial/pty.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openHost(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return port;
}

async function device(): Promise<PtyDevice> {
  const d = await openPtyDevice({ baudRate: 9600 });
  cleanups.push(() => d.endpoint.close());
  return d;
}

describe('scale simulator on a real pty', () => {
  it('MT-SICS: S gets the stable weight of the bag', async () => {
    const { endpoint, devicePath } = await device();
    const sim = new ScaleSimulator({ protocol: 'mt-sics', endpoint, model: { settleMs: 150 } });
    sim.start();
    cleanups.push(async () => sim.stop());
    const host = await openHost(devicePath);
    const parser = new MtSicsReplyParser();
    const replies: MtSicsReply[] = [];
    const stable = new Promise<MtSicsReply>((resolve) =>
      host.on('data', (chunk: Buffer) => {
        for (const r of parser.push(chunk)) {
          replies.push(r);
          if (r.kind === 'weight' && r.reading.state === 'stable') resolve(r);
        }
      }),
    );
    await sim.run([{ op: 'put', grams: 1234 }]);
    host.write(encodeMtSicsCommand('S')); // answered once the bag has settled
    expect(await stable).toMatchObject({ kind: 'weight', reading: { grams: 1234, display: { value: '1234.00', unit: 'g' } } });
    expect(replies).toHaveLength(1);
    expect(parser.counters.dropped).toEqual({ badChecksum: 0, junkBytes: 0, overlong: 0, malformed: 0, unconvertible: 0 });
  });

  it('XK3190: continuous frames, the stability rule settles on the weight', async () => {
    const { endpoint, devicePath } = await device();
    const sim = new ScaleSimulator({ protocol: 'xk3190', endpoint, intervalMs: 20, model: { settleMs: 200 } });
    const host = await openHost(devicePath);
    const parser = new Xk3190Parser();
    const rule = new StabilityDetector({ minSamples: 5, minDurationMs: 80, maxGapMs: 1000 });
    const settled = new Promise<number>((resolve) =>
      host.on('data', (chunk: Buffer) => {
        for (const r of parser.push(chunk)) {
          const v = rule.push(r, performance.now());
          if (v.stable && v.grams !== 0) resolve(v.grams);
        }
      }),
    );
    sim.start();
    cleanups.push(async () => sim.stop());
    await sim.run([{ op: 'noise', bytes: 16 }, { op: 'put', grams: 20_000 }]);
    expect(await settled).toBe(20_000);
    expect(parser.counters.frames).toBeGreaterThan(5);
  });

  it('close() kills socat and removes the links', async () => {
    const d = await openPtyDevice({ baudRate: 9600, dataBits: 7, parity: 'even' });
    expect(existsSync(d.devicePath)).toBe(true);
    await d.endpoint.close();
    await d.closed;
    expect(existsSync(dirname(d.devicePath))).toBe(false);
    await expect(d.endpoint.write(Uint8Array.of(1))).rejects.toThrow(/closed/);
  });
});
