/**
 * The alert book: folds a rule evaluation into the alerts already held.
 * - A candidate whose key matches an alert not yet resolved updates it: text, evidence, and severity,
 *   which may rise but never falls (a rise sends an acknowledged alert back to open).
 * - A resolved alert stays resolved while its condition persists. A new alert opens once the condition
 *   has cleared and come back (a later `sinceMs`, or an evaluation that saw it clear), once it has
 *   worsened beyond the resolved severity, or, for event rules, once there is evidence it did not have.
 * - A condition that clears does not resolve its alert: people resolve alerts, with a note. The alert is
 *   marked `conditionClearedAtMs`, since regulators want to see what happened and who dealt with it.
 *
 * `known` must hold every alert not yet resolved whose rule and subject the evaluation judged, and for
 * each candidate's dedupe key the latest alert with that key (resolved or not).
 */
import { mergeEvidence, RULE_KINDS, sameEvidence, severityRank, type AlertCandidate } from '../rules/candidate.ts';
import type { RuleEvaluation } from '../rules/evaluate.ts';
import { compareAlertIds, ESCALATION_AUDIENCE, isActive, type Alert, type AlertDraft, type AlertEffect, type AlertId } from './alert.ts';

export interface AlertChanges {
  /** New alerts, to insert. */
  opened: AlertDraft[];
  /** Existing alerts that changed, to write back. */
  updated: Alert[];
  effects: AlertEffect[];
}

/** The alert a key refers to now: the one not yet resolved, else the latest resolved. */
function moreCurrent(a: Alert, b: Alert): boolean {
  if (isActive(a) !== isActive(b)) return isActive(a);
  if (a.openedAtMs !== b.openedAtMs) return a.openedAtMs > b.openedAtMs;
  return compareAlertIds(a.id, b.id) > 0;
}

function isNewOccurrence(resolved: Alert, c: AlertCandidate): boolean {
  const d = resolved.details;
  if (d.conditionClearedAtMs !== undefined || c.sinceMs > d.sinceMs) return true;
  if (severityRank(c.severity) > severityRank(resolved.severity)) return true;
  return RULE_KINDS[c.rule] === 'event' && c.evidence.some((e) => !d.evidence.some((k) => sameEvidence(k, e)));
}

export function draftFrom(c: AlertCandidate, nowMs: number): AlertDraft {
  return {
    rule: c.rule,
    severity: c.severity,
    dedupeKey: c.dedupeKey,
    institution: c.institution,
    jurisdiction: c.jurisdiction,
    ...(c.bag !== undefined ? { bag: c.bag } : {}),
    ...(c.device !== undefined ? { device: c.device } : {}),
    status: 'open',
    escalationLevel: 1,
    openedAtMs: nowMs,
    details: {
      subject: c.subject,
      message: c.message,
      messageKey: c.messageKey,
      params: { ...c.params },
      evidence: mergeEvidence(c.evidence),
      sinceMs: c.sinceMs,
      currentSeverity: c.severity,
      awaitingAckSinceMs: nowMs,
    },
  };
}

/** A candidate folded into an alert not yet resolved; the effects name `alertId` (empty for a draft). */
function fold<A extends AlertDraft>(alert: A, c: AlertCandidate, nowMs: number, alertId: AlertId): { alert: A; effects: AlertEffect[] } {
  const effects: AlertEffect[] = [];
  const details = { ...alert.details };
  const next: A = { ...alert, details };
  if (severityRank(c.severity) > severityRank(alert.severity)) {
    const reopened = alert.status === 'acknowledged';
    next.severity = c.severity;
    details.raised = [
      ...(alert.details.raised ?? []),
      {
        atMs: nowMs,
        from: alert.severity,
        to: c.severity,
        ...(reopened && alert.acknowledgedBy !== undefined ? { acknowledgedBy: alert.acknowledgedBy } : {}),
        ...(reopened && alert.acknowledgedAtMs !== undefined ? { acknowledgedAtMs: alert.acknowledgedAtMs } : {}),
      },
    ];
    if (reopened) {
      // Acknowledging a warning is not acknowledging the breach it became: ask again, and restart the clock.
      next.status = 'open';
      delete next.acknowledgedAtMs;
      delete next.acknowledgedBy;
      details.awaitingAckSinceMs = nowMs;
    }
    effects.push({ kind: 'severity-raised', alertId, dedupeKey: alert.dedupeKey, from: alert.severity, to: c.severity, reopened, level: alert.escalationLevel, audience: ESCALATION_AUDIENCE[alert.escalationLevel] });
  }
  details.currentSeverity = c.severity;
  details.message = c.message;
  details.messageKey = c.messageKey;
  details.params = { ...c.params };
  details.evidence = mergeEvidence(alert.details.evidence, c.evidence);
  details.sinceMs = Math.max(alert.details.sinceMs, c.sinceMs);
  if (details.conditionClearedAtMs !== undefined) {
    delete details.conditionClearedAtMs;
    effects.push({ kind: 'condition-returned', alertId, dedupeKey: alert.dedupeKey });
  }
  return { alert: next, effects };
}

