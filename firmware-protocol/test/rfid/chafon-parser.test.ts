import { describe, expect, it } from 'vitest';
import { encodeChafonFrame, type ChafonFrame } from '../../src/rfid/chafon/frame.ts';
import { ChafonFrameParser } from '../../src/rfid/chafon/parser.ts';
import { concatBytes } from '../../src/encoding.ts';
import { hex, randomBytes, randomInt, seededRandom, spaced } from './bytes.ts';

const INVENTORY = hex('04 FF 01 1B B4');
const READER_INFO = hex('04 FF 21 19 95');
const ONE_TAG = hex('13 00 01 01 01 0C 30 74 25 7B F7 19 4E 40 00 00 1A 85 93 82');
const NO_TAG = hex('05 00 01 FB F2 3D');

const wire = (frames: ChafonFrame[]) => frames.map((f) => spaced(encodeChafonFrame(f)));

function feed(parser: ChafonFrameParser, ...chunks: Uint8Array[]): string[] {
  return chunks.flatMap((c) => wire(parser.push(c)));
}

describe('ChafonFrameParser', () => {
  it('returns one frame from one chunk', () => {
    const parser = new ChafonFrameParser();
    expect(feed(parser, ONE_TAG)).toEqual([spaced(ONE_TAG)]);
    expect(parser.counters).toEqual({ frames: 1, dropped: { badCrc: 0, junkBytes: 0 } });
    expect(parser.buffered).toBe(0);
  });

  it('returns several frames from one chunk', () => {
    const parser = new ChafonFrameParser();
    expect(feed(parser, concatBytes(INVENTORY, ONE_TAG, NO_TAG, READER_INFO))).toEqual([INVENTORY, ONE_TAG, NO_TAG, READER_INFO].map(spaced));
  });

  it('joins a frame split at every byte offset, and two frames split at every pair of offsets', () => {
    const stream = concatBytes(ONE_TAG, NO_TAG);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const parser = new ChafonFrameParser();
        const got = feed(parser, stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j));
        expect(got, `split at ${i} and ${j}`).toEqual([spaced(ONE_TAG), spaced(NO_TAG)]);
        expect(parser.counters.dropped).toEqual({ badCrc: 0, junkBytes: 0 });
      }
    }
  });

  it('takes a frame one byte at a time, the CRC bytes arriving alone', () => {
    const parser = new ChafonFrameParser();
    const got: string[] = [];
    for (const b of ONE_TAG) got.push(...feed(parser, Uint8Array.of(b)));
    expect(got).toEqual([spaced(ONE_TAG)]);
  });

  it('skips junk before a frame, counting it', () => {
    const parser = new ChafonFrameParser();
    // 00-03 can never be a length; 02 and 01 are slid over at once.
    expect(feed(parser, hex('00 02 01'), INVENTORY)).toEqual([spaced(INVENTORY)]);
    expect(parser.counters.dropped).toEqual({ badCrc: 0, junkBytes: 3 });
  });

  it('drops a frame with a bad CRC, counts it, and finds the next frame', () => {
    const parser = new ChafonFrameParser();
    const damaged = hex('04 00 01 00 00');
    expect(feed(parser, damaged, ONE_TAG, NO_TAG)).toEqual([spaced(ONE_TAG), spaced(NO_TAG)]);
    expect(parser.counters.dropped).toEqual({ badCrc: 1, junkBytes: 1 + 4 });
    expect(parser.counters.frames).toBe(2);
  });

  it('after a damaged frame whose bytes claim a long frame, finds the next one once the line goes quiet', () => {
    // Sliding through 04 FF 01 1B B5 meets FF: a candidate of 256 bytes that only time can rule out.
    const parser = new ChafonFrameParser();
    expect(feed(parser, hex('04 FF 01 1B B5'), ONE_TAG)).toEqual([]);
    expect(wire(parser.flush())).toEqual([spaced(ONE_TAG)]);
    expect(parser.counters.dropped.badCrc).toBe(1);
  });

  it('finds a frame that starts inside the bytes of a damaged candidate', () => {
    // 0x08 claims 9 bytes; the real frame starts at the second byte, inside that candidate.
    const parser = new ChafonFrameParser();
    expect(feed(parser, concatBytes(hex('08'), INVENTORY, hex('AA BB BB')))).toEqual([spaced(INVENTORY)]);
    expect(parser.counters.dropped.badCrc).toBe(1);
  });

  it('holds back a noise byte that claims a long frame until the line goes quiet, then flushes', () => {
    const parser = new ChafonFrameParser();
    expect(feed(parser, hex('FE'), NO_TAG)).toEqual([]);
    expect(parser.buffered).toBe(1 + NO_TAG.length);
    expect(wire(parser.flush())).toEqual([spaced(NO_TAG)]);
    expect(parser.buffered).toBe(0);
    expect(parser.counters.dropped.junkBytes).toBe(1);
  });

  it('drops whatever the flush cannot make a frame of', () => {
    const parser = new ChafonFrameParser();
    feed(parser, ONE_TAG.subarray(0, 10));
    expect(parser.flush()).toEqual([]);
    expect(parser.buffered).toBe(0);
    expect(parser.counters.dropped.junkBytes).toBe(10);
  });

  it('copies out of a Buffer chunk, whose slice() would be a view', () => {
    const parser = new ChafonFrameParser();
    const chunk = Buffer.from(concatBytes(ONE_TAG, ONE_TAG.subarray(0, 7)));
    const [frame] = parser.push(chunk);
    chunk.fill(0);
    expect(frame!.data.constructor).toBe(Uint8Array);
    expect(spaced(encodeChafonFrame(frame!))).toBe(spaced(ONE_TAG));
    expect(feed(parser, ONE_TAG.subarray(7))).toEqual([spaced(ONE_TAG)]);
  });

  it('never keeps the caller\'s buffer', () => {
    const parser = new ChafonFrameParser();
    const chunk = concatBytes(ONE_TAG.subarray(0, 7));
    parser.push(chunk);
    chunk.fill(0);
    expect(feed(parser, ONE_TAG.subarray(7))).toEqual([spaced(ONE_TAG)]);
  });
});

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = haystack.indexOf(needle[0]!, from); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(needle[0]!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('a frame that is not in the stream');
}

