/** Department unsent: a sealed bag the internal collector has not taken from the ward in time. */
import { hoursParam, isoTime, subjectKey } from './candidate.ts';
import { bagRule, candidate, firstStepOf, furthestStep, inCustody, timeOf } from './rule.ts';

const HOUR = 3_600_000;

export const DepartmentUnsentRule = bagRule('department-unsent', (trail, ctx) => {
  if (!inCustody(trail) || furthestStep(trail) !== 'sealed') return [];
  const sealed = firstStepOf(trail, 'sealed')!;
  const t = ctx.thresholds(sealed.institution).departmentUnsent;
  const elapsed = ctx.nowMs - timeOf(sealed);
  if (elapsed < t.hours * HOUR) return [];
  return [
    candidate('department-unsent', ctx, {
      severity: 'warning',
      subject: subjectKey('bag', trail.bag),
      institution: sealed.institution,
      bag: trail.bag,
      messageKey: 'department-unsent',
      params: { bag: trail.bag, institution: sealed.institution, department: trail.department ?? sealed.holder.id, hours: hoursParam(elapsed), limitHours: t.hours, sealedAt: isoTime(timeOf(sealed)) },
      evidence: [sealed.record],
      sinceMs: timeOf(sealed),
    }),
  ];
});
