import { AndParser, StabilityDetector, Xk3190Parser } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ScaleSimulator, type ScaleSimulatorOptions } from '../../src/scale/simulator.ts';
import { Loopback } from './loopback.ts';

function setup(protocol: ScaleSimulatorOptions['protocol'], extra: Partial<ScaleSimulatorOptions> = {}) {
  const clock = new ManualClock(0);
  const line = new Loopback();
  const sim = new ScaleSimulator({ protocol, endpoint: line, clock, model: { settleMs: 800, capacityGrams: 30_000 }, ...extra });
  sim.start();
  return { clock, line, sim };
}

describe('MT-SICS scale', () => {
  it('answers S with the stable weight once the bag has settled', async () => {
    const { clock, line, sim } = setup('mt-sics');
    await sim.run([{ op: 'put', grams: 1234 }]);
    line.hostSends('S\r\n');
    await clock.advance(799);
    expect(line.text()).toBe(''); // still swinging: S waits for stability
    await clock.advance(1);
    expect(line.text()).toBe('S S    1234.00 g\r\n');
  });

  it('answers SI at once, dynamic while the load moves', async () => {
    const { clock, line, sim } = setup('mt-sics');
    await sim.run([{ op: 'put', grams: 500 }]);
    await clock.advance(100);
    line.hostSends('SI\r\n');
    await clock.advance(0);
    expect(line.text()).toMatch(/^S D +\d+\.00 g\r\n$/);
  });

  it('S times out with S I when the load never settles', async () => {
    const { clock, line, sim } = setup('mt-sics', { stableTimeoutMs: 2000 });
    await sim.run([{ op: 'put', grams: 500 }, { op: 'jitter', grams: 2 }]);
    line.hostSends('S\r\n');
    await clock.advance(1999);
    expect(line.text()).toBe('');
    await clock.advance(1);
    expect(line.text()).toBe('S I\r\n');
  });

  it('overload, zero, tare, serial number, reset and unknown commands', async () => {
    const { clock, line, sim } = setup('mt-sics', { serialNumber: 'B021002593' });
    await sim.run([{ op: 'overload' }]);
    await clock.advance(1000);
    line.hostSends('S\r\nSI\r\nZ\r\n');
    await clock.advance(0);
    expect(line.text()).toBe('S +\r\nS +\r\nZ +\r\n');

    await sim.run([{ op: 'remove' }, { op: 'put', grams: 300 }]);
    await clock.advance(1000);
    line.hostSends('Z\r\nSI\r\n');
    await clock.advance(0);
    expect(line.text()).toBe('Z A\r\nS S       0.00 g\r\n');

    await sim.run([{ op: 'put', grams: 1000 }]);
    line.hostSends('T\r\n');
    await clock.advance(800);
    expect(line.text()).toBe('T S    1000.00 g\r\n');
    line.hostSends('I4\r\n@\r\nSI\r\nhello\r\ns\r\n');
    await clock.advance(0);
    expect(line.text()).toBe('I4 A "B021002593"\r\nI4 A "B021002593"\r\nS S    1000.00 g\r\nES\r\nES\r\n');
  });

  it('reads commands split anywhere, with any line end', async () => {
    const { clock, line } = setup('mt-sics');
    for (const b of Buffer.from('S\r\nS')) line.hostSends(Uint8Array.of(b));
    line.hostSends('I\nI4\r');
    await clock.advance(0);
    expect(line.text()).toBe('S S       0.00 g\r\nS S       0.00 g\r\nI4 A "WT-SIM-0001"\r\n');
  });

  it('SIR repeats SI every interval until the next command', async () => {
    const { clock, line } = setup('mt-sics', { intervalMs: 100 });
    line.hostSends('SIR\r\n');
    await clock.advance(250);
    expect(line.text().match(/S S/g)).toHaveLength(3);
    line.hostSends('I4\r\n');
    await clock.advance(1000);
    expect(line.text()).toBe('I4 A "WT-SIM-0001"\r\n');
  });

  it('noise puts junk on the line', async () => {
    const { line, sim } = setup('mt-sics');
    await sim.run([{ op: 'noise', bytes: 20 }]);
    expect(line.take()).toHaveLength(20);
  });
});

describe('XK3190 indicator', () => {
  it('streams frames; the stability rule finds the bag weight', async () => {
    const { clock, line, sim } = setup('xk3190', { intervalMs: 100 });
    const parser = new Xk3190Parser();
    const rule = new StabilityDetector({ minSamples: 5, minDurationMs: 400 });
    await sim.run([{ op: 'put', grams: 20_000 }, { op: 'noise', bytes: 7 }]);
    const verdicts = [];
    for (let t = 0; t < 2000; t += 100) {
      await clock.advance(100);
      for (const r of parser.push(line.take())) verdicts.push({ t: clock.now(), grams: r.grams, v: rule.push(r, clock.now()) });
    }
    const settled = verdicts.filter((x) => x.v.stable && x.v.settled);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.v).toMatchObject({ grams: 20_000 });
    expect(settled[0]!.t).toBeGreaterThanOrEqual(800 + 400);
    expect(verdicts.filter((x) => x.t < 800).some((x) => x.grams !== 20_000)).toBe(true);
    expect(parser.counters.dropped.junkBytes).toBeGreaterThan(0);
  });

  it('sends nothing while overloaded, and resumes', async () => {
    const { clock, line, sim } = setup('xk3190', { intervalMs: 100 });
    await sim.run([{ op: 'overload' }]);
    await clock.advance(1000);
    line.take();
    await clock.advance(500);
    expect(line.take()).toHaveLength(0);
    await sim.run([{ op: 'remove' }]);
    await clock.advance(1000);
    expect(new Xk3190Parser().push(line.take()).at(-1)).toMatchObject({ grams: 0 });
  });

  it('skips frames while the line is blocked instead of queueing them', async () => {
    const { clock, line, sim } = setup('xk3190', { intervalMs: 10 });
    line.hold = new Promise(() => {});
    await clock.advance(10);
    const stuck = line.written.length;
    await clock.advance(1000);
    expect(line.written).toHaveLength(stuck);
    expect(sim.stats.skipped).toBeGreaterThan(90);
  });
});

describe('A&D / CAS indicator', () => {
  it('streams ST,GS lines, NT after a tare, OL on overload', async () => {
    const { clock, line, sim } = setup('and', { intervalMs: 100 });
    const parser = new AndParser();
    await sim.run([{ op: 'put', grams: 12_340 }]);
    await clock.advance(1000);
    expect(parser.push(line.take()).at(-1)).toMatchObject({ state: 'stable', basis: 'gross', grams: 12_340, raw: 'ST,GS,+0012.34kg' });
    await sim.run([{ op: 'tare' }, { op: 'put', grams: 500 }]);
    await clock.advance(200);
    expect(parser.push(line.take()).at(-1)).toMatchObject({ state: 'dynamic', basis: 'net' });
    await clock.advance(1000);
    expect(parser.push(line.take()).at(-1)).toMatchObject({ state: 'stable', basis: 'net', grams: 500 });
    await sim.run([{ op: 'overload' }]);
    await clock.advance(1000);
    expect(parser.push(line.take()).at(-1)).toMatchObject({ state: 'overload' });
  });

  it('balance format', async () => {
    const { clock, line, sim } = setup('and', { andFormat: 'balance', display: { unit: 'g', decimals: 1 } });
    await sim.run([{ op: 'put', grams: 1234 }]);
    await clock.advance(1000);
    expect(line.text().split('\r\n').at(-2)).toBe('ST,+001234.0  g');
  });
});
