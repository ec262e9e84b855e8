/**
 * Weights at receipt: what the mass balance, the bag summaries and disclosure count as arrived. Pure.
 */
import type { BagTrail, CustodyStep, RecordRef } from './trail.ts';

const refKey = (r: RecordRef) => `${r.device}/${r.seq}/${r.hash}`;

/**
 * Each bag's weight at receipt. Weighed alone (or given its own weight in the handover): that weight.
 * Weighed as a group with every bag of the handover among `trails`: a share of the group weight in
 * proportion to sealed weights, in whole grams (as the mass-balance rule apportions it). Otherwise,
 * e.g. inside a box: unknown (null). Bags never received are left out.
 */
export function receivedGramsOf(trails: readonly BagTrail[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const groups = new Map<string, Array<{ trail: BagTrail; step: CustodyStep }>>();
  for (const trail of trails) {
    const step = trail.steps.find((s) => s.step === 'received');
    if (!step) continue;
    if (step.grams !== undefined) {
      out.set(trail.bag, step.grams);
      continue;
    }
    out.set(trail.bag, null);
    if (step.viaBox || step.handover?.grams === undefined) continue;
    const key = refKey(step.record);
    const group = groups.get(key);
    if (group) group.push({ trail, step });
    else groups.set(key, [{ trail, step }]);
  }
  for (const group of groups.values()) {
    const handover = group[0]!.step.handover!;
    if (group.length !== handover.bags || group.some((g) => g.trail.sealedGrams === undefined)) continue;
    const sealed = group.reduce((sum, g) => sum + g.trail.sealedGrams!, 0);
    for (const g of group) out.set(g.trail.bag, sealed === 0 ? 0 : Math.round((handover.grams! * g.trail.sealedGrams!) / sealed));
  }
  return out;
}

