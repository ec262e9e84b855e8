/**
 * Missing in transit: picked up by the transport crew and never weighed in at disposal. The event that
 * never arrived is the point (dumping, diversion), so this fires on the clock alone.
 */
import { hoursParam, isoTime, subjectKey } from './candidate.ts';
import { positionParam } from './transport.ts';
import { bagRule, candidate, firstStepOf, furthestStep, inCustody, timeOf } from './rule.ts';

const HOUR = 3_600_000;

export const MissingInTransitRule = bagRule('missing-in-transit', (trail, ctx) => {
  if (!inCustody(trail) || furthestStep(trail) !== 'picked-up') return [];
  const pickup = firstStepOf(trail, 'picked-up')!;
  const t = ctx.thresholds(pickup.institution).missingInTransit;
  const elapsed = ctx.nowMs - timeOf(pickup);
  if (elapsed < t.hours * HOUR) return [];
  // Where the vehicle was last seen, from its track: where to start looking.
  const track = pickup.vehicle !== undefined ? ctx.transport?.tracks.find((v) => v.vehicle === pickup.vehicle) : undefined;
  const last = track?.points.at(-1);
  return [
    candidate('missing-in-transit', ctx, {
      severity: 'critical',
      subject: subjectKey('bag', trail.bag),
      institution: pickup.institution,
      bag: trail.bag,
      messageKey: last ? 'missing-in-transit.last-seen' : 'missing-in-transit',
      params: {
        ...(last ? { position: positionParam(last), positionAt: isoTime(last.atMs) } : {}),
        bag: trail.bag,
        institution: pickup.institution,
        vehicle: pickup.vehicle ?? pickup.holder.id,
        manifest: pickup.manifest ?? '-',
        hours: hoursParam(elapsed),
        limitHours: t.hours,
        pickedUpAt: isoTime(timeOf(pickup)),
      },
      evidence: last ? [pickup.record, last.record] : [pickup.record],
      sinceMs: timeOf(pickup),
    }),
  ];
});
