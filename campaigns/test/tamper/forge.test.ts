import { describe, expect, it } from 'vitest';
import { decodeEnvelope, decodeRecordBytes, encodeEnvelope } from '@wastetrail/firmware-protocol';
import { extendChain, flipBit, newDevice, nonCanonicalEnvelope, nonCanonicalSigned, stationRecord, TAMPERED_STATIONS, timeEdited, withBom } from '../../src/tamper/forge.ts';

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

  it("sign every tampered station's record types, alternating along a chain and between variants", () => {
    const types = new Set<string>();
    for (const station of TAMPERED_STATIONS) {
      const s = newDevice(`forge-${station}`, undefined, station);
      for (const x of extendChain(s, 2, Date.UTC(2026, 11, 6, 8))) {
        expect(decodeEnvelope(encodeEnvelope(x)).ok).toBe(true);
        types.add(x.record.type);
      }
      // The next record tampered in at one seq: both of the station's types, by variant (a department has one).
      if (station !== 'department') expect(stationRecord(s, 3, s.chain[1]!.hash, Date.UTC(2026, 11, 6, 9), s.signer, 1).record.type).not.toBe(stationRecord(s, 3, s.chain[1]!.hash, Date.UTC(2026, 11, 6, 9), s.signer, 2).record.type);
    }
    expect([...types].sort()).toEqual(['climate', 'door', 'manifest-closed', 'manifest-issued', 'manifest-received', 'sealed', 'track']);
  });

  it('make a body of its own for every variant at one place, so no tampered record equals the genuine one', () => {
    for (const station of TAMPERED_STATIONS) {
      const s = newDevice(`forge-${station}`, undefined, station);
      const hashes = new Set(Array.from({ length: 3000 }, (_, v) => stationRecord(s, 6, '0'.repeat(64), Date.UTC(2026, 11, 6, 9), s.signer, v).hash));
      expect(hashes.size, station).toBe(3000);
    }
  });

  it('each non-canonical record form holds the same fields in other bytes, whatever the record type', () => {
    for (const station of TAMPERED_STATIONS) {
      const s = newDevice(`forge-${station}`, undefined, station);
      for (const x of extendChain(s, 2, Date.UTC(2026, 11, 6, 8))) {
        for (let f = 0; f < 5; f++) {
          const nc = nonCanonicalSigned(x, s.signer, f);
          expect(Buffer.from(nc.bytes).equals(Buffer.from(x.bytes)), `${x.record.type} form ${f}`).toBe(false);
          const decoded = decodeRecordBytes(nc.bytes);
          expect(decoded.ok ? 'accepted' : decoded.error.code, `${x.record.type} form ${f}`).toBe('NON_CANONICAL_RECORD');
        }
      }
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
