import { describe, expect, it } from 'vitest';
import {
  decodeMtSicsCommand,
  decodeMtSicsReply,
  encodeMtSicsCommand,
  encodeMtSicsReply,
  MT_SICS_COMMANDS,
  MtSicsReplyParser,
  type DroppedInput,
  type MtSicsReply,
} from '../../src/scale/index.ts';
import { everySplit, feed } from './stream-helpers.ts';
import {
  ascii,
  concat,
  MT_BUSY,
  MT_CMD_S,
  MT_DYNAMIC_1234MG,
  MT_OVERLOAD,
  MT_SERIAL,
  MT_STABLE_100G,
  MT_SYNTAX_ERROR,
  MT_TARE_50G,
  MT_UNDERLOAD,
  MT_ZERO_DONE,
} from './vectors.ts';

const line = (b: Uint8Array) => Buffer.from(b).toString('latin1').replace(/\r\n$/, '');

function decoded(b: Uint8Array): MtSicsReply {
  const r = decodeMtSicsReply(line(b));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('MT-SICS commands', () => {
  it('encodes with CRLF', () => {
    expect(encodeMtSicsCommand('S')).toEqual(MT_CMD_S);
    expect(Buffer.from(encodeMtSicsCommand('I4')).toString()).toBe('I4\r\n');
    expect(Buffer.from(encodeMtSicsCommand('@')).toString()).toBe('@\r\n');
  });

  it('decodes every command it encodes, and nothing in lower case', () => {
    for (const c of MT_SICS_COMMANDS) expect(decodeMtSicsCommand(line(encodeMtSicsCommand(c)))).toBe(c);
    expect(decodeMtSicsCommand('s')).toBeUndefined();
    expect(decodeMtSicsCommand('XYZ')).toBeUndefined();
    expect(decodeMtSicsCommand(' SI ')).toBe('SI');
  });
});

describe('MT-SICS replies', () => {
  it('decodes a stable weight (devices.md)', () => {
    expect(decoded(MT_STABLE_100G)).toEqual({
      kind: 'weight',
      id: 'S',
      reading: { state: 'stable', grams: 100, display: { value: '100.00', unit: 'g' }, rounded: false, raw: 'S S     100.00 g' },
    });
  });

  it('decodes a dynamic weight, rounded to the gram (devices.md)', () => {
    const r = decoded(MT_DYNAMIC_1234MG);
    expect(r).toMatchObject({ kind: 'weight', reading: { state: 'dynamic', grams: 1, rounded: true, display: { value: '1.234', unit: 'g' } } });
  });

  it('decodes overload and underload as weightless readings', () => {
    expect(decoded(MT_OVERLOAD)).toEqual({ kind: 'weight', id: 'S', reading: { state: 'overload', raw: 'S +' } });
    expect(decoded(MT_UNDERLOAD)).toEqual({ kind: 'weight', id: 'S', reading: { state: 'underload', raw: 'S -' } });
  });

  it('decodes acknowledgements, refusals and errors', () => {
    expect(decoded(MT_ZERO_DONE)).toEqual({ kind: 'done', id: 'Z', values: [], raw: 'Z A' });
    expect(decoded(MT_SERIAL)).toEqual({ kind: 'done', id: 'I4', values: ['B021002593'], raw: 'I4 A "B021002593"' });
    expect(decoded(MT_BUSY)).toEqual({ kind: 'refused', id: 'S', reason: 'busy', raw: 'S I' });
    expect(decoded(ascii('Z I'))).toMatchObject({ kind: 'refused', id: 'Z', reason: 'busy' });
    expect(decoded(ascii('Z +'))).toMatchObject({ kind: 'refused', id: 'Z', reason: 'overload' });
    expect(decoded(ascii('T -'))).toMatchObject({ kind: 'refused', id: 'T', reason: 'underload' });
    expect(decoded(ascii('I4 L'))).toMatchObject({ kind: 'refused', id: 'I4', reason: 'bad-parameter' });
    expect(decoded(MT_SYNTAX_ERROR)).toEqual({ kind: 'error', error: 'syntax', raw: 'ES' });
    expect(decoded(ascii('ET'))).toMatchObject({ kind: 'error', error: 'transmission' });
    expect(decoded(ascii('EL'))).toMatchObject({ kind: 'error', error: 'logic' });
  });

  it('decodes a tare reply with basis tare', () => {
    expect(decoded(MT_TARE_50G)).toMatchObject({ kind: 'tare', id: 'T', reading: { state: 'stable', grams: 50, basis: 'tare' } });
  });

  it('splits on whitespace, never on columns', () => {
    for (const text of ['S S 100.00 g', 'S  S   100.00   g', 'S\tS\t100.00\tg', '  S S     100.00 g  ', 'S S 0.1 kg']) {
      expect(decoded(ascii(text))).toMatchObject({ kind: 'weight', reading: { state: 'stable', grams: 100 } });
    }
    expect(decoded(ascii('S S    -12.5 kg'))).toMatchObject({ reading: { grams: -12500 } });
    expect(decoded(ascii('I2 A "WMS404C" "410.0000 g"'))).toMatchObject({ kind: 'done', values: ['WMS404C', '410.0000 g'] });
  });

  it('refuses what is not a reply, with typed codes', () => {
    const code = (s: string) => {
      const r = decodeMtSicsReply(s);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('S S 100.00')).toBe('MALFORMED');
    expect(code('S X 1 g')).toBe('MALFORMED');
    expect(code('QZ A')).toBe('MALFORMED');
    expect(code('ES extra')).toBe('MALFORMED');
    expect(code('I4 A "unterminated')).toBe('MALFORMED');
    expect(code('S S 1\x00 g')).toBe('MALFORMED');
    expect(code('S S 100.00 ct')).toBe('UNKNOWN_UNIT');
    expect(code('')).toBe('MALFORMED');
  });

  it('encodes the exact bytes of the devices.md vectors', () => {
    expect(encodeMtSicsReply({ kind: 'weight', state: 'stable', display: { value: '100.00', unit: 'g' } })).toEqual(MT_STABLE_100G);
    expect(encodeMtSicsReply({ kind: 'weight', state: 'dynamic', display: { value: '1.234', unit: 'g' } })).toEqual(MT_DYNAMIC_1234MG);
    expect(encodeMtSicsReply({ kind: 'weight', state: 'overload' })).toEqual(MT_OVERLOAD);
    expect(encodeMtSicsReply({ kind: 'weight', state: 'underload' })).toEqual(MT_UNDERLOAD);
    expect(encodeMtSicsReply({ kind: 'done', id: 'Z' })).toEqual(MT_ZERO_DONE);
    expect(encodeMtSicsReply({ kind: 'done', id: 'I4', values: ['B021002593'] })).toEqual(MT_SERIAL);
    expect(encodeMtSicsReply({ kind: 'refused', id: 'S', reason: 'busy' })).toEqual(MT_BUSY);
    expect(encodeMtSicsReply({ kind: 'tare', display: { value: '50.00', unit: 'g' } })).toEqual(MT_TARE_50G);
    expect(encodeMtSicsReply({ kind: 'error', error: 'syntax' })).toEqual(MT_SYNTAX_ERROR);
    expect(() => encodeMtSicsReply({ kind: 'weight', state: 'stable' })).toThrow(RangeError);
  });
});

describe('MtSicsReplyParser', () => {
  const make = () => new MtSicsReplyParser();

  it('one reply', () => {
    const p = make();
    expect(feed(p, MT_STABLE_100G)).toEqual([decoded(MT_STABLE_100G)]);
    expect(p.counters).toEqual({ frames: 1, dropped: { badChecksum: 0, junkBytes: 0, overlong: 0, malformed: 0, unconvertible: 0 } });
    expect(p.pending).toBe(0);
  });

  it('two replies in one chunk', () => {
    expect(feed(make(), concat(MT_ZERO_DONE, MT_STABLE_100G)).map((r) => r.kind)).toEqual(['done', 'weight']);
  });

  it('a reply split at every byte offset', () => {
    const stream = concat(MT_SERIAL, MT_STABLE_100G, MT_OVERLOAD);
    const expected = [decoded(MT_SERIAL), decoded(MT_STABLE_100G), decoded(MT_OVERLOAD)];
    for (const run of everySplit(make, stream)) expect(run).toEqual(expected);
  });

  it('the line end arriving alone', () => {
    const p = make();
    expect(feed(p, MT_STABLE_100G.subarray(0, -2))).toEqual([]);
    expect(p.pending).toBe(16);
    expect(feed(p, ascii('\r'))).toHaveLength(1);
    expect(feed(p, ascii('\n'))).toEqual([]);
  });

  it('CR, LF and CRLF line ends', () => {
    for (const end of ['\r', '\n', '\r\n', '\n\r']) {
      const p = make();
      expect(feed(p, ascii(`Z A${end}S S 100.00 g${end}`))).toHaveLength(2);
      expect(p.counters.dropped).toEqual({ badChecksum: 0, junkBytes: 0, overlong: 0, malformed: 0, unconvertible: 0 });
    }
  });

  it('junk before a reply, on the same line and on a line of its own', () => {
    const p = make();
    const out = feed(p, bytesOf(0x00, 0xff, 0x13), ascii('xQ'), MT_STABLE_100G, ascii('garbage\r\n'), MT_ZERO_DONE);
    expect(out).toEqual([decoded(MT_STABLE_100G), decoded(MT_ZERO_DONE)]);
    expect(p.counters.dropped.junkBytes).toBe(5);
    expect(p.counters.dropped.malformed).toBe(1);
  });

  it('a weight in a unit it cannot convert is dropped and counted, not thrown', () => {
    const drops: DroppedInput[] = [];
    const p = new MtSicsReplyParser({ onDrop: (d) => drops.push(d) });
    expect(feed(p, ascii('S S 5.00 ct\r\n'), MT_ZERO_DONE)).toHaveLength(1);
    expect(p.counters.dropped.unconvertible).toBe(1);
    expect(drops[0]).toMatchObject({ reason: 'unconvertible', error: { code: 'UNKNOWN_UNIT' } });
  });

  it('exact rounding refuses sub-gram replies', () => {
    const p = new MtSicsReplyParser({ rounding: 'exact' });
    expect(feed(p, MT_DYNAMIC_1234MG, MT_STABLE_100G)).toHaveLength(1);
    expect(p.counters.dropped.unconvertible).toBe(1);
  });

  it('an over-long line is cut, counted, and the reply at its end still found', () => {
    const p = new MtSicsReplyParser({ maxLineBytes: 32 });
    const out = feed(p, ascii('#'.repeat(1000)), MT_STABLE_100G, ascii('#'.repeat(100) + '\r\n'));
    expect(out).toEqual([decoded(MT_STABLE_100G)]);
    expect(p.pending).toBe(0);
    expect(p.counters.dropped.overlong).toBe(2);
  });

  it('survives a throwing drop listener', () => {
    const p = new MtSicsReplyParser({
      onDrop: () => {
        throw new Error('logger down');
      },
    });
    expect(feed(p, ascii('junk\r\n'), MT_ZERO_DONE)).toHaveLength(1);
  });
});

function bytesOf(...b: number[]): Uint8Array {
  return Uint8Array.from(b);
}
