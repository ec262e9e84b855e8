import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyChain, ChainVerifier, type CustodyEvent, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { reconstructTrail, tagsOfEvent, toTrailRecord, currentDwellMs, type TrailRecord } from '../../src/custody/index.ts';
import { vectorContext, vectorKeyring, vectorRecords } from '../../../firmware-protocol/test/support.ts';

const BAG_A = 'epc:3074257bf7194e4000001a85';
const BAG_B = 'qr:WT1-HZH001-ICU-I-260302-0042';

/** The golden chain, verified, as trail records: one reference kiosk doing every step for two bags. */
function goldenTrailRecords(): TrailRecord[] {
  const ctx = vectorContext();
  const v = new ChainVerifier(ctx, { strictOrder: true });
  const decoded: DecodedRecord[] = vectorRecords('chain-valid.jsonl').flatMap((r) => v.push(r).flatMap((e) => (e.kind === 'accepted' ? [e.record] : [])));
  expect(verifyChain(vectorRecords('chain-valid.jsonl'), ctx).failures).toEqual([]);
  const keyring = vectorKeyring();
  return decoded.map((d) => toTrailRecord(d, keyring.devices.get(d.record.device)!));
}

let seq = 1000;
function rec(event: CustodyEvent, time: string, over: Partial<TrailRecord> = {}): TrailRecord {
  seq++;
  return { device: 'dev-x', seq, hash: seq.toString(16).padStart(64, '0'), time, institution: 'hz-h001', stations: ['department'], event, ...over };
}
const g = (value: number) => ({ value, unit: 'g' as const });
const sealed = (tag: string, time: string, over: Partial<TrailRecord> = {}) =>
  rec({ type: 'sealed', body: { tags: [tag], category: 'infectious', weight: g(1000), department: 'ICU', staff: 's-1' } }, time, over);

describe('reconstructTrail on the golden chain', () => {
  const records = goldenTrailRecords();

  it('follows bag A from the ward to the furnace, with weights, holders and dwell times', () => {
    const t = reconstructTrail(records, BAG_A);
    expect(t.bag).toBe(BAG_A);
    expect(t.state).toBe('disposed');
    expect(t.steps.map((s) => s.step)).toEqual(['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed']);
    expect(t.steps.map((s) => s.grams)).toEqual([1250, 1248, undefined, undefined, 1246, undefined]);
    expect(t.steps[1]!.handover).toEqual({ bags: 2, grams: 2078 });
    expect(t.steps[3]).toMatchObject({ holder: { kind: 'transport-crew', id: 'ZA-A1234' }, manifest: 'HZ2026030200017', badges: ['badge-0207', 'crew-5501'] });
    expect(t.steps[0]!.dwellMs).toBe(30 * 60_000);
    expect(t.steps.at(-1)!.dwellMs).toBeUndefined();
    expect(t.anomalies).toEqual([]);
    expect(t.box).toBeUndefined();
  });

  it('applies the amending correction to bag B: category changed, the record itself untouched', () => {
    const t = reconstructTrail(records, BAG_B);
    expect(t.category).toBe('sharps');
    expect(t.steps[0]!.amended?.reason).toMatch(/sharps only/);
    expect(t.sealedGrams).toBe(830);
  });

  it('is the same whatever order the records arrive in', () => {
    const expected = reconstructTrail(records, BAG_A);
    fc.assert(fc.property(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), (shuffled) => {
      expect(reconstructTrail(shuffled, BAG_A)).toEqual(expected);
    }));
  });

  it('indexes every tag a record names', () => {
    expect(new Set(records.flatMap((r) => tagsOfEvent(r.event)))).toEqual(new Set([BAG_A, BAG_B, 'epc:331800cb5b4c20000000007b']));
  });
});

