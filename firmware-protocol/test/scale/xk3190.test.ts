import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeXk3190Frame, encodeXk3190Frame, toGrams, Xk3190Parser, type ScaleReading } from '../../src/scale/index.ts';
import { everySplit, feed } from './stream-helpers.ts';
import {
  ascii,
  bytes,
  concat,
  XK_MINUS_0_50,
  XK_MINUS_125_0,
  XK_PLUS_1_234,
  XK_PLUS_1_2345,
  XK_PLUS_20_00,
  XK_PLUS_999999,
  XK_ZERO,
} from './vectors.ts';

function reading(frame: Uint8Array): ScaleReading {
  const r = decodeXk3190Frame(frame);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const VECTORS: [string, Uint8Array, string, number][] = [
  ['+20.00', XK_PLUS_20_00, '20.00', 20_000],
  ['0', XK_ZERO, '0', 0],
  ['-125.0', XK_MINUS_125_0, '-125.0', -125_000],
  ['+1.234', XK_PLUS_1_234, '1.234', 1_234],
  ['+999999', XK_PLUS_999999, '999999', 999_999_000],
  ['-0.50', XK_MINUS_0_50, '-0.50', -500],
  ['+1.2345', XK_PLUS_1_2345, '1.2345', 1_235],
];

describe('XK3190 tF=0 frames', () => {
  it.each(VECTORS)('%s round-trips exactly', (input, frame, display, grams) => {
    expect(encodeXk3190Frame(input)).toEqual(frame);
    const r = reading(frame);
    expect(r).toMatchObject({ state: 'dynamic', grams, display: { value: display, unit: 'kg' } });
    expect(encodeXk3190Frame(r.display!.value)).toEqual(frame);
    expect(r.raw).toBe(Buffer.from(frame).toString('latin1'));
  });

  it('reads the unit the indicator is set to', () => {
    expect(decodeXk3190Frame(XK_PLUS_20_00, { unit: 't' })).toMatchObject({ ok: true, value: { grams: 20_000_000 } });
    expect(decodeXk3190Frame(XK_PLUS_1_2345, { unit: 'kg', rounding: 'exact' })).toMatchObject({ ok: false, error: { code: 'INEXACT_WEIGHT' } });
  });

  it('refuses bad checksums and malformed frames with typed codes', () => {
    const bad = XK_PLUS_20_00.slice();
    bad[10] = 0x43;
    expect(decodeXk3190Frame(bad)).toMatchObject({ ok: false, error: { code: 'BAD_CHECKSUM' } });
    const flipped = XK_PLUS_20_00.slice();
    flipped[4] = 0x33; // a digit changed in transit
    expect(decodeXk3190Frame(flipped)).toMatchObject({ ok: false, error: { code: 'BAD_CHECKSUM' } });
    expect(decodeXk3190Frame(XK_PLUS_20_00.subarray(0, 11))).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
    const fiveDecimals = XK_PLUS_20_00.slice();
    fiveDecimals[8] = 0x35;
    expect(decodeXk3190Frame(fiveDecimals)).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
    const lowerHex = bytes('02 2B 30 30 31 32 33 34 33 31 63 03');
    expect(decodeXk3190Frame(lowerHex)).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
  });

  it('refuses to encode what the display cannot show', () => {
    expect(() => encodeXk3190Frame('1234567')).toThrow(RangeError);
    expect(() => encodeXk3190Frame('1.23456')).toThrow(RangeError);
    expect(() => encodeXk3190Frame('abc')).toThrow(RangeError);
  });

  it('encode then decode gives the grams of the value, for any displayable value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -999_999, max: 999_999 }), fc.integer({ min: 0, max: 4 }), (n, scale) => {
        const abs = Math.abs(n).toString().padStart(scale + 1, '0');
        const value = `${n < 0 ? '-' : ''}${scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs}`;
        const r = decodeXk3190Frame(encodeXk3190Frame(value));
        const g = toGrams(value, 'kg');
        expect(r.ok && g.ok && r.value.grams === g.value.grams).toBe(true);
      }),
    );
  });
});

describe('Xk3190Parser', () => {
  const make = () => new Xk3190Parser();

  it('one frame', () => {
    const p = make();
    expect(feed(p, XK_PLUS_20_00)).toEqual([reading(XK_PLUS_20_00)]);
    expect(p.counters).toEqual({ frames: 1, dropped: { badChecksum: 0, junkBytes: 0, overlong: 0, malformed: 0, unconvertible: 0 } });
  });

  it('two frames in one chunk', () => {
    expect(feed(make(), concat(XK_PLUS_20_00, XK_MINUS_125_0)).map((r) => r.grams)).toEqual([20_000, -125_000]);
  });

  it('frames split at every byte offset', () => {
    const stream = concat(XK_PLUS_20_00, XK_ZERO, XK_MINUS_125_0);
    const expected = [reading(XK_PLUS_20_00), reading(XK_ZERO), reading(XK_MINUS_125_0)];
    for (const run of everySplit(make, stream)) expect(run).toEqual(expected);
  });

  it('the check bytes and the 03 arriving alone', () => {
    const p = make();
    expect(feed(p, XK_PLUS_20_00.subarray(0, 9))).toEqual([]);
    expect(feed(p, XK_PLUS_20_00.subarray(9, 10))).toEqual([]);
    expect(feed(p, XK_PLUS_20_00.subarray(10, 11))).toEqual([]);
    expect(p.pending).toBe(11);
    expect(feed(p, XK_PLUS_20_00.subarray(11))).toHaveLength(1);
    expect(p.pending).toBe(0);
  });

  it('junk before the start byte, including a false start', () => {
    const p = make();
    const junk = concat(ascii('noise'), bytes('02 2B 30 FF'), bytes('03 02'));
    expect(feed(p, junk, XK_PLUS_20_00)).toEqual([reading(XK_PLUS_20_00)]);
    expect(p.counters.dropped.junkBytes).toBe(junk.length);
  });

  it('a frame starting inside a failed candidate is still found', () => {
    // 02 2B 30 then a real frame: the first candidate is cut short by the real 02.
    const p = make();
    expect(feed(p, bytes('02 2B 30'), XK_ZERO)).toEqual([reading(XK_ZERO)]);
    expect(p.counters.dropped.junkBytes).toBe(3);
  });

  it('a bad checksum is dropped and counted, the next frame read', () => {
    const bad = XK_PLUS_20_00.slice();
    bad[9] = 0x32;
    const p = make();
    expect(feed(p, concat(bad, XK_ZERO))).toEqual([reading(XK_ZERO)]);
    expect(p.counters.dropped).toMatchObject({ badChecksum: 1, junkBytes: 0 });
  });

  it('never holds more than one frame', () => {
    const p = make();
    feed(p, new Uint8Array(10_000).fill(0x02));
    expect(p.pending).toBeLessThan(12);
    feed(p, new Uint8Array(10_000).fill(0x30));
    expect(p.pending).toBe(0);
  });
});
