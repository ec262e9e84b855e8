/**
 * Escalation: an alert left unacknowledged goes from the handler (level 1) to the institution head
 * (level 2) to the regulator (level 3), after delays set per severity and per jurisdiction. Levels
 * never go down; acknowledging stops the climb; a tick that missed a level still announces each one.
 */
import { resolveThresholds, type EscalationDelays, type RuleConfig } from '../rules/config.ts';
import type { Severity } from '../rules/candidate.ts';
import type { InstitutionInfo } from '../rules/rule.ts';
import { compareAlertIds, ESCALATION_AUDIENCE, type Alert, type AlertEffect, type EscalationLevel } from './alert.ts';

export type EscalationPolicy = Record<Severity, EscalationDelays>;

/**
 * The delays in force for an alert: those of its institution's jurisdiction path (the defaults for an
 * institution not in the list, such as an unattributed integrity alert).
 */
export function escalationPolicyFor(config: RuleConfig, institutions: readonly InstitutionInfo[]): (alert: Alert) => EscalationPolicy {
  const paths = new Map(institutions.map((i) => [i.id, i.jurisdiction]));
  const cache = new Map<string, EscalationPolicy>();
  return (alert) => {
    let p = cache.get(alert.institution);
    if (!p) cache.set(alert.institution, (p = resolveThresholds(config, paths.get(alert.institution) ?? []).escalation));
    return p;
  };
}

export function levelDue(delays: EscalationDelays, waitedMs: number): EscalationLevel {
  const reached = (minutes: number | null) => minutes !== null && waitedMs >= minutes * 60_000;
  return reached(delays.regulatorMinutes) ? 3 : reached(delays.institutionHeadMinutes) ? 2 : 1;
}

export function escalateAlerts(
  alerts: readonly Alert[],
  opts: { nowMs: number; policy: EscalationPolicy | ((alert: Alert) => EscalationPolicy) },
): { updated: Alert[]; effects: AlertEffect[] } {
  const updated: Alert[] = [];
  const effects: AlertEffect[] = [];
  for (const a of [...alerts].sort((x, y) => compareAlertIds(x.id, y.id))) {
    if (a.status !== 'open') continue;
    const policy = typeof opts.policy === 'function' ? opts.policy(a) : opts.policy;
    const due = levelDue(policy[a.severity], opts.nowMs - a.details.awaitingAckSinceMs);
    if (due <= a.escalationLevel) continue;
    const escalations = [...(a.details.escalations ?? [])];
    for (let level = a.escalationLevel + 1; level <= due; level++) {
      const l = level as 2 | 3;
      escalations.push({ level: l, atMs: opts.nowMs });
      effects.push({ kind: 'escalated', alertId: a.id, dedupeKey: a.dedupeKey, severity: a.severity, level: l, audience: ESCALATION_AUDIENCE[l] });
    }
    updated.push({ ...a, escalationLevel: due, details: { ...a.details, escalations } });
  }
  return { updated, effects };
}
