/**
 * Missing in transit: picked up by the transport crew and never weighed in at disposal. The event that
 * never arrived is the point (dumping, diversion), so this fires on the clock alone.
 */
import { hoursParam, isoTime, subjectKey } from './candidate.ts';
import { positionParam } from './transport.ts';
import type { CustodyStep } from '../custody/trail.ts';
import { candidate, firstStepOf, furthestStep, inCustody, timeOf, trailRule } from './rule.ts';

const HOUR = 3_600_000;

export const MissingInTransitRule = trailRule('missing-in-transit', (ctx) => {
  // Overdue pickups are kept until every trail is in, so that the vehicle's last position (ctx.transport, complete then) can be given.
  const overdue: Array<{ bag: string; pickup: CustodyStep; elapsed: number; hours: number }> = [];
  return {
    judgesEveryBag: true,
    add(trail) {
      if (!inCustody(trail) || furthestStep(trail) !== 'picked-up') return;
      const pickup = firstStepOf(trail, 'picked-up')!;
      const t = ctx.thresholds(pickup.institution).missingInTransit;
      const elapsed = ctx.nowMs - timeOf(pickup);
      if (elapsed >= t.hours * HOUR) overdue.push({ bag: trail.bag, pickup, elapsed, hours: t.hours });
    },
    finish() {
      const lastSeen = new Map((ctx.transport?.tracks ?? []).map((v) => [v.vehicle, v.points.at(-1)] as const).reverse());
      const candidates = overdue.map(({ bag, pickup, elapsed, hours }) => {
        // Where the vehicle was last seen, from its track: where to start looking.
        const last = pickup.vehicle !== undefined ? lastSeen.get(pickup.vehicle) : undefined;
        return candidate('missing-in-transit', ctx, {
          severity: 'critical',
          subject: subjectKey('bag', bag),
          institution: pickup.institution,
          bag,
          messageKey: last ? 'missing-in-transit.last-seen' : 'missing-in-transit',
          params: {
            ...(last ? { position: positionParam(last), positionAt: isoTime(last.atMs) } : {}),
            bag,
            institution: pickup.institution,
            vehicle: pickup.vehicle ?? pickup.holder.id,
            manifest: pickup.manifest ?? '-',
            hours: hoursParam(elapsed),
            limitHours: hours,
            pickedUpAt: isoTime(timeOf(pickup)),
          },
          evidence: last ? [pickup.record, last.record] : [pickup.record],
          sinceMs: timeOf(pickup),
        });
      });
      return { candidates, subjects: [] };
    },
  };
});
