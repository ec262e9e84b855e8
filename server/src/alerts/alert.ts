/**
 * An alert: what a person is asked to look at, from opening to resolution. It maps one to one onto the
 * alerts table (id, rule, severity, dedupe_key, institution, jurisdiction, bag, device, status,
 * escalation_level, opened_at, acknowledged_at/by, resolved_at/by, note); everything else is in
 * `details`, the table's json column.
 */
import type { EvidenceRef, MessageParams, RuleId, Severity } from '../rules/candidate.ts';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export type EscalationLevel = 1 | 2 | 3;
export type Audience = 'handler' | 'institution-head' | 'regulator';
/** Who is told at each level, as the regional platforms do it. */
export const ESCALATION_AUDIENCE: Record<EscalationLevel, Audience> = { 1: 'handler', 2: 'institution-head', 3: 'regulator' };

export interface AlertDetails {
  subject: string;
  /** The latest text (English) and what renders it in any language. */
  message: string;
  messageKey: string;
  params: MessageParams;
  /** Every record the alert has rested on, sorted, bounded (MAX_EVIDENCE). */
  evidence: EvidenceRef[];
  /** When the condition began; the latest episode seen, so a later one after resolution is a recurrence. */
  sinceMs: number;
  /** Severity of the latest candidate. The alert's own severity never falls; this may. */
  currentSeverity: Severity;
  /** The escalation clock: opening, or the severity rise that sent an acknowledged alert back to open. */
  awaitingAckSinceMs: number;
  /** Set when an evaluation that looked at the subject no longer found the condition; cleared if it returns. */
  conditionClearedAtMs?: number;
  /** Severity rises, with the acknowledgement each one undid. */
  raised?: { atMs: number; from: Severity; to: Severity; acknowledgedBy?: string; acknowledgedAtMs?: number }[];
  escalations?: { level: EscalationLevel; atMs: number }[];
}

/** Assigned by the store (its autoincrement id, or any string). */
export type AlertId = number | string;

/** Orders ids: numbers by value, strings as text, numbers first. */
export function compareAlertIds(a: AlertId, b: AlertId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Alert {
  id: AlertId;
  rule: RuleId;
  severity: Severity;
  dedupeKey: string;
  institution: string;
  jurisdiction: string;
  bag?: string;
  device?: string;
  status: AlertStatus;
  escalationLevel: EscalationLevel;
  openedAtMs: number;
  acknowledgedAtMs?: number;
  acknowledgedBy?: string;
  resolvedAtMs?: number;
  resolvedBy?: string;
  note?: string;
  details: AlertDetails;
}

/** A new alert, before the store gives it an id. */
export type AlertDraft = Omit<Alert, 'id'>;

/** What the shell should tell people, or record, after a change. */
export type AlertEffect =
  | { kind: 'opened'; dedupeKey: string; severity: Severity; level: 1; audience: 'handler' }
  | { kind: 'severity-raised'; alertId: AlertId; dedupeKey: string; from: Severity; to: Severity; reopened: boolean; level: EscalationLevel; audience: Audience }
  | { kind: 'escalated'; alertId: AlertId; dedupeKey: string; severity: Severity; level: 2 | 3; audience: Audience }
  | { kind: 'condition-cleared'; alertId: AlertId; dedupeKey: string; atMs: number }
  | { kind: 'condition-returned'; alertId: AlertId; dedupeKey: string }
  | { kind: 'acknowledged'; alertId: AlertId; dedupeKey: string; by: string }
  | { kind: 'resolved'; alertId: AlertId; dedupeKey: string; by: string };

export function isActive(a: Pick<Alert, 'status'>): boolean {
  return a.status !== 'resolved';
}
