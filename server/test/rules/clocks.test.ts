/** The rules that run on the clock: the event that should have come and did not. */
import { describe, expect, it } from 'vitest';
import { evaluateRules, ruleConfig, type RuleId } from '../../src/rules/index.ts';
import { at, DISPOSAL, H, HOSPITAL, inputs, MIN, RecordBook, tag } from './support.ts';

const T = at('2026-03-02T02:00:00.000Z');

function judge(book: RecordBook, nowMs: number, rule: RuleId, config = ruleConfig()) {
  return evaluateRules(inputs({ nowMs, trails: book.trails(), rules: [rule] }, config)).candidates;
}

describe('storage overdue', () => {
  const book = new RecordBook();
  book.seal(tag(1), T - 3 * H);
  book.collect([{ tag: tag(1) }], 1000, T - 2 * H);
  book.store([{ tag: tag(1) }], 1000, T);

  it('is silent at 35 h 59 min, a warning at 36 h, critical at 48 h, under one dedupe key', () => {
    expect(judge(book, T + 35 * H + 59 * MIN, 'storage-overdue')).toEqual([]);
    const warn = judge(book, T + 36 * H, 'storage-overdue');
    expect(warn).toMatchObject([{ rule: 'storage-overdue', severity: 'warning', dedupeKey: `storage-overdue:bag:${tag(1)}`, institution: HOSPITAL, bag: tag(1), jurisdiction: '330106-g01' }]);
    expect(warn[0]!.message).toBe(`Bag ${tag(1)} has been in storage room R1 at ${HOSPITAL} for 36 h (limit 48 h).`);
    expect(judge(book, T + 47 * H + 59 * MIN, 'storage-overdue')[0]!.severity).toBe('warning');
    const crit = judge(book, T + 48 * H, 'storage-overdue');
    expect(crit).toMatchObject([{ severity: 'critical', dedupeKey: warn[0]!.dedupeKey, sinceMs: T }]);
    expect(crit[0]!.evidence).toEqual([{ device: `${HOSPITAL}-storage`, seq: 1, hash: book.records[2]!.hash }]);
  });

  it('stops once the bag is picked up, and does not restart when it moves between rooms', () => {
    const moved = new RecordBook();
    moved.seal(tag(2), T - H);
    moved.store([{ tag: tag(2) }], 1000, T);
    moved.store([{ tag: tag(2) }], 1000, T + 20 * H, HOSPITAL, 'R2');
    expect(judge(moved, T + 36 * H, 'storage-overdue')).toMatchObject([{ severity: 'warning', params: { room: 'R2' } }]);
    moved.pickUp([{ tag: tag(2) }], 1000, T + 40 * H);
    expect(judge(moved, T + 60 * H, 'storage-overdue')).toEqual([]);
  });
});

describe('department unsent', () => {
  it('fires when a sealed bag has not been collected within 24 h', () => {
    const book = new RecordBook();
    book.seal(tag(3), T);
    expect(judge(book, T + 24 * H - 1, 'department-unsent')).toEqual([]);
    expect(judge(book, T + 24 * H, 'department-unsent')).toMatchObject([{ severity: 'warning', params: { department: 'ICU', hours: 24, limitHours: 24 } }]);
    book.collect([{ tag: tag(3) }], 1000, T + 25 * H);
    expect(judge(book, T + 26 * H, 'department-unsent')).toEqual([]);
  });

  it('leaves a voided bag alone', () => {
    const book = new RecordBook();
    const s = book.seal(tag(4), T);
    book.add({ type: 'correction', body: { target: { device: s.device, seq: s.seq, hash: s.hash }, action: 'void', reason: 'test bag', authorisedBy: 'boss' } }, T + MIN, HOSPITAL);
    expect(judge(book, T + 48 * H, 'department-unsent')).toEqual([]);
  });
});

describe('missing in transit', () => {
  it('fires when a bag picked up is never received: the event that never arrived', () => {
    const book = new RecordBook();
    book.seal(tag(5), T - 5 * H);
    book.store([{ tag: tag(5) }], 1000, T - 4 * H);
    book.pickUp([{ tag: tag(5) }], 1000, T);
    expect(judge(book, T + 24 * H - 1, 'missing-in-transit')).toEqual([]);
    expect(judge(book, T + 24 * H, 'missing-in-transit')).toMatchObject([{ severity: 'critical', institution: HOSPITAL, params: { vehicle: 'ZA-A1234', manifest: 'HZ2026030200017' } }]);
    book.receive([{ tag: tag(5) }], 1000, T + 25 * H);
    expect(judge(book, T + 30 * H, 'missing-in-transit')).toEqual([]);
  });
});

describe('collection overdue', () => {
  it('fires per storage room with waste and no pickup within the interval; a visit that leaves bags behind restarts it', () => {
    const book = new RecordBook();
    for (const i of [10, 11, 12]) book.seal(tag(i), T - H);
    book.store([{ tag: tag(10) }], 1000, T);
    book.store([{ tag: tag(11) }], 1000, T + 2 * H);
    book.store([{ tag: tag(12) }], 1000, T + 3 * H, HOSPITAL, 'R2');
    const key = `collection-overdue:site:${HOSPITAL}/R1`;

    expect(judge(book, T + 48 * H - 1, 'collection-overdue')).toEqual([]);
    const due = judge(book, T + 48 * H, 'collection-overdue');
    expect(due.map((c) => c.dedupeKey)).toEqual([key]);
    expect(due[0]).toMatchObject({ severity: 'warning', sinceMs: T, params: { bags: 2, kg: 2, room: 'R1', hours: 48, limitHours: 48 } });
    expect(judge(book, T + 51 * H, 'collection-overdue').map((c) => c.dedupeKey)).toEqual([key, `collection-overdue:site:${HOSPITAL}/R2`]);

    // The crew takes bag 10 only: R1 got a pickup, its clock restarts from it.
    book.pickUp([{ tag: tag(10) }], 1000, T + 52 * H);
    const after = evaluateRules(inputs({ nowMs: T + 60 * H, trails: book.trails(), rules: ['collection-overdue'] }));
    expect(after.candidates.map((c) => c.dedupeKey)).toEqual([`collection-overdue:site:${HOSPITAL}/R2`]);
    expect(after.evaluated.subjects).toContain(`site:${HOSPITAL}/R1`);
    expect(judge(book, T + 100 * H, 'collection-overdue')[0]).toMatchObject({ dedupeKey: key, sinceMs: T + 52 * H, params: { bags: 1 } });
  });

  it('owes nothing for an empty room', () => {
    const book = new RecordBook();
    book.seal(tag(13), T - H);
    book.store([{ tag: tag(13) }], 1000, T);
    book.pickUp([{ tag: tag(13) }], 1000, T + H);
    book.receive([{ tag: tag(13) }], 1000, T + 2 * H, DISPOSAL);
    expect(judge(book, T + 30 * 24 * H, 'collection-overdue')).toEqual([]);
  });
});