describe('ChafonFrameParser fuzz', () => {
  function randomFrame(random: () => number): ChafonFrame {
    return { address: randomInt(random, 0, 255), command: randomInt(random, 0, 255), data: randomBytes(random, randomInt(random, 0, random() < 0.1 ? 251 : 40)) };
  }

  function* chunksOf(stream: Uint8Array, random: () => number): Generator<Uint8Array> {
    for (let at = 0; at < stream.length; ) {
      const size = randomInt(random, 1, 16);
      yield stream.subarray(at, at + size);
      at += size;
    }
  }

  it('survives 100 000+ chunks of pure noise: no throw, bounded buffer, every byte accounted for', () => {
    const random = seededRandom(1);
    const stream = randomBytes(random, 900_000);
    const parser = new ChafonFrameParser();
    let chunks = 0;
    let frameBytes = 0;
    for (const chunk of chunksOf(stream, random)) {
      chunks++;
      for (const f of parser.push(chunk)) frameBytes += f.data.length + 5;
      if (parser.buffered > 255) throw new Error(`buffer grew to ${parser.buffered}`);
    }
    expect(chunks).toBeGreaterThanOrEqual(100_000);
    expect(frameBytes + parser.counters.dropped.junkBytes + parser.buffered).toBe(stream.length);
  });

  it('finds frames embedded in noise and split anywhere, across 100 000+ chunks', () => {
    const random = seededRandom(2);
    const parts: Uint8Array[] = [];
    /** Where each sent frame sits in the stream. */
    const sent: { at: number; size: number }[] = [];
    let offset = 0;
    const append = (bytes: Uint8Array) => {
      parts.push(bytes);
      offset += bytes.length;
    };
    for (let n = 0; n < 25_000; n++) {
      if (random() < 0.5) append(randomBytes(random, randomInt(random, 1, 16)));
      const bytes = encodeChafonFrame(randomFrame(random));
      // A damaged copy now and then: it must be dropped and must not hide what follows.
      if (random() < 0.05) {
        const copy = bytes.slice();
        const at = randomInt(random, 0, copy.length - 1);
        copy[at] = copy[at]! ^ (1 << randomInt(random, 0, 7));
        append(copy);
      }
      sent.push({ at: offset, size: bytes.length });
      append(bytes);
    }
    const stream = concatBytes(...parts);
    const parser = new ChafonFrameParser();
    const got: Uint8Array[] = [];
    let chunks = 0;
    for (const chunk of chunksOf(stream, random)) {
      chunks++;
      for (const f of parser.push(chunk)) got.push(encodeChafonFrame(f));
      if (parser.buffered > 255) throw new Error(`buffer grew to ${parser.buffered}`);
    }
    for (const f of parser.flush()) got.push(encodeChafonFrame(f));
    expect(chunks).toBeGreaterThanOrEqual(100_000);
    expect(parser.buffered).toBe(0);
    expect(got.reduce((n, f) => n + f.length, 0) + parser.counters.dropped.junkBytes).toBe(stream.length);

    // Frames come out in stream order and are pieces of the stream: locate each one.
    const spans: { at: number; size: number }[] = [];
    let from = 0;
    for (const f of got) {
      const at = indexOfBytes(stream, f, from);
      spans.push({ at, size: f.length });
      from = at + f.length;
    }
    const sentAt = new Set(sent.map((s) => s.at));
    const extra = spans.filter((s) => !sentAt.has(s.at));
    const gotAt = new Set(spans.map((s) => s.at));
    const lost = sent.filter((s) => !gotAt.has(s.at));
    // Without a start byte, noise that happens to end in a valid CRC (1 in 65 536 per candidate) is a
    // frame, and a long one swallows the real frames under it. That is the only way to lose one.
    expect(extra.length).toBeLessThan(20);
    for (const l of lost) {
      expect(extra.some((e) => e.at < l.at + l.size && l.at < e.at + e.size), `frame at ${l.at} lost under no false frame`).toBe(true);
    }
    expect(lost.length).toBeLessThan(sent.length / 500);
  });
});
