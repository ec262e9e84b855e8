/**
 * Storage overdue: a bag in the temporary storage room not picked up in time (医疗废物管理条例 Art. 17:
 * at most 2 days). Warning at `warnHours`, critical at `criticalHours`, under one dedupe key, so the
 * alert already open rises in severity instead of a second one appearing.
 */
import { hoursParam, isoTime, subjectKey } from './candidate.ts';
import { bagRule, candidate, firstStepOf, furthestStep, inCustody, lastStepOf, timeOf } from './rule.ts';

const HOUR = 3_600_000;

export const StorageOverdueRule = bagRule('storage-overdue', (trail, ctx) => {
  if (!inCustody(trail) || furthestStep(trail) !== 'stored') return [];
  // The clock starts when the bag first entered storage; moving it between rooms does not restart it.
  const entered = firstStepOf(trail, 'stored')!;
  const now = lastStepOf(trail, 'stored')!;
  const t = ctx.thresholds(entered.institution).storageOverdue;
  const elapsed = ctx.nowMs - timeOf(entered);
  const severity = elapsed >= t.criticalHours * HOUR ? 'critical' : elapsed >= t.warnHours * HOUR ? 'warning' : undefined;
  if (!severity) return [];
  return [
    candidate('storage-overdue', ctx, {
      severity,
      subject: subjectKey('bag', trail.bag),
      institution: now.institution,
      bag: trail.bag,
      messageKey: 'storage-overdue',
      params: { bag: trail.bag, institution: now.institution, room: now.holder.id, hours: hoursParam(elapsed), limitHours: t.criticalHours, storedAt: isoTime(timeOf(entered)) },
      evidence: trail.steps.filter((s) => s.step === 'stored').map((s) => s.record),
      sinceMs: timeOf(entered),
    }),
  ];
});
