import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../src/encoding.ts';

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
