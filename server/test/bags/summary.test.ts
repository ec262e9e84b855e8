/** The pure parts of the projection: which bag a tag belongs to, and a trail's summary. */
import { describe, expect, it } from 'vitest';
import { bagIdOf, bagIdPath, boxesHolding, indexByTag, isTurnoverBox, summarizeBag, tagsPackedIn } from '../../src/bags/index.ts';
import { receivedGramsOf, reconstructTrail } from '../../src/custody/index.ts';
import { at, DISPOSAL, g, H, HOSPITAL, RecordBook, tag } from '../rules/support.ts';

const T = at('2026-03-02T15:30:00.000Z'); // 23:30 in Hangzhou

describe('which bag a tag belongs to', () => {
  it('is the first tag of the earliest seal naming it, or the tag itself when never sealed', () => {
    const book = new RecordBook();
    book.add({ type: 'sealed', body: { tags: [tag(1), 'qr:L1'], category: 'infectious', weight: g(900), department: 'ICU', staff: 's' } }, T, HOSPITAL);
    expect(bagIdOf('qr:L1', book.records)).toBe(tag(1));
    expect(bagIdOf(tag(1), book.records)).toBe(tag(1));
    expect(bagIdOf(tag(9), book.records)).toBe(tag(9));
    // A cloned label sealed earlier with another first tag: the earliest seal wins, and the path is followed.
    book.add({ type: 'sealed', body: { tags: [tag(2), tag(1)], category: 'infectious', weight: g(500), department: 'ICU', staff: 's' } }, T - H, HOSPITAL);
    expect(bagIdPath('qr:L1', indexByTag(book.records))).toEqual(['qr:L1', tag(1), tag(2)]);
    expect(reconstructTrail(book.records, bagIdOf('qr:L1', book.records)).bag).toBe(tag(2));
  });

  it('knows a turnover box, what was packed in it, and the boxes a bag was in', () => {
    const book = new RecordBook();
    const box = 'epc:331800cb5b4c20000000007b';
    book.add({ type: 'aggregated', body: { box, bags: [tag(1), tag(2)], action: 'pack', staff: 's' } }, T, HOSPITAL);
    book.add({ type: 'aggregated', body: { box, bags: [tag(3)], action: 'unpack', staff: 's' } }, T + H, HOSPITAL);
    expect(isTurnoverBox(box, book.records)).toBe(true);
    expect(isTurnoverBox(tag(1), book.records)).toBe(false);
    expect(tagsPackedIn(box, book.records)).toEqual([tag(1), tag(2), tag(3)]);
    expect(boxesHolding([tag(2)], book.records)).toEqual([box]);
  });
});

describe('a bag summary', () => {
  it('reads the steps, places and weights off the trail, and the sealing day in the local time zone', () => {
    const book = new RecordBook();
    book.seal(tag(1), T, 1000);
    book.store([{ tag: tag(1) }], 1000, T + H);
    book.pickUp([{ tag: tag(1) }], 998, T + 20 * H);
    book.receive([{ tag: tag(1), grams: 990 }], 990, T + 22 * H);
    const trail = reconstructTrail(book.records, tag(1));
    expect(summarizeBag(trail, { timeZone: 'Asia/Shanghai' })).toEqual({
      bag: tag(1),
      tags: [tag(1)],
      institution: HOSPITAL,
      department: 'ICU',
      category: 'infectious',
      state: 'received',
      sealedAt: '2026-03-02T15:30:00.000Z',
      sealedGrams: 1000,
      sealedDay: '2026-03-02',
      lastStep: 'received',
      lastStepAt: '2026-03-03T13:30:00.000Z',
      pickedUpAt: '2026-03-03T11:30:00.000Z',
      receivedAt: '2026-03-03T13:30:00.000Z',
      receivedGrams: 990,
      disposedAt: null,
      vehicle: 'ZA-A1234',
      manifest: 'HZ2026030200017',
      disposalInstitution: DISPOSAL,
      anomalies: 0,
    });
    // Half an hour later in Hangzhou it is the next day.
    book.seal(tag(2), T + H);
    expect(summarizeBag(reconstructTrail(book.records, tag(2)), { timeZone: 'Asia/Shanghai' }).sealedDay).toBe('2026-03-03');
    expect(summarizeBag(trail, { timeZone: 'UTC', receivedGrams: null })).toMatchObject({ sealedDay: '2026-03-02', receivedGrams: null });
  });

  it('keeps the sealing time of a voided bag, and has no seal for a bag of unknown origin', () => {
    const book = new RecordBook();
    const s = book.seal(tag(1), T);
    book.add({ type: 'correction', body: { target: { device: s.device, seq: s.seq, hash: s.hash }, action: 'void', reason: 'test bag', authorisedBy: 'b' } }, T + H, HOSPITAL);
    book.receive([{ tag: tag(2) }], 700, T, DISPOSAL);
    expect(summarizeBag(reconstructTrail(book.records, tag(1)), { timeZone: 'Asia/Shanghai' })).toMatchObject({ state: 'voided', sealedAt: s.time, lastStep: null });
    expect(summarizeBag(reconstructTrail(book.records, tag(2)), { timeZone: 'Asia/Shanghai' })).toMatchObject({ state: 'received', institution: null, sealedAt: null, sealedDay: null, receivedGrams: 700, anomalies: 1 });
  });

  it('shares a group weight only when every bag of the handover is in view', () => {
    const book = new RecordBook();
    book.seal(tag(1), T, 1000);
    book.seal(tag(2), T, 3000);
    book.receive([{ tag: tag(1) }, { tag: tag(2) }], 3900, T + 20 * H);
    const trails = [tag(1), tag(2)].map((t) => reconstructTrail(book.records, t));
    expect(receivedGramsOf(trails)).toEqual(new Map([[tag(1), 975], [tag(2), 2925]]));
    expect(receivedGramsOf(trails.slice(0, 1))).toEqual(new Map([[tag(1), null]]));
  });
});
