/**
 * A bag's summary, read off its reconstructed trail: what the bag list, search, daily mass balance and
 * public disclosure show without rebuilding trails. Pure: trail in, summary out.
 */
import type { BagTrail, CustodyStep, RecordRef } from '../custody/index.ts';
import { formatLocalDate, localDateOf } from '../rules/local-time.ts';
import type { BagSummary } from '../store/index.ts';

export interface SummaryOptions {
  /** IANA time zone of the bag's institution (rule thresholds), for `sealedDay`. */
  timeZone: string;
  /** The bag's weight at receipt when it was weighed in a group (receivedGramsOf); default: its own weight at receipt. */
  receivedGrams?: number | null;
}

/** The sealing step, even when a correction voided it (the bag was still sealed then). */
function sealOf(trail: BagTrail): CustodyStep | undefined {
  return trail.steps.find((s) => s.step === 'sealed') ?? trail.voided.find((v) => v.step.step === 'sealed')?.step;
}

const first = (trail: BagTrail, kind: CustodyStep['step']) => trail.steps.find((s) => s.step === kind);

export function summarizeBag(trail: BagTrail, options: SummaryOptions): BagSummary {
  const seal = sealOf(trail);
  const last = trail.steps.at(-1);
  const pickedUp = first(trail, 'picked-up');
  const received = first(trail, 'received');
  const disposed = first(trail, 'disposed');
  return {
    bag: trail.bag,
    tags: [...trail.tags],
    institution: trail.institution ?? null,
    department: trail.department ?? null,
    category: trail.category ?? null,
    state: trail.state,
    sealedAt: seal?.time ?? null,
    sealedGrams: trail.sealedGrams ?? null,
    sealedDay: seal ? formatLocalDate(localDateOf(Date.parse(seal.time), options.timeZone)) : null,
    lastStep: last?.step ?? null,
    lastStepAt: last?.time ?? null,
    pickedUpAt: pickedUp?.time ?? null,
    receivedAt: received?.time ?? null,
    receivedGrams: options.receivedGrams !== undefined ? options.receivedGrams : (received?.grams ?? null),
    disposedAt: disposed?.time ?? null,
    vehicle: pickedUp?.vehicle ?? received?.vehicle ?? null,
    manifest: pickedUp?.manifest ?? received?.manifest ?? null,
    disposalInstitution: received?.institution ?? disposed?.institution ?? null,
    anomalies: trail.anomalies.length,
  };
}

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
    const step = first(trail, 'received');
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

/** The receipt record when the bag was weighed in a group: receivedGramsOf needs all that record's bags in view. */
export function groupReceipt(trail: BagTrail): RecordRef | undefined {
  const step = first(trail, 'received');
  if (!step || step.grams !== undefined || step.viaBox || step.handover?.grams === undefined || step.handover.bags < 2) return undefined;
  return step.record;
}
