/**
 * The scale shell on @serialport/binding-mock with the simulated scale behind it: MT-SICS is asked (SI)
 * and answered, A&D streams on a 7E1 line; the stability rule decides; silence means offline.
 */
import { SerialPortMock } from 'serialport';
import { attachMockDevice, ScaleSimulator, type SerialEndpoint } from '@wastetrail/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import type { ScaleConfig } from '../../src/config/config.ts';
import { ScaleDevice, type WeightEvent } from '../../src/devices/scale.ts';
import type { PortLike } from '../../src/devices/serial-link.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  SerialPortMock.binding.reset();
});

function rig(config: Partial<ScaleConfig> & Pick<ScaleConfig, 'protocol'>, sim: { andFormat?: 'balance' | 'indicator' } = {}) {
  const path = `/dev/mock-scale-${Math.random().toString(36).slice(2)}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  const events: WeightEvent[] = [];
  let simulator: ScaleSimulator | undefined;
  let endpoint: SerialEndpoint | undefined;
  const device = new ScaleDevice({
    config: { path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, unit: 'kg', pollMs: 30, staleMs: 400, ...config },
    stability: { minSamples: 3, toleranceGrams: 0, minDurationMs: 40, maxGapMs: 500, requireScaleFlag: true },
    logger: createCapturingLogger(),
    now: () => performance.now(),
    onWeight: (w) => events.push(w),
    createPort: (settings) => {
      const port = new SerialPortMock(settings);
      endpoint = attachMockDevice(port);
      simulator = new ScaleSimulator({ protocol: config.protocol, endpoint, intervalMs: 20, model: { settleMs: 60 }, ...sim });
      simulator.start();
      return port as unknown as PortLike;
    },
  });
  device.start();
  cleanups.push(async () => {
    simulator?.stop();
    await endpoint?.close();
    await device.close();
  });
  return { device, events, sim: () => simulator! };
}

const lastStable = (events: WeightEvent[]) => events.filter((e) => e.stable).at(-1);

describe('scale device', () => {
  it('MT-SICS: asks SI, reads the replies, reports the settled weight as stable', async () => {
    const { events, sim, device } = rig({ protocol: 'mt-sics', unit: 'g' });
    await waitFor(() => events.length > 0, 'first reading');
    await sim().run([{ op: 'put', grams: 1234 }]);
    await waitFor(() => lastStable(events)?.grams === 1234, 'stable 1234 g');
    expect(events.some((e) => !e.stable && e.grams !== undefined && e.grams !== 1234)).toBe(true);
    expect(device.connected).toBe(true);
    expect(sim().stats.commands).toBeGreaterThan(3);
  });

  it('A&D balance on a 7E1 line: a wobbling load is never reported stable, a steady one is', async () => {
    const { events, sim } = rig({ protocol: 'and', dataBits: 7, parity: 'even' }, { andFormat: 'balance' });
    await sim().run([{ op: 'put', grams: 2500 }, { op: 'jitter', grams: 30 }]);
    await waitFor(() => events.filter((e) => e.state === 'dynamic').length > 10, 'wobbling readings');
    const wobbling = events.length;
    expect(events.slice(wobbling - 10).every((e) => !e.stable)).toBe(true);
    await sim().run([{ op: 'jitter', grams: 0 }]);
    await waitFor(() => lastStable(events)?.grams === 2500, 'stable 2500 g');
  });

  it('reports the scale offline when readings stop', async () => {
    const { events, sim, device } = rig({ protocol: 'xk3190' });
    await waitFor(() => events.length > 3, 'readings');
    sim().stop();
    await waitFor(() => events.at(-1)?.state === 'offline', 'offline');
    expect(events.at(-1)).toEqual({ stable: false, state: 'offline' });
    expect(device.connected).toBe(false);
  });
});
