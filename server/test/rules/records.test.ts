/** The rules that read what the records say: weights, origins, tags, order. */
import { describe, expect, it } from 'vitest';
import { evaluateRules, ruleConfig, type InstitutionInfo, type RuleId } from '../../src/rules/index.ts';
import { at, DISPOSAL, H, HOSPITAL, HOSPITAL_2, inputs, INSTITUTIONS, MIN, RecordBook, tag, TRANSPORT } from './support.ts';

const T = at('2026-03-02T02:00:00.000Z');

function judge(book: RecordBook, rule: RuleId, opts: { institutions?: InstitutionInfo[]; trails?: ReturnType<RecordBook['trails']> } = {}) {
  return evaluateRules(inputs({ nowMs: T + 2 * H, trails: opts.trails ?? book.trails(), rules: [rule], institutions: opts.institutions ?? INSTITUTIONS }, ruleConfig()));
}

describe('weight discrepancy', () => {
  it('fires per bag beyond max(10 %, 50 g) of its sealed weight, and not at the tolerance', () => {
    const book = new RecordBook();
    book.seal(tag(1), T, 1000);
    book.store([{ tag: tag(1) }], 900, T + H); // 100 g = 10 %: allowed
    book.seal(tag(2), T, 1000);
    book.store([{ tag: tag(2) }], 899, T + H); // 101 g: not
    book.seal(tag(3), T, 300);
    book.store([{ tag: tag(3) }], 250, T + H); // 50 g floor: allowed
    book.seal(tag(4), T, 300);
    book.store([{ tag: tag(4) }], 351, T + H); // 51 g heavier: not
    const found = judge(book, 'weight-discrepancy').candidates;
    expect(found.map((c) => c.bag)).toEqual([tag(2), tag(4)]);
    expect(found[0]).toMatchObject({ severity: 'warning', params: { step: 'stored', grams: 899, referenceStep: 'sealed', referenceGrams: 1000, diffGrams: 101, diffPercent: 10.1, toleranceGrams: 100 } });
    expect(found[0]!.evidence).toHaveLength(2);
  });

  it('holds a bag to its first weight, so a slow loss across steps adds up', () => {
    const book = new RecordBook();
    book.seal(tag(5), T, 1000);
    book.collect([{ tag: tag(5) }], 950, T + H);
    book.store([{ tag: tag(5) }], 900, T + 2 * H);
    book.pickUp([{ tag: tag(5) }], 850, T + 3 * H);
    expect(judge(book, 'weight-discrepancy').candidates).toMatchObject([{ params: { step: 'picked-up', grams: 850, diffGrams: 150 } }]);
  });

  it('holds a handover weighed as a whole to the sum of its bags sealed weights, once all its bags are in view', () => {
    const book = new RecordBook();
    for (const i of [6, 7, 8]) book.seal(tag(i), T, 1000);
    const cart = book.collect([{ tag: tag(6) }, { tag: tag(7) }, { tag: tag(8) }], 2600, T + H);
    const all = judge(book, 'weight-discrepancy');
    const subject = `handover:${cart.device}/${cart.seq}`;
    expect(all.candidates).toMatchObject([{ dedupeKey: `weight-discrepancy:${subject}`, institution: HOSPITAL, params: { grams: 2600, referenceGrams: 3000, bags: 3, diffGrams: 400, toleranceGrams: 300 } }]);
    expect(all.candidates[0]!.bag).toBeUndefined();
    expect(all.candidates[0]!.evidence).toHaveLength(4);
    expect(all.evaluated.subjects).toContain(subject);

    // Two of the three bags: the sum means nothing, so the handover is neither judged nor cleared.
    const partial = judge(book, 'weight-discrepancy', { trails: book.trails().slice(0, 2) });
    expect(partial.candidates).toEqual([]);
    expect(partial.evaluated.subjects).not.toContain(subject);
  });

  it('is silent for a handover within tolerance', () => {
    const book = new RecordBook();
    for (const i of [6, 7, 8]) book.seal(tag(i), T, 1000);
    book.collect([{ tag: tag(6) }, { tag: tag(7) }, { tag: tag(8) }], 2700, T + H);
    expect(judge(book, 'weight-discrepancy').candidates).toEqual([]);
  });
});

describe('unknown origin', () => {
  it('fires when a bag reaches disposal with no sealing record', () => {
    const book = new RecordBook();
    book.receive([{ tag: tag(20) }], 900, T, DISPOSAL);
    expect(judge(book, 'unknown-origin').candidates).toMatchObject([{ severity: 'critical', institution: DISPOSAL, dedupeKey: `unknown-origin:bag:${tag(20)}`, params: { step: 'received' } }]);
  });

  it('waits while the bag is still in the hospital: the seal may be in a kiosk backlog', () => {
    const book = new RecordBook();
    book.store([{ tag: tag(21) }], 900, T);
    expect(judge(book, 'unknown-origin').candidates).toEqual([]);
    book.pickUp([{ tag: tag(21) }], 900, T + H);
    book.receive([{ tag: tag(21) }], 900, T + 2 * H);
    expect(judge(book, 'unknown-origin').candidates).toHaveLength(1);
    book.seal(tag(21), T - H);
    expect(judge(book, 'unknown-origin').candidates).toEqual([]);
  });
});

