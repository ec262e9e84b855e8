import { describe, expect, it } from 'vitest';
import { ScaleModel } from '../../src/scale/model.ts';

describe('ScaleModel', () => {
  it('starts steady at zero', () => {
    expect(new ScaleModel({}, 1000).reading(1000)).toEqual({ state: 'stable', grams: 0, basis: 'gross' });
  });

  it('a bag ramps up with noise and settles exactly at its weight', () => {
    const m = new ScaleModel({ settleMs: 800 }, 0);
    m.put(2000, 0);
    const during = [100, 200, 400, 600, 799].map((t) => m.reading(t));
    expect(during.every((r) => r.state === 'dynamic')).toBe(true);
    expect(new Set(during.map((r) => r.grams)).size).toBe(during.length);
    expect(m.reading(800)).toEqual({ state: 'stable', grams: 2000, basis: 'gross' });
    expect(m.reading(5000)).toEqual({ state: 'stable', grams: 2000, basis: 'gross' });
  });

  it('is deterministic for a seed', () => {
    const a = new ScaleModel({ seed: 7 }, 0);
    const b = new ScaleModel({ seed: 7 }, 0);
    a.put(1500, 0);
    b.put(1500, 0);
    for (let t = 0; t < 900; t += 37) expect(a.reading(t)).toEqual(b.reading(t));
  });

  it('adds loads, and removal goes back to zero', () => {
    const m = new ScaleModel({ settleMs: 100 }, 0);
    m.put(1000, 0);
    m.put(500, 50); // a second bag before the first settled
    expect(m.reading(150)).toMatchObject({ state: 'stable', grams: 1500 });
    m.remove(200);
    expect(m.reading(250)).toMatchObject({ state: 'dynamic' });
    expect(m.reading(300)).toMatchObject({ state: 'stable', grams: 0 });
  });

  it('overload and underload carry no weight', () => {
    const m = new ScaleModel({ capacityGrams: 30_000, settleMs: 100 }, 0);
    m.overload(0);
    expect(m.reading(100)).toEqual({ state: 'overload', basis: 'gross' });
    m.underload(100);
    expect(m.reading(200)).toEqual({ state: 'underload', basis: 'gross' });
    m.remove(200);
    expect(m.reading(300)).toMatchObject({ state: 'stable', grams: 0 });
  });

  it('jitter keeps a load from ever being stable', () => {
    const m = new ScaleModel({ settleMs: 0 }, 0);
    m.put(1000, 0);
    m.jitter(5);
    const rs = Array.from({ length: 50 }, (_, t) => m.reading(t));
    expect(rs.every((r) => r.state === 'dynamic' && Math.abs(r.grams! - 1000) <= 5)).toBe(true);
    expect(m.stableAt()).toBeUndefined();
  });

  it('zero and tare', () => {
    const m = new ScaleModel({ capacityGrams: 10_000, settleMs: 100 }, 0);
    m.put(150, 0);
    expect(m.zero(50)).toEqual({ ok: false, reason: 'busy' });
    expect(m.zero(100)).toEqual({ ok: true });
    expect(m.reading(100)).toMatchObject({ grams: 0 });
    m.put(500, 100); // a box
    expect(m.tare(200)).toEqual({ ok: true, tareGrams: 500 });
    m.put(1234, 200); // a bag in the box
    expect(m.reading(300)).toEqual({ state: 'stable', grams: 1234, basis: 'net' });
    expect(m.zero(300)).toEqual({ ok: false, reason: 'overload' }); // 1734 g is outside ±2% of capacity
    m.clearTare();
    expect(m.reading(300)).toEqual({ state: 'stable', grams: 1734, basis: 'gross' });
    m.remove(300);
    expect(m.tare(400)).toEqual({ ok: false, reason: 'underload' });
  });
});
