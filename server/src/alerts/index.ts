// Alerts: the pure alert book: open -> acknowledged -> resolved, dedupe, escalation (docs/server/rules.md).
import type { RuleEvaluation } from '../rules/evaluate.ts';
import { compareAlertIds, isActive, type Alert, type AlertId } from './alert.ts';
import { escalateAlerts, type EscalationPolicy } from './escalation.ts';
import { reconcileAlerts, type AlertChanges } from './reconcile.ts';

export * from './alert.ts';
export * from './escalation.ts';
export * from './lifecycle.ts';
export * from './reconcile.ts';

/**
 * One step of the alert book, as the server runs it each tick: fold in the evaluation, then escalate
 * whatever is still unacknowledged, at `evaluation.nowMs`.
 */
export function advanceAlerts(
  known: readonly Alert[],
  evaluation: RuleEvaluation,
  policy: EscalationPolicy | ((alert: Alert) => EscalationPolicy),
): AlertChanges {
  const changes = reconcileAlerts(known, evaluation);
  const latest = new Map(known.map((a) => [a.id, a]));
  for (const a of changes.updated) latest.set(a.id, a);
  const escalation = escalateAlerts([...latest.values()].filter(isActive), { nowMs: evaluation.nowMs, policy });
  for (const a of escalation.updated) latest.set(a.id, a);
  const ids = new Set<AlertId>([...changes.updated, ...escalation.updated].map((a) => a.id));
  return {
    opened: changes.opened,
    updated: [...ids].sort(compareAlertIds).map((id) => latest.get(id)!),
    effects: [...changes.effects, ...escalation.effects],
  };
}