describe('reconstructTrail: what does not add up', () => {
  it('a bag first seen at disposal is NOT_SEALED (unknown origin)', () => {
    const t = reconstructTrail([rec({ type: 'received', body: { bags: [{ tag: BAG_A }], weight: g(900), operator: 'op', vehicle: 'V', manifest: 'M' } }, '2026-03-02T10:00:00.000Z', { institution: 'hz-d001' })], BAG_A);
    expect(t.state).toBe('received');
    expect(t.anomalies.map((a) => a.kind)).toEqual(['NOT_SEALED']);
  });

  it('a tag sealed twice is DUPLICATE_SEAL; the first sealing defines the bag', () => {
    const t = reconstructTrail([sealed(BAG_A, '2026-03-02T08:00:00.000Z'), sealed(BAG_A, '2026-03-02T09:00:00.000Z', { institution: 'hz-h002', device: 'dev-y' })], BAG_A);
    expect(t.institution).toBe('hz-h001');
    expect(t.anomalies.map((a) => a.kind)).toEqual(['DUPLICATE_SEAL']);
  });

  it('steps out of order, repeated, after disposal, at another institution, on another manifest', () => {
    const t = reconstructTrail(
      [
        sealed(BAG_A, '2026-03-02T08:00:00.000Z'),
        rec({ type: 'stored', body: { bags: [{ tag: BAG_A }], weight: g(1000), keeper: 'k', room: 'R1' } }, '2026-03-02T09:00:00.000Z'),
        rec({ type: 'collected', body: { bags: [{ tag: BAG_A }], weight: g(1000), giver: 'a', receiver: 'b' } }, '2026-03-02T09:30:00.000Z', { institution: 'hz-h009' }),
        rec({ type: 'picked-up', body: { bags: [{ tag: BAG_A }], weight: g(1000), giver: 'k', crew: 'c', vehicle: 'V1', manifest: 'M1' } }, '2026-03-02T10:00:00.000Z'),
        rec({ type: 'received', body: { bags: [{ tag: BAG_A }], weight: g(1000), operator: 'o', vehicle: 'V2', manifest: 'M1' } }, '2026-03-02T11:00:00.000Z', { institution: 'hz-d001' }),
        rec({ type: 'disposed', body: { bags: [BAG_A], method: 'incineration', batch: 'B1', operator: 'o' } }, '2026-03-02T12:00:00.000Z', { institution: 'hz-d001' }),
        rec({ type: 'disposed', body: { bags: [BAG_A], method: 'incineration', batch: 'B2', operator: 'o' } }, '2026-03-02T13:00:00.000Z', { institution: 'hz-d001' }),
      ],
      BAG_A,
    );
    expect(t.anomalies.map((a) => a.kind)).toEqual(['STEP_OUT_OF_ORDER', 'WRONG_INSTITUTION', 'MANIFEST_MISMATCH', 'STEP_AFTER_DISPOSAL']);
  });

  it('a voided sealing leaves the bag voided, and the voided step is kept aside', () => {
    const s = sealed(BAG_A, '2026-03-02T08:00:00.000Z');
    const t = reconstructTrail(
      [s, rec({ type: 'correction', body: { target: { device: s.device, seq: s.seq, hash: s.hash }, action: 'void', reason: 'test bag', authorisedBy: 'boss' } }, '2026-03-02T08:05:00.000Z')],
      BAG_A,
    );
    expect(t.state).toBe('voided');
    expect(t.steps).toEqual([]);
    expect(t.voided[0]!.reason).toBe('test bag');
  });

  it('a bag inside a turnover box follows the box through handovers that name only the box', () => {
    const BOX = 'epc:331800cb5b4c20000000007b';
    const t = reconstructTrail(
      [
        sealed(BAG_A, '2026-03-02T08:00:00.000Z'),
        rec({ type: 'aggregated', body: { box: BOX, bags: [BAG_A], action: 'pack', staff: 's-1' } }, '2026-03-02T08:10:00.000Z'),
        rec({ type: 'picked-up', body: { bags: [{ tag: BOX, weight: g(5000) }], weight: g(5000), giver: 'k', crew: 'c', vehicle: 'V1', manifest: 'M1' } }, '2026-03-02T10:00:00.000Z'),
      ],
      BAG_A,
    );
    expect(t.state).toBe('picked-up');
    expect(t.box).toBe(BOX);
    expect(t.steps[1]).toMatchObject({ viaBox: BOX, handover: { bags: 1, grams: 5000 } });
    expect(t.steps[1]!.grams).toBeUndefined();
    expect(currentDwellMs(t, Date.parse('2026-03-02T11:00:00.000Z'))).toBe(3_600_000);
  });
});
