import { beforeEach, describe, expect, it } from 'vitest';
import { buildManifest, manifestDiscrepancies, manifestsNamed } from '../../src/manifests/manifest.ts';
import { bagTag, closed, issued, partialRefusal, pickedUp, PLATE, received, resetSeqs } from './support.ts';

const M = 'HZ2026030200017';
const bags = [
  { tag: bagTag(1), grams: 1000 },
  { tag: bagTag(2), grams: 800, category: 'sharps' as const },
];

beforeEach(resetSeqs);

describe('buildManifest', () => {
  it('follows the statuses as each party signs: signed-by-producer, sent, received, processed', () => {
    const i = issued(M, '2026-03-02T02:00:00.000Z', bags);
    const p = pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1), bagTag(2)], 1800);
    const r = received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), 1001], [bagTag(2), 799]]);
    const c = closed(M, '2026-03-02T06:00:00.000Z');
    expect(buildManifest(M, [i])!.status).toBe('signed-by-producer');
    expect(buildManifest(M, [i, p])!.status).toBe('sent');
    expect(buildManifest(M, [i, p, r])!.status).toBe('received');
    const m = buildManifest(M, [c, r, p, i])!;
    expect(m).toMatchObject({
      status: 'processed',
      version: 1,
      producer: 'hz-h001',
      transporter: 'hz-t01',
      receiver: 'hz-d01',
      vehicle: PLATE,
      declaredBags: 2,
      declaredGrams: 1800,
      acceptedBags: 2,
      acceptedGrams: 1800,
      refusedBags: 0,
      acceptance: 'whole',
      discrepancies: [],
      missingSteps: [],
      issuedAt: '2026-03-02T02:00:00.000Z',
      sentAt: '2026-03-02T02:30:00.000Z',
      receivedAt: '2026-03-02T04:00:00.000Z',
      closedAt: '2026-03-02T06:00:00.000Z',
    });
    expect(m.signatures.map((s) => [s.step, s.party, s.badge])).toEqual([
      ['issued', 'producer', 'badge-0207'],
      ['picked-up', 'transporter', 'crew-5501'],
      ['received', 'receiver', 'op-7001'],
      ['closed', 'receiver', 'op-7001'],
    ]);
    expect(m.bags.find((b) => b.tag === bagTag(2))).toMatchObject({ category: 'sharps', declaredGrams: 800, pickedUp: true, receivedGrams: 799, outcome: 'accepted' });
  });

  it('is the same whatever order the records come in', () => {
    const records = partialRefusal(M);
    const one = buildManifest(M, records);
    expect(buildManifest(M, [...records].reverse())).toEqual(one);
    expect(buildManifest(M, [records[2]!, records[0]!, records[3]!, records[1]!])).toEqual(one);
  });

  it('a partial refusal: refused bags with their weight and reason, and a refusal discrepancy', () => {
    const m = buildManifest(M, partialRefusal(M))!;
    expect(m.acceptance).toBe('partial');
    expect(m.status).toBe('processed');
    expect(m.refusedBags).toBe(1);
    expect(m.refusedGrams).toBe(1190);
    expect(m.acceptedGrams).toBe(1801);
    expect(m.bags.find((b) => b.tag === bagTag(3))).toMatchObject({ outcome: 'refused', receivedGrams: 1190, refusalReason: 'container leaking' });
    expect(m.discrepancies).toEqual([{ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: [bagTag(3)], declaredGrams: 1200, receivedGrams: 1190 }]);
  });

  it('a whole refusal closes as refused', () => {
    const m = buildManifest(M, [
      issued(M, '2026-03-02T02:00:00.000Z', bags),
      pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1), bagTag(2)], 1800),
      received(M, '2026-03-02T04:00:00.000Z', [], [[bagTag(1), 1000, 'wrong category'], [bagTag(2), 800, 'wrong category']]),
      closed(M, '2026-03-02T05:00:00.000Z', 'refused'),
    ])!;
    expect(m.status).toBe('refused');
    expect(m.acceptance).toBe('refused');
  });

  it('counts: a bag not picked up, a bag received that was never declared', () => {
    const m = buildManifest(M, [
      issued(M, '2026-03-02T02:00:00.000Z', bags),
      pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1)], 1000),
      received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), 1000], [bagTag(9), 500]]),
    ])!;
    expect(m.discrepancies).toEqual([
      { kind: 'count', severity: 'discrepancy', stage: 'pickup', missing: [bagTag(2)], undeclared: [] },
      { kind: 'count', severity: 'discrepancy', stage: 'receipt', missing: [bagTag(2)], undeclared: [bagTag(9)] },
    ]);
    expect(m.bags.map((b) => [b.tag, b.outcome])).toEqual([
      [bagTag(1), 'accepted'],
      [bagTag(2), 'not-received'],
      [bagTag(9), 'undeclared'],
    ]);
  });

  it('weights: beyond 10 % a discrepancy, beyond the 2 % intake tolerance a warning, within it nothing', () => {
    const at = (a: number, b: number) =>
      buildManifest(M, [issued(M, '2026-03-02T02:00:00.000Z', bags), pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1), bagTag(2)], 1800), received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), a], [bagTag(2), b]])])!.discrepancies;
    expect(at(1000, 836)).toEqual([]); // +2.0 %
    expect(at(1000, 837)).toEqual([{ kind: 'weight', severity: 'warning', stage: 'receipt', declaredGrams: 1800, receivedGrams: 1837, percent: 2.1 }]);
    expect(at(900, 720)).toEqual([{ kind: 'weight', severity: 'warning', stage: 'receipt', declaredGrams: 1800, receivedGrams: 1620, percent: 10 }]);
    expect(at(900, 719)).toEqual([{ kind: 'weight', severity: 'discrepancy', stage: 'receipt', declaredGrams: 1800, receivedGrams: 1619, percent: 10.1 }]);
  });

  it('thresholds are the caller\'s: a 5 % rule judges the same receipt differently', () => {
    const m = buildManifest(M, [issued(M, '2026-03-02T02:00:00.000Z', bags), received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), 940], [bagTag(2), 760]])])!;
    expect(m.discrepancies.map((d) => d.severity)).toEqual(['warning']);
    expect(manifestDiscrepancies(m, { weightPercent: 5, tolerancePercent: 1 }).map((d) => d.severity)).toEqual(['discrepancy']);
  });

  it('a correction is a new version: the highest version is the manifest, every version is kept', () => {
    const v1 = issued(M, '2026-03-02T02:00:00.000Z', bags);
    const v2 = issued(M, '2026-03-02T02:10:00.000Z', [...bags, { tag: bagTag(3), grams: 400 }], { version: 2, reason: 'a bag was left off' });
    const m = buildManifest(M, [v2, v1])!;
    expect(m.version).toBe(2);
    expect(m.declaredBags).toBe(3);
    expect(m.declaredGrams).toBe(2200);
    expect(m.versions.map((v) => [v.version, v.bags, v.declaredGrams, v.reason])).toEqual([
      [1, 2, 1800, undefined],
      [2, 3, 2200, 'a bag was left off'],
    ]);
  });

  it('a receipt with no crew signature stored names the missing step', () => {
    const m = buildManifest(M, [issued(M, '2026-03-02T02:00:00.000Z', bags), received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), 1000], [bagTag(2), 800]])])!;
    expect(m.missingSteps).toEqual(['picked-up']);
    expect(m.status).toBe('received');
  });

  it('signatures before the issue is stored: no parties, no discrepancies judged yet', () => {
    const m = buildManifest(M, [pickedUp(M, '2026-03-02T02:30:00.000Z', [bagTag(1)], 1000)])!;
    expect(m).toMatchObject({ status: 'sent', version: null, producer: null, vehicle: PLATE, discrepancies: [], missingSteps: ['issued'] });
  });

  it('ignores records of other manifests; none: undefined', () => {
    expect(buildManifest('OTHER', partialRefusal(M))).toBeUndefined();
    expect(manifestsNamed(partialRefusal(M))).toEqual([M]);
  });
});
