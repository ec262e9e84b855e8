/**
 * Unknown origin: a bag weighed in at disposal with no sealing record: unregistered waste. Before it
 * reaches disposal a missing seal is left alone, since a ward kiosk that was offline may still upload it.
 */
import { isoTime, subjectKey } from './candidate.ts';
import { bagRule, candidate, firstStepOf, furthestStep, stepRank, timeOf } from './rule.ts';

export const UnknownOriginRule = bagRule('unknown-origin', (trail, ctx) => {
  const unsealed = trail.anomalies.find((a) => a.kind === 'NOT_SEALED');
  const furthest = furthestStep(trail);
  if (!unsealed || furthest === undefined || stepRank(furthest) < stepRank('received')) return [];
  const arrival = firstStepOf(trail, 'received') ?? firstStepOf(trail, 'disposed')!;
  const first = trail.steps[0]!;
  return [
    candidate('unknown-origin', ctx, {
      severity: 'critical',
      subject: subjectKey('bag', trail.bag),
      institution: arrival.institution,
      bag: trail.bag,
      messageKey: 'unknown-origin',
      params: { bag: trail.bag, institution: arrival.institution, step: arrival.step, firstSeenAt: isoTime(timeOf(first)), firstSeenBy: first.institution },
      evidence: [unsealed.record, arrival.record],
      sinceMs: timeOf(arrival),
    }),
  ];
});
