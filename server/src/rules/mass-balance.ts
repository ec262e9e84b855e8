/**
 * Mass balance: per institution and local day, the kilograms sealed against the kilograms weighed in at
 * disposal for the bags sealed that day. Judged once the day has settled (long enough after it ended
 * for its waste to have arrived), for the last `lookbackDays` settled days, so late receipts can still
 * clear it. A bag that never arrived counts as 0 kg received: the aggregate catches leakage that no
 * single bag's alert makes obvious.
 */
import { receiptOf, receivedGramsOfReceipts, type Receipt } from '../custody/weights.ts';
import { subjectKey, type AlertCandidate, type EvidenceRef } from './candidate.ts';
import { addDays, formatLocalDate, localDateOf, startOfLocalDay, type LocalDate } from './local-time.ts';
import { candidate, firstStepOf, inCustody, timeOf, trailRule, type RuleContext, type RuleOutput } from './rule.ts';

const HOUR = 3_600_000;

/** The settled days judged now for an institution, newest last. */
export function massBalanceDays(ctx: RuleContext, institution: string): LocalDate[] {
  const t = ctx.thresholds(institution);
  const newest = addDays(localDateOf(ctx.nowMs - t.massBalance.settleHours * HOUR, t.timeZone), -1);
  return Array.from({ length: t.massBalance.lookbackDays }, (_, i) => addDays(newest, i + 1 - t.massBalance.lookbackDays));
}

interface Tally {
  sealedGrams: number;
  receivedGrams: number;
  bags: number;
  missing: EvidenceRef[];
}

interface JudgedDay {
  date: string;
  startMs: number;
  endMs: number;
}

/** What the balance keeps of a bag sealed on a judged day. */
interface Sealed {
  key: string;
  sealedGrams: number;
  seal: EvidenceRef;
  /** Received or disposed: it arrived (a bag seen only as disposed counts at its sealed weight). */
  arrived: boolean;
  receipt: Receipt;
}

export const MassBalanceRule = trailRule('mass-balance', (ctx) => {
  // The judged days as instants, per institution: placing a seal is then two comparisons, not a time zone lookup.
  const judged = new Map<string, JudgedDay[]>();
  const daysOf = (institution: string) => {
    let d = judged.get(institution);
    if (!d) {
      const tz = ctx.thresholds(institution).timeZone;
      const days = massBalanceDays(ctx, institution).map((day) => ({ date: formatLocalDate(day), startMs: startOfLocalDay(day, tz), endMs: startOfLocalDay(addDays(day, 1), tz) }));
      judged.set(institution, (d = days));
    }
    return d;
  };
  const sealedHere: Sealed[] = [];
  return {
    add(trail) {
      const seal = firstStepOf(trail, 'sealed');
      if (!seal || !inCustody(trail) || trail.sealedGrams === undefined) return;
      const t = timeOf(seal);
      const day = daysOf(seal.institution).find((d) => d.startMs <= t && t < d.endMs);
      if (!day) return;
      const arrived = firstStepOf(trail, 'received') ?? firstStepOf(trail, 'disposed');
      sealedHere.push({ key: `${seal.institution}/${day.date}`, sealedGrams: trail.sealedGrams, seal: seal.record, arrived: arrived !== undefined, receipt: receiptOf(trail) });
    },
    finish: () => judgeDays(ctx, daysOf, sealedHere),
  };
});

function judgeDays(ctx: RuleContext, daysOf: (institution: string) => JudgedDay[], sealedHere: readonly Sealed[]): RuleOutput {
  // What each bag weighed at receipt (its own weight, or its share of a handover weighed as a whole); a bag
  // that arrived without a weight of its own (in a box, or seen only as disposed) counts at its sealed
  // weight: it arrived, and its weight is the weight discrepancy rule's business.
  const apportioned = receivedGramsOfReceipts(sealedHere.map((s) => s.receipt));
  const tallies = new Map<string, Tally>();
  for (const bag of sealedHere) {
    let t = tallies.get(bag.key);
    if (!t) tallies.set(bag.key, (t = { sealedGrams: 0, receivedGrams: 0, bags: 0, missing: [] }));
    const got = bag.arrived ? (apportioned.get(bag.receipt.bag) ?? bag.sealedGrams) : undefined;
    t.sealedGrams += bag.sealedGrams;
    t.receivedGrams += got ?? 0;
    t.bags++;
    if (got === undefined) t.missing.push(bag.seal);
  }

  const candidates: AlertCandidate[] = [];
  const subjects: string[] = [];
  for (const institution of ctx.institutionIds) {
    const t = ctx.thresholds(institution);
    for (const { date, startMs } of daysOf(institution)) {
      const subject = subjectKey('institution-day', `${institution}/${date}`);
      subjects.push(subject);
      const tally = tallies.get(`${institution}/${date}`);
      if (!tally) continue;
      const diff = Math.abs(tally.sealedGrams - tally.receivedGrams);
      if (diff <= Math.max((tally.sealedGrams * t.massBalance.percent) / 100, t.massBalance.minGrams)) continue;
      candidates.push(
        candidate('mass-balance', ctx, {
          severity: 'warning',
          subject,
          institution,
          messageKey: 'mass-balance',
          params: {
            institution,
            date,
            sealedKg: Math.round(tally.sealedGrams / 100) / 10,
            receivedKg: Math.round(tally.receivedGrams / 100) / 10,
            diffPercent: tally.sealedGrams === 0 ? 100 : Math.round((diff / tally.sealedGrams) * 1000) / 10,
            bags: tally.bags,
            missingBags: tally.missing.length,
          },
          evidence: tally.missing,
          sinceMs: startMs,
        }),
      );
    }
  }
  return { candidates, subjects };
}
