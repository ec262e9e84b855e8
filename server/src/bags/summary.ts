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


/** The receipt record when the bag was weighed in a group: receivedGramsOf needs all that record's bags in view. */
export function groupReceipt(trail: BagTrail): RecordRef | undefined {
  const step = first(trail, 'received');
  if (!step || step.grams !== undefined || step.viaBox || step.handover?.grams === undefined || step.handover.bags < 2) return undefined;
  return step.record;
}
