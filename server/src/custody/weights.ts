/**
 * Weights at receipt: what the mass balance, the bag summaries and disclosure count as arrived. Pure.
 */
import type { BagTrail, CustodyStep, RecordRef } from './trail.ts';

const refKey = (r: RecordRef) => `${r.device}/${r.seq}/${r.hash}`;

/** What receivedGramsOf reads of a trail: its sealed weight and its first `received` step. */
export interface Receipt {
  bag: string;
  sealedGrams?: number;
  received?: Pick<CustodyStep, 'grams' | 'viaBox' | 'handover' | 'record'>;
}

export function receiptOf(trail: BagTrail): Receipt {
  const step = trail.steps.find((s) => s.step === 'received');
  return {
    bag: trail.bag,
    ...(trail.sealedGrams !== undefined ? { sealedGrams: trail.sealedGrams } : {}),
    ...(step ? { received: { grams: step.grams, viaBox: step.viaBox, handover: step.handover, record: step.record } } : {}),
  };
}

/**
 * Each bag's weight at receipt. Weighed alone (or given its own weight in the handover): that weight.
 * Weighed as a group with every bag of the handover among `trails`: a share of the group weight in
 * proportion to sealed weights, in whole grams (as the mass-balance rule apportions it). Otherwise,
 * e.g. inside a box: unknown (null). Bags never received are left out.
 */
export function receivedGramsOf(trails: readonly BagTrail[]): Map<string, number | null> {
  return receivedGramsOfReceipts(trails.map(receiptOf));
}

/** receivedGramsOf over receipts (what a rule keeps of each trail instead of the trail). */
export function receivedGramsOfReceipts(receipts: readonly Receipt[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const groups = new Map<string, Array<{ receipt: Receipt; step: NonNullable<Receipt['received']> }>>();
  for (const receipt of receipts) {
    const step = receipt.received;
    if (!step) continue;
    if (step.grams !== undefined) {
      out.set(receipt.bag, step.grams);
      continue;
    }
    out.set(receipt.bag, null);
    if (step.viaBox || step.handover?.grams === undefined) continue;
    const key = refKey(step.record);
    const group = groups.get(key);
    if (group) group.push({ receipt, step });
    else groups.set(key, [{ receipt, step }]);
  }
  for (const group of groups.values()) {
    const handover = group[0]!.step.handover!;
    if (group.length !== handover.bags || group.some((g) => g.receipt.sealedGrams === undefined)) continue;
    const sealed = group.reduce((sum, g) => sum + g.receipt.sealedGrams!, 0);
    for (const g of group) out.set(g.receipt.bag, sealed === 0 ? 0 : Math.round((handover.grams! * g.receipt.sealedGrams!) / sealed));
  }
  return out;
}
