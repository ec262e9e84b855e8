import { describe, expect, it } from 'vitest';
import { fromHex, fromUtf8, toHex, utf8 } from '../src/encoding.ts';

describe('fromUtf8', () => {
  it('keeps every byte, a leading byte-order mark too, so what reads the text can refuse it', () => {
    expect(fromUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('\uFEFF{}');
    expect(utf8(fromUtf8(utf8('\uFEFF\uFEFFx'))!)).toEqual(utf8('\uFEFF\uFEFFx'));
  });

  it('refuses invalid UTF-8 instead of substituting', () => {
    expect(fromUtf8(Uint8Array.from([0xc3, 0x28]))).toBeUndefined();
    expect(fromUtf8(Uint8Array.from([0xef, 0xbb]))).toBeUndefined();
  });
});

describe('fromHex', () => {
  it('reads lower-case hex of every byte value back, and nothing else', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromHex(toHex(all))).toEqual(all);
    expect(fromHex('')).toEqual(new Uint8Array());
    for (const bad of ['0', 'AB', 'ag', '0x00', ' 00', '00 ', 'g0']) expect(fromHex(bad), bad).toBeUndefined();
  });
});