export function reconcileAlerts(known: readonly Alert[], evaluation: RuleEvaluation): AlertChanges {
  const nowMs = evaluation.nowMs;
  const current = new Map<string, Alert>();
  for (const a of known) {
    const held = current.get(a.dedupeKey);
    if (!held || moreCurrent(a, held)) current.set(a.dedupeKey, a);
  }

  const drafts = new Map<string, AlertDraft>();
  const changed = new Map<AlertId, Alert>();
  const effects: AlertEffect[] = [];
  const seen = new Set<string>();
  const candidates = [...evaluation.candidates].sort(compareCandidates);

  for (const c of candidates) {
    seen.add(c.dedupeKey);
    const draft = drafts.get(c.dedupeKey);
    if (draft) {
      // The same key twice in one evaluation (two findings from one ingest batch): one new alert, at the higher severity.
      const { raised: _, ...details } = fold(draft, c, nowMs, '').alert.details;
      const merged = { ...draft, severity: severityRank(c.severity) > severityRank(draft.severity) ? c.severity : draft.severity, details };
      drafts.set(c.dedupeKey, merged);
      const i = effects.findIndex((e) => e.kind === 'opened' && e.dedupeKey === c.dedupeKey);
      effects[i] = { kind: 'opened', dedupeKey: c.dedupeKey, severity: merged.severity, level: 1, audience: 'handler' };
      continue;
    }
    const held = current.get(c.dedupeKey);
    const existing = (held && changed.get(held.id)) ?? held;
    if (existing && isActive(existing)) {
      const f = fold(existing, c, nowMs, existing.id);
      if (!sameAlert(f.alert, existing) || changed.has(existing.id)) changed.set(existing.id, f.alert);
      effects.push(...f.effects);
      continue;
    }
    if (existing && !isNewOccurrence(existing, c)) continue;
    drafts.set(c.dedupeKey, draftFrom(c, nowMs));
    effects.push({ kind: 'opened', dedupeKey: c.dedupeKey, severity: c.severity, level: 1, audience: 'handler' });
  }

  // Judged, and no longer found: the condition has cleared.
  const rules = new Set(evaluation.evaluated.rules);
  const subjects = new Set(evaluation.evaluated.subjects);
  for (const a of [...current.values()].sort((x, y) => compareAlertIds(x.id, y.id))) {
    if (seen.has(a.dedupeKey) || a.details.conditionClearedAtMs !== undefined) continue;
    if (!rules.has(a.rule) || !subjects.has(a.details.subject)) continue;
    changed.set(a.id, { ...a, details: { ...a.details, conditionClearedAtMs: nowMs } });
    if (isActive(a)) effects.push({ kind: 'condition-cleared', alertId: a.id, dedupeKey: a.dedupeKey, atMs: nowMs });
  }

  return {
    opened: [...drafts.values()],
    updated: [...changed.values()].sort((x, y) => compareAlertIds(x.id, y.id)),
    effects,
  };
}

/** By key, then oldest first, so the same key twice folds the same way whatever order it came in. */
function compareCandidates(a: AlertCandidate, b: AlertCandidate): number {
  if (a.dedupeKey !== b.dedupeKey) return a.dedupeKey < b.dedupeKey ? -1 : 1;
  if (a.sinceMs !== b.sinceMs) return a.sinceMs - b.sinceMs;
  if (a.severity !== b.severity) return severityRank(a.severity) - severityRank(b.severity);
  const ja = JSON.stringify([a.params, a.evidence]);
  const jb = JSON.stringify([b.params, b.evidence]);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** Structural equality, blind to key order (a store may hand JSON back with its keys reordered). */
function sameAlert(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameAlert((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
