import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainVerifier, decodeEnvelope, decodeRecordBytes, recordHash, type ChainEvent, type SignedRecord } from '../../src/index.ts';
import { invalidVectorNames, vectorContext, vectorLines, vectorRecords } from '../support.ts';

const records = vectorRecords('chain-valid.jsonl');
const accepted = (events: ChainEvent[]) => events.flatMap((e) => (e.kind === 'accepted' ? [e.record.record.seq] : []));

describe('ChainVerifier in ingest mode (arrival order means nothing)', () => {
  it('any arrival order, with any duplication, yields the chain in order and nothing rejected but duplicates', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
        fc.array(fc.integer({ min: 0, max: records.length - 1 }), { maxLength: 6 }),
        (shuffled, dups) => {
          const v = new ChainVerifier(vectorContext(), { strictOrder: false });
          const events = [...shuffled, ...dups.map((i) => records[i]!)].flatMap((r) => v.push(r));
          expect(accepted(events)).toEqual(records.map((_, i) => i + 1));
          for (const e of events) if (e.kind === 'rejected') expect(e.error.code).toBe('DUPLICATE_RECORD');
          expect(v.missing('hz-h001-ref-01')).toBeUndefined();
        },
      ),
    );
  });

  it('holds records behind a gap, names the gap, and accepts them once given up on', () => {
    const v = new ChainVerifier(vectorContext(), { strictOrder: false });
    const events = [0, 1, 4, 5].flatMap((i) => v.push(records[i]!));
    expect(accepted(events)).toEqual([1, 2]);
    expect(v.missing('hz-h001-ref-01')).toEqual({ from: 3, to: 4 });
    const late = v.giveUpGap('hz-h001-ref-01');
    expect(late[0]).toMatchObject({ kind: 'rejected', error: { code: 'SEQUENCE_GAP', seq: 3 } });
    expect(accepted(late)).toEqual([5, 6]);
    // The missing records arriving later are behind the head now.
    expect(v.push(records[2]!)[0]).toMatchObject({ kind: 'rejected', error: { code: 'OUT_OF_ORDER' } });
  });

  it('gives up on a gap by itself when too many records are held', () => {
    const v = new ChainVerifier(vectorContext(), { strictOrder: false, maxHeld: 3 });
    const events = [0, 2, 3, 4, 5].flatMap((i) => v.push(records[i]!));
    expect(events.find((e) => e.kind === 'rejected')).toMatchObject({ error: { code: 'SEQUENCE_GAP', seq: 2 } });
    expect(accepted(events)).toEqual([1, 3, 4, 5, 6]);
  });

  it('continues from a stored head', () => {
    const v = new ChainVerifier(vectorContext(), { strictOrder: false });
    const six = v.push(records[5]!);
    expect(accepted(six)).toEqual([]);
    const w = new ChainVerifier(vectorContext(), { strictOrder: false });
    const head = accepted([...records.slice(0, 5).flatMap((r) => v.push(r))]);
    expect(head).toEqual([1, 2, 3, 4, 5, 6]);
    w.setHead('hz-h001-ref-01', v.head('hz-h001-ref-01')!);
    expect(accepted(w.push(records[6]!))).toEqual([7]);
  });
});

describe('ChainVerifier.pushDecoded (bytes already read in this process)', () => {
  it('decides every golden vector, valid and invalid, as push does', () => {
    const files = ['chain-valid.jsonl', 'chain-manifest.jsonl', 'chain-vehicle.jsonl', ...invalidVectorNames().map((f) => `invalid/${f}`)];
    for (const file of files) {
      const signed = vectorLines(file).flatMap((l): SignedRecord[] => {
        const e = decodeEnvelope(l);
        return e.ok ? [e.value] : [];
      });
      const byPush = new ChainVerifier(vectorContext(), { strictOrder: false });
      const byDecoded = new ChainVerifier(vectorContext(), { strictOrder: false });
      for (const r of signed) {
        const decoded = decodeRecordBytes(r.bytes);
        // Bytes that do not decode never reach pushDecoded (ingest refuses them with this error).
        if (!decoded.ok) continue;
        expect(byDecoded.pushDecoded({ ...r, record: decoded.value, hash: recordHash(r.bytes) }), file).toEqual(byPush.push(r));
      }
      expect(byDecoded.finish(), file).toEqual(byPush.finish());
    }
  });
});
