/**
 * Weight discrepancy: a later weighing that does not match an earlier one by more than
 * max(percent, minGrams) (skimming, illegal trading, contamination). A bag weighed on its own is held to
 * its first weight (normally the sealing), so a slow loss across steps adds up. A handover weighed only
 * as a whole (a cart, a truck) is held to the sum of the sealed weights of its bags, once every one of
 * its bags is in view; handovers of turnover boxes are left out, the boxes' own weight being unknown.
 */
import type { BagTrail, CustodyStep, RecordRef } from '../custody/trail.ts';
import { subjectKey, type AlertCandidate } from './candidate.ts';
import { candidate, timeOf, trailRule, type RuleContext, type RuleOutput } from './rule.ts';

function tolerance(ctx: RuleContext, institution: string, referenceGrams: number): number {
  const t = ctx.thresholds(institution).weightDiscrepancy;
  return Math.max((referenceGrams * t.percent) / 100, t.minGrams);
}

const percentOf = (diff: number, of: number) => (of === 0 ? 100 : Math.round((diff / of) * 1000) / 10);

function judgeBag(trail: BagTrail, ctx: RuleContext): AlertCandidate[] {
  const weighed = trail.steps.filter((s) => s.grams !== undefined);
  const reference = weighed[0];
  if (!reference) return [];
  const ref = reference.grams!;
  const off = weighed.slice(1).filter((s) => Math.abs(s.grams! - ref) > tolerance(ctx, s.institution, ref));
  if (off.length === 0) return [];
  // Report the worst step; the others are in the evidence.
  const worst = off.reduce((w, s) => (Math.abs(s.grams! - ref) > Math.abs(w.grams! - ref) ? s : w));
  const diff = Math.abs(worst.grams! - ref);
  return [
    candidate('weight-discrepancy', ctx, {
      severity: 'warning',
      subject: subjectKey('bag', trail.bag),
      institution: worst.institution,
      bag: trail.bag,
      messageKey: 'weight-discrepancy.bag',
      params: {
        bag: trail.bag,
        institution: worst.institution,
        step: worst.step,
        grams: worst.grams!,
        referenceStep: reference.step,
        referenceGrams: ref,
        diffGrams: diff,
        diffPercent: percentOf(diff, ref),
        toleranceGrams: Math.round(tolerance(ctx, worst.institution, ref)),
      },
      evidence: [reference.record, ...off.map((s) => s.record)],
      sinceMs: timeOf(off[0]!),
    }),
  ];
}

interface Handover {
  step: CustodyStep;
  members: { bag: string; sealedGrams?: number; sealRecord?: RecordRef; ownGrams?: number }[];
}

const refKey = (r: RecordRef) => `${r.device}/${r.seq}/${r.hash}`;

/** Each handover's bags, gathered trail by trail. */
function addHandovers(handovers: Map<string, Handover>, trail: BagTrail): void {
  const seal = trail.steps.find((s) => s.step === 'sealed');
  for (const s of trail.steps) {
    if (s.step === 'sealed' || s.step === 'disposed' || s.viaBox || s.handover?.grams === undefined) continue;
    // One bag weighed alone: judged as a bag (judgeBag), never as a group; nothing to keep.
    if (s.handover.bags === 1 && s.grams !== undefined) continue;
    const key = refKey(s.record);
    let h = handovers.get(key);
    if (!h) handovers.set(key, (h = { step: s, members: [] }));
    h.members.push({
      bag: trail.bag,
      ...(trail.sealedGrams !== undefined ? { sealedGrams: trail.sealedGrams } : {}),
      ...(seal ? { sealRecord: seal.record } : {}),
      ...(s.grams !== undefined ? { ownGrams: s.grams } : {}),
    });
  }
}

function judgeHandovers(ctx: RuleContext, handovers: ReadonlyMap<string, Handover>): RuleOutput {
  const candidates: AlertCandidate[] = [];
  const subjects: string[] = [];
  for (const { step, members } of handovers.values()) {
    const total = step.handover!.grams!;
    // Judged only with every bag of the handover in view, and only if some bag was not weighed alone.
    if (members.length !== step.handover!.bags || members.every((m) => m.ownGrams !== undefined)) continue;
    if (members.some((m) => m.sealedGrams === undefined)) continue;
    const subject = subjectKey('handover', `${step.record.device}/${step.record.seq}`);
    subjects.push(subject);
    const sealed = members.reduce((sum, m) => sum + m.sealedGrams!, 0);
    const diff = Math.abs(total - sealed);
    const tol = tolerance(ctx, step.institution, sealed);
    if (diff <= tol) continue;
    candidates.push(
      candidate('weight-discrepancy', ctx, {
        severity: 'warning',
        subject,
        institution: step.institution,
        messageKey: 'weight-discrepancy.handover',
        params: {
          handover: `${step.record.device}/${step.record.seq}`,
          institution: step.institution,
          step: step.step,
          grams: total,
          bags: members.length,
          referenceGrams: sealed,
          diffGrams: diff,
          diffPercent: percentOf(diff, sealed),
          toleranceGrams: Math.round(tol),
        },
        evidence: [step.record, ...members.flatMap((m) => (m.sealRecord ? [m.sealRecord] : []))],
        sinceMs: timeOf(step),
      }),
    );
  }
  return { candidates, subjects };
}

export const WeightDiscrepancyRule = trailRule('weight-discrepancy', (ctx) => {
  const candidates: AlertCandidate[] = [];
  const handovers = new Map<string, Handover>();
  return {
    judgesEveryBag: true,
    add(trail) {
      candidates.push(...judgeBag(trail, ctx));
      addHandovers(handovers, trail);
    },
    finish() {
      const batches = judgeHandovers(ctx, handovers);
      return { candidates: [...candidates, ...batches.candidates], subjects: batches.subjects };
    },
  };
});
