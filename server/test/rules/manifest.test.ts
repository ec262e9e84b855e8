/** The manifest rules: discrepancy (count, weight, refusal) and not closed in time, in both languages. */
import { beforeEach, describe, expect, it } from 'vitest';
import { buildManifest, type Manifest } from '../../src/manifests/manifest.ts';
import { evaluateRules, MANIFEST_RULES, renderAlertMessage, ruleConfig, type MessageKey } from '../../src/rules/index.ts';
import { bagTag, closed, issued, partialRefusal, pickedUp, received, resetSeqs, signed } from '../manifests/support.ts';
import { at, H, inputs } from './support.ts';

const M = 'HZ2026030200017';
const bags = [
  { tag: bagTag(1), grams: 1000 },
  { tag: bagTag(2), grams: 800 },
];
const ISSUED = '2026-03-02T02:00:00.000Z';

beforeEach(resetSeqs);

function lifecycle(accepted: ReadonlyArray<[string, number]>, refused: ReadonlyArray<[string, number, string]> = [], close = true): Manifest {
  return buildManifest(M, [
    issued(M, ISSUED, bags),
    pickedUp(M, '2026-03-02T02:30:00.000Z', bags.map((b) => b.tag), 1800),
    received(M, '2026-03-02T04:00:00.000Z', accepted, refused),
    ...(close ? [closed(M, '2026-03-02T06:00:00.000Z')] : []),
  ])!;
}

const judge = (manifests: Manifest[], nowMs = at('2026-03-02T07:00:00.000Z'), config = ruleConfig()) => evaluateRules(inputs({ nowMs, manifests, rules: MANIFEST_RULES }, config));

describe('manifest-discrepancy', () => {
  it('a clean manifest, whole and within the intake tolerance: no alert, but judged', () => {
    const r = judge([lifecycle([[bagTag(1), 1010], [bagTag(2), 795]])]);
    expect(r.candidates).toEqual([]);
    expect(r.evaluated.subjects).toEqual([`manifest:${M}`]);
  });

  it('a partial refusal: a warning naming the refused bag and its kilograms, filed under the producer, with every signature as evidence', () => {
    resetSeqs();
    const m = buildManifest(M, partialRefusal(M))!;
    const [c, ...rest] = judge([m]).candidates;
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ rule: 'manifest-discrepancy', severity: 'warning', subject: `manifest:${M}`, institution: 'hz-h001', params: { manifest: M, missing: 0, undeclared: 0, refused: 1, refusedKg: 1.2, weightPercent: 0 } });
    expect(c!.evidence).toHaveLength(4);
    expect(c!.message).toBe(`Manifest ${M} from hz-h001 to hz-d01: 0 bag(s) missing, 0 not on the manifest, 1 refused (1.2 kg), accepted weight 0 % off the declared, 0 step(s) signed by another institution.`);
    expect(renderAlertMessage(c!.messageKey as MessageKey, c!.params, 'zh-CN')).toBe(`转移联单 ${M}（hz-h001 至 hz-d01）存在差异：缺少 0 袋，联单外 0 袋，拒收 1 袋（1.2 千克），接收重量与申报相差 0%，0 项签署非由联单所列单位作出。`);
  });

  it('a receipt signed at another disposal centre than the one named is critical', () => {
    const m = buildManifest(M, [
      issued(M, ISSUED, bags),
      pickedUp(M, '2026-03-02T02:30:00.000Z', bags.map((b) => b.tag), 1800),
      signed('hz-d02-intake-01', 'hz-d02', '2026-03-02T04:00:00.000Z', { type: 'manifest-received', body: { manifest: M, vehicle: '浙A27819', accepted: bags.map((b) => ({ tag: b.tag, weight: { value: b.grams, unit: 'g' } })), refused: [], operator: 'op-9' } }),
    ])!;
    expect(m.discrepancies).toEqual([{ kind: 'signatory', severity: 'discrepancy', stage: 'receipt', step: 'received', institution: 'hz-d02', expected: 'hz-d01' }]);
    expect(judge([m]).candidates[0]).toMatchObject({ severity: 'critical', params: { signatories: 1, missing: 0, refused: 0 } });
  });

  it('a bag missing at receipt is critical', () => {
    const [c] = judge([lifecycle([[bagTag(1), 1000]])]).candidates;
    expect(c).toMatchObject({ severity: 'critical', params: { missing: 1 } });
  });

  it('weight: beyond 10 % critical, beyond the 2 % tolerance info; the thresholds are the jurisdiction\'s', () => {
    expect(judge([lifecycle([[bagTag(1), 1000], [bagTag(2), 600]])]).candidates[0]).toMatchObject({ severity: 'critical', params: { weightPercent: 11.1 } });
    expect(judge([lifecycle([[bagTag(1), 1000], [bagTag(2), 760]])]).candidates[0]).toMatchObject({ severity: 'info', params: { weightPercent: 2.2 } });
    const strict = ruleConfig({ jurisdictions: { '330106': { manifestDiscrepancy: { weightPercent: 2, tolerancePercent: 1 } } } });
    expect(judge([lifecycle([[bagTag(1), 1000], [bagTag(2), 760]])], undefined, strict).candidates[0]).toMatchObject({ severity: 'critical' });
  });

  it('judges nothing before the issue is stored (no producer to compare with)', () => {
    const r = judge([buildManifest(M, [received(M, '2026-03-02T04:00:00.000Z', [[bagTag(1), 100]])])!]);
    expect(r.candidates).toEqual([]);
    expect(r.evaluated.subjects).toEqual([]);
  });
});

describe('manifest-unclosed', () => {
  const open = () => lifecycle([[bagTag(1), 1000], [bagTag(2), 800]], [], false);

  it('fires once the limit (72 h by default) has passed since the issue, naming the status in both languages', () => {
    expect(judge([open()], at(ISSUED) + 72 * H - 1).candidates).toEqual([]);
    const [c] = judge([open()], at(ISSUED) + 80 * H).candidates;
    expect(c).toMatchObject({ rule: 'manifest-unclosed', severity: 'warning', institution: 'hz-h001', params: { status: 'received', hours: 80, limitHours: 72 }, sinceMs: at(ISSUED) + 72 * H });
    expect(c!.message).toBe(`Manifest ${M} from hz-h001 issued 80 h ago is still received (limit 72 h).`);
    expect(renderAlertMessage('manifest-unclosed', c!.params, 'zh-CN')).toContain('“已接收”状态');
  });

  it('a closed manifest never fires; the limit is configurable', () => {
    expect(judge([lifecycle([[bagTag(1), 1000], [bagTag(2), 800]])], at(ISSUED) + 1000 * H).candidates).toEqual([]);
    const quick = ruleConfig({ defaults: { manifestUnclosed: { hours: 2 } } });
    expect(judge([open()], at(ISSUED) + 3 * H, quick).candidates.map((c) => c.rule)).toEqual(['manifest-unclosed']);
  });
});
