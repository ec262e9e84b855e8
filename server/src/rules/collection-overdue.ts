/**
 * Collection overdue: a storage room holding waste that the disposal unit has not collected from within
 * the agreed interval. The clock runs from the later of the room's last pickup and the arrival of the
 * oldest bag still waiting there: an empty room owes nothing, and a visit that left bags behind restarts it.
 */
import type { BagTrail, CustodyStep } from '../custody/trail.ts';
import { hoursParam, isoTime, subjectKey, type AlertCandidate, type EvidenceRef } from './candidate.ts';
import { candidate, furthestStep, inCustody, lastStepOf, timeOf, trailRule } from './rule.ts';

const HOUR = 3_600_000;

interface Site {
  institution: string;
  room: string;
  waiting: { arrivedMs: number; grams: number; record: EvidenceRef }[];
  lastPickupMs?: number;
}

export const CollectionOverdueRule = trailRule('collection-overdue', (ctx) => {
  const sites = new Map<string, Site>();
  const site = (s: CustodyStep): Site => {
    const key = `${s.institution}/${s.holder.id}`;
    let found = sites.get(key);
    if (!found) sites.set(key, (found = { institution: s.institution, room: s.holder.id, waiting: [] }));
    return found;
  };
  const add = (trail: BagTrail) => {
    if (!inCustody(trail)) return;
    let room: CustodyStep | undefined;
    for (const s of trail.steps) {
      if (s.step === 'stored') room = s;
      // A pickup counts for the room the bag was taken from.
      if (s.step === 'picked-up' && room) {
        const at = site(room);
        at.lastPickupMs = Math.max(at.lastPickupMs ?? -Infinity, timeOf(s));
      }
    }
    if (furthestStep(trail) === 'stored') {
      const where = lastStepOf(trail, 'stored')!;
      site(where).waiting.push({ arrivedMs: timeOf(where), grams: where.grams ?? trail.sealedGrams ?? 0, record: where.record });
    }
  };

  const finish = () => {
    const candidates: AlertCandidate[] = [];
    for (const [key, s] of sites) {
      if (s.waiting.length === 0) continue;
      const oldest = Math.min(...s.waiting.map((w) => w.arrivedMs));
      const since = Math.max(s.lastPickupMs ?? -Infinity, oldest);
      const t = ctx.thresholds(s.institution).collectionOverdue;
      const elapsed = ctx.nowMs - since;
      if (elapsed < t.intervalHours * HOUR) continue;
      const grams = s.waiting.reduce((sum, w) => sum + w.grams, 0);
      candidates.push(
        candidate('collection-overdue', ctx, {
          severity: 'warning',
          subject: subjectKey('site', key),
          institution: s.institution,
          messageKey: 'collection-overdue',
          params: {
            institution: s.institution,
            room: s.room,
            bags: s.waiting.length,
            kg: Math.round(grams / 100) / 10,
            hours: hoursParam(elapsed),
            limitHours: t.intervalHours,
            since: isoTime(since),
            ...(s.lastPickupMs !== undefined ? { lastPickupAt: isoTime(s.lastPickupMs) } : {}),
          },
          evidence: s.waiting.map((w) => w.record),
          sinceMs: since,
        }),
      );
    }
    return { candidates, subjects: [...sites.keys()].map((k) => subjectKey('site', k)) };
  };
  return { add, finish };
});
