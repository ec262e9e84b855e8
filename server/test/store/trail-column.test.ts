import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainVerifier, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { reconstructTrail, toTrailRecord, type BagTrail, type TrailRecord } from '../../src/custody/index.ts';
import { decodeStoredTrail, encodeStoredTrail } from '../../src/store/trail-column.ts';
import { trailWithEveryField } from './contract.ts';
import { vectorContext, vectorKeyring, vectorRecords } from '../../../firmware-protocol/test/support.ts';

const BAG_A = 'epc:3074257bf7194e4000001a85';
const BAG_B = 'qr:WT1-HZH001-ICU-I-260302-0042';

/** The golden chain's records, verified: bag A's six steps, bag B's amended sealing. */
function goldenTrailRecords(): TrailRecord[] {
  const v = new ChainVerifier(vectorContext(), { strictOrder: true });
  const decoded: DecodedRecord[] = vectorRecords('chain-valid.jsonl').flatMap((r) => v.push(r).flatMap((e) => (e.kind === 'accepted' ? [e.record] : [])));
  const keyring = vectorKeyring();
  return decoded.map((d) => toTrailRecord(d, keyring.devices.get(d.record.device)!));
}

/** Through the column and back, as a store does it: JSON text in between. */
const throughColumn = (trail: BagTrail): BagTrail => decodeStoredTrail(JSON.parse(JSON.stringify(encodeStoredTrail(trail))));
/** What the object form kept: JSON drops absent fields. */
const asJson = (trail: BagTrail): BagTrail => JSON.parse(JSON.stringify(trail)) as BagTrail;

describe('the stored trail column', () => {
  it('gives back the golden chain trails as reconstructTrail made them, in less text than the object form', () => {
    const records = goldenTrailRecords();
    for (const bag of [BAG_A, BAG_B]) {
      const trail = reconstructTrail(records, bag);
      expect(throughColumn(trail)).toEqual(asJson(trail));
      expect(JSON.stringify(encodeStoredTrail(trail)).length).toBeLessThan(0.8 * JSON.stringify(trail).length);
    }
    // Bag B's sealing was amended by a correction: the amendment is kept.
    expect(throughColumn(reconstructTrail(records, BAG_B)).steps[0]!.amended?.reason).toMatch(/sharps only/);
  });

  it('keeps every field of a step, a voided step, anomalies and the box, and leaves absent ones absent', () => {
    const trail = trailWithEveryField();
    const back = throughColumn(trail);
    expect(back).toEqual(trail);
    expect(Object.keys(back.steps[0]!).sort()).toEqual(['badges', 'handover', 'holder', 'institution', 'record', 'step', 'time']);
    const bare: BagTrail = { bag: 'qr:x', tags: ['qr:x'], state: 'sealed', steps: [], voided: [], anomalies: [] };
    expect(Object.keys(throughColumn(bare)).sort()).toEqual(['anomalies', 'bag', 'state', 'steps', 'tags', 'voided']);
  });

  it('gives back any trail of the golden records, whichever of them are stored', () => {
    const records = goldenTrailRecords();
    fc.assert(
      fc.property(fc.subarray(records), fc.constantFrom(BAG_A, BAG_B), (some, bag) => {
        const trail = reconstructTrail(some, bag);
        expect(throughColumn(trail)).toEqual(asJson(trail));
      }),
    );
  });

  it('reads a row written in the object form before this layout as it is', () => {
    const trail = asJson(reconstructTrail(goldenTrailRecords(), BAG_A));
    expect(decodeStoredTrail(JSON.parse(JSON.stringify(trail)))).toEqual(trail);
  });

  it('refuses a layout it does not know, saying which', () => {
    const encoded = encodeStoredTrail(reconstructTrail(goldenTrailRecords(), BAG_A));
    expect(() => decodeStoredTrail([2, ...encoded.slice(1)])).toThrow(/stored trail: unknown layout 2/);
  });
});
