/**
 * Out-of-order custody: steps out of their order, or a step signed by a party who does not hold the bag,
 * as custody reconstruction finds them. One alert per bag, as severe as its worst anomaly. A missing seal
 * and a double seal belong to the unknown-origin and cloned-tag rules.
 */
import { ANOMALY_KINDS, type AnomalyKind } from '../custody/trail.ts';
import { maxSeverity, subjectKey, type Severity } from './candidate.ts';
import { bagRule, candidate, timeOf } from './rule.ts';

/** A repeat is often routine (a bag moved between storage rooms): kept on record, never chased. */
export const ANOMALY_SEVERITY: Partial<Record<AnomalyKind, Severity>> = {
  STEP_REPEATED: 'info',
  STEP_OUT_OF_ORDER: 'warning',
  MANIFEST_MISMATCH: 'warning',
  WRONG_INSTITUTION: 'critical',
  STEP_AFTER_DISPOSAL: 'critical',
};

export const OutOfOrderCustodyRule = bagRule('out-of-order', (trail, ctx) => {
  const found = trail.anomalies.filter((a) => ANOMALY_SEVERITY[a.kind] !== undefined);
  if (found.length === 0) return [];
  const severity = found.map((a) => ANOMALY_SEVERITY[a.kind]!).reduce(maxSeverity);
  const kinds = ANOMALY_KINDS.filter((k) => found.some((a) => a.kind === k));
  const steps = found.flatMap((a) => trail.steps.filter((s) => s.record.device === a.record.device && s.record.seq === a.record.seq && s.record.hash === a.record.hash));
  const institution = trail.institution ?? steps[0]?.institution ?? trail.steps[0]?.institution ?? '';
  return [
    candidate('out-of-order', ctx, {
      severity,
      subject: subjectKey('bag', trail.bag),
      institution,
      bag: trail.bag,
      messageKey: 'out-of-order',
      params: { bag: trail.bag, anomalies: kinds.join(','), count: found.length },
      evidence: found.map((a) => a.record),
      sinceMs: steps.length > 0 ? Math.min(...steps.map(timeOf)) : trail.steps[0] ? timeOf(trail.steps[0]) : 0,
    }),
  ];
});
