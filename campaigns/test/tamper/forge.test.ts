import { describe, expect, it } from 'vitest';
import { decodeEnvelope, decodeRecordBytes, encodeEnvelope } from '@wastetrail/firmware-protocol';
import { extendChain, flipBit, newDevice, nonCanonicalEnvelope, nonCanonicalSigned, timeEdited, withBom } from '../../src/tamper/forge.ts';

const d = newDevice('forge-test');
const [r] = extendChain(d, 1, Date.UTC(2026, 11, 6, 8));

describe("the tamper campaign's forgeries", () => {
  it('start from a genuine record the one-form rules accept', () => {
    expect(decodeEnvelope(encodeEnvelope(r!)).ok).toBe(true);
  });

  it('each non-canonical envelope form is another text than the one form', () => {
    for (let f = 0; f < 6; f++) {
      const line = nonCanonicalEnvelope(r!, f);
      expect(line).not.toBe(encodeEnvelope(r!));
      expect(decodeEnvelope(line).ok, line).toBe(false);
    }
    expect(decodeEnvelope(withBom(encodeEnvelope(r!))).ok).toBe(false);
  });

  it('each non-canonical record form holds the same fields in other bytes', () => {
    for (let f = 0; f < 5; f++) {
      const nc = nonCanonicalSigned(r!, d.signer, f);
      expect(Buffer.from(nc.bytes).equals(Buffer.from(r!.bytes))).toBe(false);
      const decoded = decodeRecordBytes(nc.bytes);
      expect(decoded.ok ? 'accepted' : decoded.error.code).toBe('NON_CANONICAL_RECORD');
    }
  });

  it('a bit flip and a time edit change exactly what they say', () => {
    const flipped = flipBit(r!.signature, 9);
    expect(flipped[1]).toBe(r!.signature[1]! ^ 2);
    expect([...flipped].filter((b, i) => b !== r!.signature[i]).length).toBe(1);
    const moved = timeEdited(r!, 60_000);
    expect(JSON.parse(Buffer.from(moved.bytes).toString()).time).toBe('2026-12-06T08:01:00.000Z');
    expect(moved.signature).toBe(r!.signature);
  });
});
