import { describe, expect, it } from 'vitest';
import { MqttFrameSizeGuard } from '../src/limits/frame-size-guard.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

// PINGREQ: c0 00
const PINGREQ = bytes(0xc0, 0x00);
// PUBLISH QoS 0, topic "a", payload "xyz": 30 06 00 01 61 78 79 7a
const SMALL_PUBLISH = bytes(0x30, 0x06, 0x00, 0x01, 0x61, 0x78, 0x79, 0x7a);
// PUBLISH header announcing 200 remaining bytes (two-byte length c8 01)
const PUBLISH_200 = bytes(0x30, 0xc8, 0x01);
// A remaining length with five continuation bytes: malformed
const MALFORMED = bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x7f);

describe('MqttFrameSizeGuard', () => {
  it('passes packets within the limit, one or several per chunk', () => {
    const g = new MqttFrameSizeGuard(100);
    expect(g.feed(PINGREQ)).toBeUndefined();
    expect(g.feed(Uint8Array.from([...SMALL_PUBLISH, ...PINGREQ, ...SMALL_PUBLISH]))).toBeUndefined();
  });

  it('follows a packet split across chunks, down to single bytes', () => {
    const g = new MqttFrameSizeGuard(100);
    for (const b of [...SMALL_PUBLISH, ...PINGREQ]) expect(g.feed(bytes(b))).toBeUndefined();
    // Still in step: the next header is read as a header.
    expect(g.feed(PUBLISH_200)).toBe(200);
  });

  it('reports the announced length of an oversize packet before its body arrives', () => {
    expect(new MqttFrameSizeGuard(199).feed(PUBLISH_200)).toBe(200);
    expect(new MqttFrameSizeGuard(200).feed(PUBLISH_200)).toBeUndefined();
  });

  it('reports an oversize length whose bytes arrive alone', () => {
    const g = new MqttFrameSizeGuard(150);
    expect(g.feed(bytes(0x30))).toBeUndefined();
    expect(g.feed(bytes(0xc8))).toBeUndefined();
    expect(g.feed(bytes(0x01))).toBe(200);
  });

  it('skips a large body that is within the limit', () => {
    const g = new MqttFrameSizeGuard(300);
    expect(g.feed(PUBLISH_200)).toBeUndefined();
    expect(g.feed(new Uint8Array(150))).toBeUndefined();
    expect(g.feed(Uint8Array.from([...new Uint8Array(50), ...PINGREQ]))).toBeUndefined();
    expect(g.feed(PUBLISH_200.subarray(0, 2))).toBeUndefined();
  });

  it('treats a remaining length longer than four bytes as malformed', () => {
    expect(new MqttFrameSizeGuard(1e9).feed(MALFORMED)).toBe(Number.POSITIVE_INFINITY);
  });
});
