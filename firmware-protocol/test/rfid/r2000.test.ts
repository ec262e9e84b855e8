import { describe, expect, it } from 'vitest';
import {
  decodeR2000Frame,
  decodeR2000InventoryReply,
  encodeR2000FirmwareVersionCommand,
  encodeR2000Frame,
  encodeR2000RealTimeInventoryCommand,
  type R2000Frame,
} from '../../src/rfid/r2000/frame.ts';
import { R2000FrameParser } from '../../src/rfid/r2000/parser.ts';
import { concatBytes, toHex } from '../../src/encoding.ts';
import { hex, randomBytes, randomInt, seededRandom, spaced } from './bytes.ts';

/** Replies of a reader at address 0x01; checksums computed independently of this code. */
const TAG = hex('A0 13 01 89 05 30 00 30 74 25 7B F7 19 4E 40 00 00 1A 85 4A C3'); // antenna 2, frequency 1, RSSI 0x4A
const ROUND_END = hex('A0 0A 01 89 00 00 05 00 00 00 12 B5'); // antenna 1, 5 reads/s, 18 reads
const ERROR = hex('A0 04 01 89 22 B0'); // error code 0x22
const FIRMWARE = hex('A0 05 01 72 10 05 D3'); // version 16.5

function frameOf(bytes: Uint8Array): R2000Frame {
  const decoded = decodeR2000Frame(bytes);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value;
}

describe('R2000 "A0" frames', () => {
  it('encodes the real-time inventory and firmware version commands', () => {
    expect(spaced(encodeR2000RealTimeInventoryCommand(0x01, 1))).toBe('A0 04 01 89 01 D1');
    expect(spaced(encodeR2000FirmwareVersionCommand(0x01))).toBe('A0 03 01 72 EA');
  });

  it('decodes and re-encodes a reply', () => {
    const frame = frameOf(FIRMWARE);
    expect(frame).toEqual({ address: 1, command: 0x72, data: Uint8Array.of(0x10, 0x05) });
    expect(spaced(encodeR2000Frame(frame))).toBe(spaced(FIRMWARE));
  });

  it('names what is wrong with a frame', () => {
    expect(decodeR2000Frame(hex('A0 03 01 72 EB'))).toMatchObject({ ok: false, error: { code: 'BAD_CHECKSUM' } });
    expect(decodeR2000Frame(hex('A0 03 01 72'))).toMatchObject({ ok: false, error: { code: 'TRUNCATED_FRAME' } });
    expect(decodeR2000Frame(hex('A1 03 01 72 EA'))).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
    expect(decodeR2000Frame(hex('A0 03 01 72 EA 00'))).toMatchObject({ ok: false, error: { code: 'TRAILING_BYTES' } });
  });

  it('tells a tag, a round summary and an error apart in real-time inventory replies', () => {
    const tag = decodeR2000InventoryReply(frameOf(TAG));
    expect(tag.ok && tag.value).toMatchObject({ kind: 'tag', antenna: 2, frequency: 1, pc: 0x3000, rssi: 0x4a });
    expect(tag.ok && tag.value.kind === 'tag' && toHex(tag.value.epc)).toBe('3074257bf7194e4000001a85');
    expect(decodeR2000InventoryReply(frameOf(ROUND_END))).toEqual({ ok: true, value: { kind: 'round-end', antenna: 1, readRate: 5, totalReads: 18 } });
    expect(decodeR2000InventoryReply(frameOf(ERROR))).toEqual({ ok: true, value: { kind: 'error', errorCode: 0x22 } });
    expect(decodeR2000InventoryReply(frameOf(FIRMWARE))).toMatchObject({ ok: false, error: { code: 'UNEXPECTED_COMMAND' } });
  });
});

describe('R2000FrameParser', () => {
  const feed = (parser: R2000FrameParser, ...chunks: Uint8Array[]) => chunks.flatMap((c) => parser.push(c).map((f) => spaced(encodeR2000Frame(f))));

  it('returns several frames from one chunk and joins frames split at every offset', () => {
    const stream = concatBytes(TAG, ROUND_END, ERROR);
    expect(feed(new R2000FrameParser(), stream)).toEqual([TAG, ROUND_END, ERROR].map(spaced));
    for (let i = 0; i <= stream.length; i++) {
      expect(feed(new R2000FrameParser(), stream.subarray(0, i), stream.subarray(i)), `split at ${i}`).toEqual([TAG, ROUND_END, ERROR].map(spaced));
    }
  });

  it('skips junk before the start byte and slides past a bad checksum', () => {
    const parser = new R2000FrameParser();
    const damaged = ERROR.slice();
    damaged[4] = 0x23;
    expect(feed(parser, hex('00 11 22'), damaged, FIRMWARE)).toEqual([spaced(FIRMWARE)]);
    expect(parser.counters).toEqual({ frames: 1, dropped: { badCrc: 1, junkBytes: 3 + damaged.length } });
  });

  it('copies frames out of a Buffer chunk', () => {
    const chunk = Buffer.from(concatBytes(FIRMWARE, FIRMWARE.subarray(0, 3)));
    const [frame] = new R2000FrameParser().push(chunk);
    chunk.fill(0);
    expect(frame!.data.constructor).toBe(Uint8Array);
    expect(spaced(encodeR2000Frame(frame!))).toBe(spaced(FIRMWARE));
  });

  it('flushes a start byte whose frame never comes', () => {
    const parser = new R2000FrameParser();
    expect(feed(parser, hex('A0 FF'), FIRMWARE)).toEqual([]);
    expect(parser.flush().map((f) => spaced(encodeR2000Frame(f)))).toEqual([spaced(FIRMWARE)]);
    expect(parser.buffered).toBe(0);
  });

  it('fuzz: 100 000+ random chunks with frames in noise; no throw, bounded buffer, every byte accounted for', () => {
    const random = seededRandom(3);
    const parts: Uint8Array[] = [];
    const sent: string[] = [];
    for (let n = 0; n < 30_000; n++) {
      if (random() < 0.5) parts.push(randomBytes(random, randomInt(random, 1, 16)));
      const bytes = encodeR2000Frame({ address: randomInt(random, 0, 255), command: randomInt(random, 0, 255), data: randomBytes(random, randomInt(random, 0, 40)) });
      parts.push(bytes);
      sent.push(spaced(bytes));
    }
    const stream = concatBytes(...parts);
    const parser = new R2000FrameParser();
    const got: string[] = [];
    let chunks = 0;
    let frameBytes = 0;
    for (let at = 0; at < stream.length; chunks++) {
      const size = randomInt(random, 1, 16);
      for (const f of parser.push(stream.subarray(at, at + size))) {
        got.push(spaced(encodeR2000Frame(f)));
        frameBytes += f.data.length + 5;
      }
      if (parser.buffered > 256) throw new Error(`buffer grew to ${parser.buffered}`);
      at += size;
    }
    for (const f of parser.flush()) {
      got.push(spaced(encodeR2000Frame(f)));
      frameBytes += f.data.length + 5;
    }
    expect(chunks).toBeGreaterThanOrEqual(100_000);
    expect(frameBytes + parser.counters.dropped.junkBytes).toBe(stream.length);
    // A one-byte sum is weak (1 in 256 noise candidates passes): count, in order, the frames recovered.
    let found = 0;
    let from = 0;
    for (const frame of sent) {
      const i = got.indexOf(frame, from);
      if (i >= 0) {
        found++;
        from = i + 1;
      }
    }
    expect(found / sent.length).toBeGreaterThan(0.98);
  });
});
