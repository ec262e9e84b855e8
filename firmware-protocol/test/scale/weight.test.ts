import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGrams, normaliseDecimal, parseDecimal, toGrams, weightUnit } from '../../src/scale/index.ts';

function grams(value: string, unit: string, rounding?: 'nearest' | 'exact') {
  const r = toGrams(value, unit, rounding);
  if (!r.ok) throw new Error(`${value} ${unit}: ${r.error.code}`);
  return r.value;
}

function code(value: string, unit: string, rounding?: 'nearest' | 'exact') {
  const r = toGrams(value, unit, rounding);
  return r.ok ? 'ok' : r.error.code;
}

describe('toGrams', () => {
  it('converts metric units exactly', () => {
    expect(grams('100.00', 'g')).toEqual({ grams: 100, rounded: false });
    expect(grams('0.1', 'kg')).toEqual({ grams: 100, rounded: false });
    expect(grams('+0012.34', 'kg')).toEqual({ grams: 12340, rounded: false });
    expect(grams('1', 't')).toEqual({ grams: 1_000_000, rounded: false });
    expect(grams('2000', 'mg')).toEqual({ grams: 2, rounded: false });
    expect(grams('-125.0', 'kg')).toEqual({ grams: -125000, rounded: false });
  });

  it('rounds to the nearest gram, halves away from zero, and says so', () => {
    expect(grams('1.234', 'g')).toEqual({ grams: 1, rounded: true });
    expect(grams('1.5', 'g')).toEqual({ grams: 2, rounded: true });
    expect(grams('2.5', 'g')).toEqual({ grams: 3, rounded: true });
    expect(grams('-1.5', 'g')).toEqual({ grams: -2, rounded: true });
    expect(grams('0.4999', 'g')).toEqual({ grams: 0, rounded: true });
    expect(grams('1500', 'mg')).toEqual({ grams: 2, rounded: true });
  });

  it('converts pounds and ounces with the exact international definitions', () => {
    expect(grams('1', 'lb')).toEqual({ grams: 454, rounded: true }); // 453.59237
    expect(grams('100000', 'lb')).toEqual({ grams: 45_359_237, rounded: false });
    expect(grams('1', 'oz')).toEqual({ grams: 28, rounded: true }); // 28.349523125
    expect(grams('16', 'oz')).toEqual(grams('1', 'lb'));
    expect(grams('2.205', 'lb')).toEqual({ grams: 1000, rounded: true }); // 1000.17617...
  });

  it('refuses what cannot be exactly converted when asked to', () => {
    expect(code('1.234', 'g', 'exact')).toBe('INEXACT_WEIGHT');
    expect(code('1', 'lb', 'exact')).toBe('INEXACT_WEIGHT');
    expect(code('1.000', 'g', 'exact')).toBe('ok');
    expect(code('0.001', 'kg', 'exact')).toBe('ok');
  });

  it('gives typed errors for units, numbers and ranges it cannot use', () => {
    expect(code('1', 'ct')).toBe('UNKNOWN_UNIT');
    expect(code('1', 'pcs')).toBe('UNKNOWN_UNIT');
    expect(code('1', '')).toBe('UNKNOWN_UNIT');
    expect(code('1e3', 'g')).toBe('MALFORMED');
    expect(code('', 'g')).toBe('MALFORMED');
    expect(code('.', 'g')).toBe('MALFORMED');
    expect(code('1,5', 'g')).toBe('MALFORMED');
    expect(code('1234567890123456', 'g')).toBe('MALFORMED');
    expect(code('999999999999999', 't')).toBe('OUT_OF_RANGE');
  });

  it('never returns negative zero', () => {
    expect(Object.is(grams('-0.00', 'g').grams, 0)).toBe(true);
    expect(Object.is(grams('-0.4', 'g').grams, 0)).toBe(true);
  });

  it('reads units the way scales print them', () => {
    expect(weightUnit(' kg')).toBe('kg');
    expect(weightUnit('Kg')).toBe('kg');
    expect(weightUnit('  g')).toBe('g');
    expect(weightUnit('ct')).toBeUndefined();
  });
});

describe('decimals', () => {
  it('parses the forms scales send', () => {
    expect(parseDecimal('+001234.5')).toEqual({ negative: false, digits: 12345n, scale: 1 });
    expect(parseDecimal('12.')).toEqual({ negative: false, digits: 12n, scale: 0 });
    expect(parseDecimal('.5')).toEqual({ negative: false, digits: 5n, scale: 1 });
    expect(parseDecimal('-')).toBeUndefined();
    expect(parseDecimal(' 1')).toBeUndefined();
  });

  it('normalises a displayed value', () => {
    expect(normaliseDecimal('+001234.5')).toBe('1234.5');
    expect(normaliseDecimal('-0000.50')).toBe('-0.50');
    expect(normaliseDecimal('000000')).toBe('0');
    expect(normaliseDecimal('12.')).toBe('12');
    expect(normaliseDecimal('x')).toBeUndefined();
  });
});

describe('formatGrams', () => {
  it('writes what a display shows, rounding halves away from zero', () => {
    expect(formatGrams(1234, 'kg', 3)).toBe('1.234');
    expect(formatGrams(1234, 'kg', 2)).toBe('1.23');
    expect(formatGrams(1235, 'kg', 2)).toBe('1.24');
    expect(formatGrams(-1235, 'kg', 2)).toBe('-1.24');
    expect(formatGrams(-4, 'kg', 2)).toBe('0.00');
    expect(formatGrams(100, 'g', 2)).toBe('100.00');
    expect(formatGrams(20000, 'kg', 2)).toBe('20.00');
    expect(formatGrams(454, 'lb', 3)).toBe('1.001');
    expect(() => formatGrams(1.5, 'g', 0)).toThrow(RangeError);
  });

  it('round-trips through toGrams for every metric display that is exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 3 }), (g, decimals) => {
        expect(toGrams(formatGrams(g, 'g', decimals), 'g', 'exact')).toEqual({ ok: true, value: { grams: g, rounded: false } });
        expect(toGrams(formatGrams(g, 'kg', 3 + decimals), 'kg', 'exact')).toEqual({ ok: true, value: { grams: g, rounded: false } });
      }),
    );
  });
});
