/**
 * Hostile-line fuzzing: every parser gets well over 100 000 random chunks of junk with valid frames
 * buried in it. Whatever arrives, push() must not throw, must hold a bounded number of bytes, and must
 * still find every frame that was sent whole. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AndParser,
  encodeAndLine,
  encodeMtSicsReply,
  encodeXk3190Frame,
  formatGrams,
  MtSicsReplyParser,
  Xk3190Parser,
  type MtSicsReply,
  type MtSicsReplyInput,
  type ScaleStreamParser,
} from '../../src/scale/index.ts';
import { seededRandom as prng } from '../../src/random.ts';


type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

function junk(r: Rand): Uint8Array {
  // Mostly short bursts; now and then a long run with no line end, to push the line buffers past their cap.
  const len = r() < 0.02 ? 200 + int(r, 600) : int(r, 24);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = int(r, 256);
  return out;
}

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1').replace(/[\r\n]+$/, '');

function mtSicsFrame(r: Rand): Uint8Array {
  const grams = int(r, 2_000_000) - 1_000;
  const choices: MtSicsReplyInput[] = [
    { kind: 'weight', state: 'stable', display: { value: formatGrams(grams, 'g', 2), unit: 'g' } },
    { kind: 'weight', state: 'dynamic', display: { value: formatGrams(grams, 'kg', 3), unit: 'kg' } },
    { kind: 'weight', state: 'overload' },
    { kind: 'done', id: 'Z' },
    { kind: 'done', id: 'I4', values: [`SN${int(r, 1e6)}`] },
    { kind: 'refused', id: 'S', reason: 'busy' },
    { kind: 'tare', display: { value: formatGrams(grams, 'g', 1), unit: 'g' } },
    { kind: 'error', error: 'syntax' },
  ];
  return encodeMtSicsReply(choices[int(r, choices.length)]!);
}

function xkFrame(r: Rand): Uint8Array {
  // Six digits and 0-4 decimals: the display's whole range. 123456 with 2 decimals is "1234.56".
  const n = int(r, 1_999_999) - 999_999;
  const scale = int(r, 5);
  const abs = Math.abs(n).toString().padStart(scale + 1, '0');
  return encodeXk3190Frame(`${n < 0 ? '-' : ''}${scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs}`);
}

function andFrame(r: Rand): Uint8Array {
  const grams = int(r, 2_000_000) - 1_000;
  const state = (['stable', 'dynamic', 'overload', 'underload'] as const)[int(r, 4)]!;
  const basis = (['gross', 'net', 'tare', undefined] as const)[int(r, 4)];
  return encodeAndLine({ state, ...(basis ? { basis } : {}), display: { value: formatGrams(grams, basis ? 'kg' : 'g', basis ? 2 : 1), unit: basis ? 'kg' : 'g' } });
}

const mtRaw = (m: MtSicsReply) => (m.kind === 'weight' || m.kind === 'tare' ? m.reading.raw : m.raw);

interface Case<T> {
  name: string;
  make: () => ScaleStreamParser<T>;
  frame: (r: Rand) => Uint8Array;
  raw: (t: T) => string;
  maxPending: number;
}

const CASES = [
  { name: 'MT-SICS', make: () => new MtSicsReplyParser(), frame: mtSicsFrame, raw: mtRaw, maxPending: 128 } satisfies Case<MtSicsReply>,
  { name: 'XK3190', make: () => new Xk3190Parser(), frame: xkFrame, raw: (t) => t.raw, maxPending: 11 } satisfies Case<{ raw: string }>,
  { name: 'A&D', make: () => new AndParser(), frame: andFrame, raw: (t) => t.raw, maxPending: 128 } satisfies Case<{ raw: string }>,
] as Case<unknown>[];

/** Checks that `expected` appears in `found` in order (found may hold extra frames made by chance from junk). */
function missingFrom(found: string[], expected: string[]): string[] {
  let i = 0;
  const missing: string[] = [];
  for (const e of expected) {
    const at = found.indexOf(e, i);
    if (at < 0) missing.push(e);
    else i = at + 1;
  }
  return missing;
}

describe.each(CASES)('$name parser under fuzzing', ({ make, frame, raw, maxPending }) => {
  it('>= 100 000 random chunks: no throw, bounded, every buried frame found', () => {
    const r = prng(0x5ca1e + maxPending);
    const parser = make();
    const expected: string[] = [];
    const found: string[] = [];
    let chunks = 0;
    while (chunks < 100_000) {
      // Build a stretch of stream: junk, a frame, junk, a frame ... then cut it into random chunks.
      const parts: Uint8Array[] = [];
      for (let k = 0; k < 50; k++) {
        parts.push(junk(r));
        if (r() < 0.1) {
          // A frame damaged in transit: one byte changed. Not expected back (for XK3190 it is a bad checksum).
          const damaged = frame(r).slice();
          const at = int(r, damaged.length);
          damaged[at] = damaged[at]! ^ (1 << int(r, 8));
          parts.push(damaged);
        }
        const f = frame(r);
        parts.push(f);
        expected.push(text(f).trim());
      }
      const stream = Buffer.concat(parts);
      for (let at = 0; at < stream.length; ) {
        const n = 1 + int(r, 24);
        for (const m of parser.push(stream.subarray(at, at + n))) found.push(raw(m));
        at += n;
        chunks++;
        if (parser.pending > maxPending) throw new Error(`holding ${parser.pending} bytes`);
      }
    }
    expect(chunks).toBeGreaterThanOrEqual(100_000);
    expect(missingFrom(found, expected)).toEqual([]);
    const c = parser.counters;
    expect(c.frames).toBe(found.length);
    expect(c.dropped.junkBytes + c.dropped.malformed).toBeGreaterThan(0);
    if (maxPending === 11) expect(c.dropped.badChecksum).toBeGreaterThan(0);
    if (process.env.FUZZ_STATS) console.log(JSON.stringify({ chunks, sent: expected.length, found: found.length, counters: c }));
  });

  it('pure noise never throws and never holds more than its bound', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (chunks) => {
        const p = make();
        for (const c of chunks) {
          p.push(c);
          expect(p.pending).toBeLessThanOrEqual(maxPending);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the same frames come out however the stream is cut', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }), (seed, cuts) => {
        const r = prng(seed);
        const stream = Buffer.concat(Array.from({ length: 5 }, () => [junk(r), frame(r)]).flat());
        const whole = make().push(stream).map(raw);
        const p = make();
        const pieces: string[] = [];
        let at = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          pieces.push(...p.push(stream.subarray(at, Math.max(at, c))).map(raw));
          at = Math.max(at, c);
        }
        pieces.push(...p.push(stream.subarray(at)).map(raw));
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
