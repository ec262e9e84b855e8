/**
 * Missing in transit: picked up by the transport crew and never weighed in at disposal. The event that
 * never arrived is the point (dumping, diversion), so this fires on the clock alone.
 */
import { hoursParam, isoTime, subjectKey } from './candidate.ts';
import { bagRule, candidate, firstStepOf, furthestStep, inCustody, timeOf } from './rule.ts';

const HOUR = 3_600_000;

export const MissingInTransitRule = bagRule('missing-in-transit', (trail, ctx) => {
  if (!inCustody(trail) || furthestStep(trail) !== 'picked-up') return [];
  const pickup = firstStepOf(trail, 'picked-up')!;
  const t = ctx.thresholds(pickup.institution).missingInTransit;
  const elapsed = ctx.nowMs - timeOf(pickup);
  if (elapsed < t.hours * HOUR) return [];
  return [
    candidate('missing-in-transit', ctx, {
      severity: 'critical',
      subject: subjectKey('bag', trail.bag),
      institution: pickup.institution,
      bag: trail.bag,
      messageKey: 'missing-in-transit',
      params: {
        bag: trail.bag,
        institution: pickup.institution,
        vehicle: pickup.vehicle ?? pickup.holder.id,
        manifest: pickup.manifest ?? '-',
        hours: hoursParam(elapsed),
        limitHours: t.hours,
        pickedUpAt: isoTime(timeOf(pickup)),
      },
      evidence: [pickup.record],
      sinceMs: timeOf(pickup),
    }),
  ];
});