describe('duplicate / cloned tag', () => {
  it('fires when one tag is sealed twice', () => {
    const book = new RecordBook();
    book.seal(tag(30), T);
    book.seal(tag(30), T + 3 * H, 800, HOSPITAL_2);
    expect(judge(book, 'cloned-tag').candidates).toMatchObject([{ severity: 'critical', institution: HOSPITAL, messageKey: 'cloned-tag.sealed-again', params: { count: 2 } }]);
  });

  it('fires when a tag is seen at two places faster than travel allows', () => {
    // The hospital and the disposal centre are about 18 km apart.
    const fast = new RecordBook();
    fast.seal(tag(31), T);
    fast.receive([{ tag: tag(31) }], 1000, T + 2 * MIN, DISPOSAL);
    const found = judge(fast, 'cloned-tag').candidates;
    expect(found).toMatchObject([{ messageKey: 'cloned-tag.too-fast', params: { from: HOSPITAL, to: DISPOSAL, minutes: 2 } }]);
    expect(found[0]!.params.speedKmh).toBeGreaterThan(120);

    const plausible = new RecordBook();
    plausible.seal(tag(32), T);
    plausible.receive([{ tag: tag(32) }], 1000, T + 20 * MIN, DISPOSAL);
    expect(judge(plausible, 'cloned-tag').candidates).toEqual([]);
  });

  it('without coordinates, fires for two institutions within N minutes', () => {
    const nowhere = INSTITUTIONS.map(({ location: _, ...i }) => i);
    const book = new RecordBook();
    book.seal(tag(33), T);
    book.store([{ tag: tag(33) }], 1000, T + 9 * MIN, HOSPITAL_2);
    expect(judge(book, 'cloned-tag', { institutions: nowhere }).candidates).toMatchObject([{ messageKey: 'cloned-tag.too-soon', params: { minutes: 9 } }]);
    const later = new RecordBook();
    later.seal(tag(34), T);
    later.store([{ tag: tag(34) }], 1000, T + 11 * MIN, HOSPITAL_2);
    expect(judge(later, 'cloned-tag', { institutions: nowhere }).candidates).toEqual([]);
  });

  it('ignores steps signed on the move (a transport company vehicle)', () => {
    const book = new RecordBook();
    book.seal(tag(35), T);
    book.store([{ tag: tag(35) }], 1000, T + MIN);
    book.pickUp([{ tag: tag(35) }], 1000, T + 2 * MIN, TRANSPORT);
    expect(judge(book, 'cloned-tag').candidates).toEqual([]);
  });
});

describe('out-of-order custody', () => {
  it('reports the custody anomalies of a bag in one alert, as severe as the worst', () => {
    const book = new RecordBook();
    book.seal(tag(40), T);
    book.store([{ tag: tag(40) }], 1000, T + H);
    book.collect([{ tag: tag(40) }], 1000, T + 2 * H);
    const found = judge(book, 'out-of-order').candidates;
    expect(found).toMatchObject([{ severity: 'warning', institution: HOSPITAL, params: { anomalies: 'STEP_OUT_OF_ORDER', count: 1 } }]);
    expect(found[0]!.message).toBe(`Bag ${tag(40)}: custody does not add up (step out of order).`);

    book.collect([{ tag: tag(40) }], 1000, T + 3 * H, HOSPITAL_2);
    expect(judge(book, 'out-of-order').candidates).toMatchObject([{ severity: 'critical', params: { anomalies: 'STEP_OUT_OF_ORDER,WRONG_INSTITUTION', count: 3 } }]);
  });

  it('keeps a routine repeat (moved between rooms) on record as info', () => {
    const book = new RecordBook();
    book.seal(tag(41), T);
    book.store([{ tag: tag(41) }], 1000, T + H);
    book.store([{ tag: tag(41) }], 1000, T + 2 * H, HOSPITAL, 'R2');
    expect(judge(book, 'out-of-order').candidates).toMatchObject([{ severity: 'info', params: { anomalies: 'STEP_REPEATED' } }]);
  });

  it('catches a bag received on another manifest than it left on, and a step after disposal', () => {
    const book = new RecordBook();
    book.seal(tag(42), T);
    book.pickUp([{ tag: tag(42) }], 1000, T + H);
    book.receive([{ tag: tag(42) }], 1000, T + 2 * H, DISPOSAL, 'ZA-B9999', 'HZ-OTHER');
    book.dispose([tag(42)], T + 3 * H);
    book.collect([{ tag: tag(42) }], 1000, T + 4 * H);
    expect(judge(book, 'out-of-order').candidates[0]!.params.anomalies).toBe('STEP_AFTER_DISPOSAL,MANIFEST_MISMATCH');
  });
});
