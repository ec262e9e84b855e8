/**
 * What people do to an alert: acknowledge it (it is being dealt with; escalation stops), then resolve
 * it with a note saying what was done. Resolving an open alert directly is allowed (a regulator closing
 * a false alarm) and counts as acknowledging it at the same moment.
 */
import type { Alert, AlertEffect } from './alert.ts';

export const ALERT_ACTION_ERRORS = ['ACTOR_REQUIRED', 'NOTE_REQUIRED', 'ALREADY_ACKNOWLEDGED', 'ALREADY_RESOLVED'] as const;
export type AlertActionErrorCode = (typeof ALERT_ACTION_ERRORS)[number];

export type AlertActionResult = { ok: true; alert: Alert; effects: AlertEffect[] } | { ok: false; error: { code: AlertActionErrorCode; message: string } };

const refuse = (code: AlertActionErrorCode, message: string): AlertActionResult => ({ ok: false, error: { code, message } });

export function acknowledgeAlert(alert: Alert, action: { by: string; nowMs: number }): AlertActionResult {
  if (action.by.trim() === '') return refuse('ACTOR_REQUIRED', 'say who acknowledges the alert');
  if (alert.status === 'resolved') return refuse('ALREADY_RESOLVED', `alert ${alert.id} was resolved by ${alert.resolvedBy ?? 'someone'}`);
  if (alert.status === 'acknowledged') return refuse('ALREADY_ACKNOWLEDGED', `alert ${alert.id} was acknowledged by ${alert.acknowledgedBy ?? 'someone'}`);
  return {
    ok: true,
    alert: { ...alert, status: 'acknowledged', acknowledgedAtMs: action.nowMs, acknowledgedBy: action.by },
    effects: [{ kind: 'acknowledged', alertId: alert.id, dedupeKey: alert.dedupeKey, by: action.by }],
  };
}

export function resolveAlert(alert: Alert, action: { by: string; note: string; nowMs: number }): AlertActionResult {
  if (action.by.trim() === '') return refuse('ACTOR_REQUIRED', 'say who resolves the alert');
  if (action.note.trim() === '') return refuse('NOTE_REQUIRED', 'resolving an alert needs a note saying what was done');
  if (alert.status === 'resolved') return refuse('ALREADY_RESOLVED', `alert ${alert.id} was resolved by ${alert.resolvedBy ?? 'someone'}`);
  return {
    ok: true,
    alert: {
      ...alert,
      status: 'resolved',
      acknowledgedAtMs: alert.acknowledgedAtMs ?? action.nowMs,
      acknowledgedBy: alert.acknowledgedBy ?? action.by,
      resolvedAtMs: action.nowMs,
      resolvedBy: action.by,
      note: action.note.trim(),
    },
    effects: [{ kind: 'resolved', alertId: alert.id, dedupeKey: alert.dedupeKey, by: action.by }],
  };
}
