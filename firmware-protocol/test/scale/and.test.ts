import { describe, expect, it } from 'vitest';
import { AndParser, decodeAndLine, encodeAndLine, type ScaleReading } from '../../src/scale/index.ts';
import { everySplit, feed } from './stream-helpers.ts';
import {
  AND_BALANCE_OVERLOAD,
  AND_BALANCE_STABLE,
  AND_INDICATOR_GROSS,
  AND_INDICATOR_NET_UNSTABLE,
  AND_INDICATOR_UNDERLOAD,
  ascii,
  concat,
} from './vectors.ts';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1').replace(/\r\n$/, '');

function reading(b: Uint8Array): ScaleReading {
  const r = decodeAndLine(text(b));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('A&D / CAS lines', () => {
  it('decodes a balance line (devices.md)', () => {
    expect(reading(AND_BALANCE_STABLE)).toEqual({
      state: 'stable',
      grams: 1235,
      display: { value: '1234.5', unit: 'g' },
      rounded: true,
      raw: 'ST,+001234.5  g',
    });
  });

  it('decodes indicator lines with gross, net and tare (devices.md)', () => {
    expect(reading(AND_INDICATOR_GROSS)).toMatchObject({ state: 'stable', basis: 'gross', grams: 12_340, rounded: false, display: { value: '12.34', unit: 'kg' } });
    expect(reading(AND_INDICATOR_NET_UNSTABLE)).toMatchObject({ state: 'dynamic', basis: 'net', grams: -500 });
    expect(reading(ascii('ST,TR,+0002.00kg'))).toMatchObject({ state: 'stable', basis: 'tare', grams: 2000 });
  });

  it('decodes out of range as overload or underload by its sign', () => {
    expect(reading(AND_BALANCE_OVERLOAD)).toEqual({ state: 'overload', raw: 'OL,+9999999E+19' });
    expect(reading(AND_INDICATOR_UNDERLOAD)).toEqual({ state: 'underload', basis: 'gross', raw: 'OL,GS,-    .  kg' });
  });

  it('reads space padding, CSV and pounds', () => {
    expect(reading(ascii('ST,GS,    12.34kg'))).toMatchObject({ grams: 12_340 });
    expect(reading(ascii('ST,+0000.1278,g'))).toMatchObject({ grams: 0, rounded: true });
    expect(reading(ascii('US,+0002.205 lb'))).toMatchObject({ state: 'dynamic', grams: 1000, rounded: true });
    expect(decodeAndLine('ST,+00012.34   ', { unit: 'kg' })).toMatchObject({ ok: true, value: { grams: 12_340 } });
  });

  it('refuses what it cannot use, with typed codes', () => {
    const code = (s: string) => {
      const r = decodeAndLine(s);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('XX,+0001.00 g')).toBe('MALFORMED');
    expect(code('ST,')).toBe('MALFORMED');
    expect(code('ST,GS,NT,+1 g')).toBe('MALFORMED');
    expect(code('ST,+00012.34   ')).toBe('UNKNOWN_UNIT');
    expect(code('QT,+0000123 PC')).toBe('MALFORMED');
    expect(code('ST,+0000123 PC')).toBe('UNKNOWN_UNIT');
  });

  it('encodes the devices.md lines byte for byte', () => {
    expect(encodeAndLine({ state: 'stable', display: { value: '1234.5', unit: 'g' } })).toEqual(AND_BALANCE_STABLE);
    expect(encodeAndLine({ state: 'stable', basis: 'gross', display: { value: '12.34', unit: 'kg' } })).toEqual(AND_INDICATOR_GROSS);
    expect(encodeAndLine({ state: 'dynamic', basis: 'net', display: { value: '-0.50', unit: 'kg' } })).toEqual(AND_INDICATOR_NET_UNSTABLE);
    expect(encodeAndLine({ state: 'overload' })).toEqual(AND_BALANCE_OVERLOAD);
    expect(encodeAndLine({ state: 'underload', basis: 'gross', display: { value: '0', unit: 'kg' } })).toEqual(AND_INDICATOR_UNDERLOAD);
    expect(() => encodeAndLine({ state: 'stable' })).toThrow(RangeError);
  });
});

describe('AndParser', () => {
  const make = () => new AndParser();

  it('one line, two lines in a chunk', () => {
    expect(feed(make(), AND_BALANCE_STABLE)).toEqual([reading(AND_BALANCE_STABLE)]);
    expect(feed(make(), concat(AND_INDICATOR_GROSS, AND_INDICATOR_NET_UNSTABLE))).toHaveLength(2);
  });

  it('lines split at every byte offset', () => {
    const stream = concat(AND_BALANCE_STABLE, AND_INDICATOR_GROSS, AND_BALANCE_OVERLOAD);
    const expected = [reading(AND_BALANCE_STABLE), reading(AND_INDICATOR_GROSS), reading(AND_BALANCE_OVERLOAD)];
    for (const run of everySplit(make, stream)) expect(run).toEqual(expected);
  });

  it('junk before a line, CR-only and LF-only line ends', () => {
    const p = make();
    const out = feed(p, ascii('\x00\xffST,'), AND_INDICATOR_GROSS, ascii('US,+000.5 g\rST,+0001.0 g\n'));
    expect(out.map((r) => r.grams)).toEqual([12_340, 1, 1]);
    expect(p.counters.dropped.junkBytes).toBe(5);
  });
});
