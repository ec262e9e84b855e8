/**
 * Mass balance: per institution and local day, the kilograms sealed against the kilograms weighed in at
 * disposal for the bags sealed that day. Judged once the day has settled (long enough after it ended
 * for its waste to have arrived), for the last `lookbackDays` settled days, so late receipts can still
 * clear it. A bag that never arrived counts as 0 kg received: the aggregate catches leakage that no
 * single bag's alert makes obvious.
 */
import type { BagTrail } from '../custody/trail.ts';
import { receivedGramsOf } from '../custody/weights.ts';
import { subjectKey, type AlertCandidate, type EvidenceRef } from './candidate.ts';
import { addDays, formatLocalDate, localDateOf, startOfLocalDay, type LocalDate } from './local-time.ts';
import { candidate, firstStepOf, inCustody, timeOf, type Rule, type RuleContext } from './rule.ts';

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


/**
 * What each bag weighed at receipt (receivedGramsOf: its own weight, or its share of a handover weighed
 * as a whole); a bag that arrived without a weight of its own (in a box, or seen only as disposed)
 * counts at its sealed weight: it arrived, and its weight is the weight discrepancy rule's business.
 */
function receivedGrams(trails: readonly BagTrail[]): Map<BagTrail, number | undefined> {
  const apportioned = receivedGramsOf(trails);
  const out = new Map<BagTrail, number | undefined>();
  for (const trail of trails) {
    const arrived = firstStepOf(trail, 'received') ?? firstStepOf(trail, 'disposed');
    out.set(trail, arrived ? (apportioned.get(trail.bag) ?? trail.sealedGrams ?? 0) : undefined);
  }
  return out;
}

interface JudgedDay {
  date: string;
  startMs: number;
  endMs: number;
}

export const MassBalanceRule: Rule = {
  id: 'mass-balance',
  evaluate(ctx) {
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
    const sealedHere: BagTrail[] = [];
    const keyOf = new Map<BagTrail, string>();
    for (const trail of ctx.trails) {
      const seal = firstStepOf(trail, 'sealed');
      if (!seal || !inCustody(trail) || trail.sealedGrams === undefined) continue;
      const t = timeOf(seal);
      const day = daysOf(seal.institution).find((d) => d.startMs <= t && t < d.endMs);
      if (!day) continue;
      sealedHere.push(trail);
      keyOf.set(trail, `${seal.institution}/${day.date}`);
    }
    const received = receivedGrams(sealedHere);
    const tallies = new Map<string, Tally>();
    for (const trail of sealedHere) {
      const key = keyOf.get(trail)!;
      let t = tallies.get(key);
      if (!t) tallies.set(key, (t = { sealedGrams: 0, receivedGrams: 0, bags: 0, missing: [] }));
      const got = received.get(trail);
      t.sealedGrams += trail.sealedGrams!;
      t.receivedGrams += got ?? 0;
      t.bags++;
      if (got === undefined) t.missing.push(firstStepOf(trail, 'sealed')!.record);
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
  },
};
