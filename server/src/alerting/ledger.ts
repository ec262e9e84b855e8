/**
 * The alert book over the store: reads the alerts an evaluation needs, lets the book (server/src/alerts)
 * decide, and writes its decisions back. Every write is conditional on the revision read, and a second
 * unresolved alert for a key is refused by the store, so when another writer got there first (a person
 * acknowledging, another server process) the ledger reads again and lets the book decide again.
 */
import {
  acknowledgeAlert,
  advanceAlerts,
  reconcileAlerts,
  resolveAlert,
  type AlertChanges,
  type AlertEffect,
  type EscalationPolicy,
  type Alert as BookAlert,
} from '../alerts/index.ts';
import type { RuleEvaluation } from '../rules/index.ts';
import type { CustodyStore, Alert as StoredAlert } from '../store/index.ts';
import { toAlertRow, toAlertUpdate, toBookAlert, withExplanation } from './stored-alert.ts';

/** An effect of the book's decision, with the stored alert it concerns (for routing a notification). */
export interface AlertNotice {
  effect: AlertEffect;
  alert: StoredAlert;
}

/** The errors acknowledge and resolve answer with; each is also an HTTP API error code. */
export type AlertActionErrorCode = 'ALERT_NOT_FOUND' | 'NOTE_REQUIRED' | 'ALREADY_RESOLVED' | 'ALREADY_ACKNOWLEDGED';

export type AlertActionOutcome = { ok: true; alert: StoredAlert } | { ok: false; error: { code: AlertActionErrorCode; message: string } };

export type EscalationPolicyOf = (alert: BookAlert) => EscalationPolicy;

/** Attempts at one decision before giving up on a write that keeps being overtaken. */
const MAX_ATTEMPTS = 5;

export class AlertLedger {
  private readonly store: CustodyStore;

  constructor(store: CustodyStore) {
    this.store = store;
  }

  /**
   * Folds an evaluation into the stored alerts (reconcileAlerts); with a policy, also escalates every
   * alert still unacknowledged (advanceAlerts, as a tick does). Returns what changed, as notices.
   */
  async file(evaluation: RuleEvaluation, policy?: EscalationPolicyOf): Promise<AlertNotice[]> {
    const notices: AlertNotice[] = [];
    const sighted = new Set<number>();
    const candidateKeys = new Set(evaluation.candidates.map((c) => c.dedupeKey));
    for (let attempt = 1; ; attempt++) {
      const known = await this.known(evaluation, policy !== undefined);
      const book = [...known.values()].map(toBookAlert);
      const changes = policy ? advanceAlerts(book, evaluation, policy) : reconcileAlerts(book, evaluation);
      const written = await this.write(changes, known);
      notices.push(...written.notices);
      // The evaluation found these alerts' conditions again: count it once per alert.
      const seen = [...known.values()].filter((a) => a.status !== 'resolved' && candidateKeys.has(a.dedupeKey) && !written.lost.has(a.id) && !sighted.has(a.id)).map((a) => a.id);
      for (const id of seen) sighted.add(id);
      for (const a of written.opened) sighted.add(a.id);
      await this.store.recordAlertSightings(seen, new Date(evaluation.nowMs).toISOString());
      if (written.lost.size === 0 && written.refused === 0) return notices;
      if (attempt === MAX_ATTEMPTS) throw new Error(`alert writes overtaken ${MAX_ATTEMPTS} times in a row; giving up on this evaluation`);
    }
  }

  /** open -> acknowledged. Acknowledging an acknowledged alert again changes nothing and says so. */
  async acknowledge(alertId: number, by: string, nowMs: number, note?: string): Promise<{ outcome: AlertActionOutcome; notices: AlertNotice[] }> {
    return this.act(alertId, (a) => acknowledgeAlert(a, { by, nowMs }), (row) => (note !== undefined && note.trim() !== '' ? { ...row, acknowledgeNote: note.trim() } : row));
  }

  /** open | acknowledged -> resolved, with a note saying what was done. */
  async resolve(alertId: number, by: string, note: string, nowMs: number): Promise<{ outcome: AlertActionOutcome; notices: AlertNotice[] }> {
    return this.act(alertId, (a) => resolveAlert(a, { by, note, nowMs }));
  }

  /**
   * A party's explanation, kept with the alert; status and escalation stay as they are. Refused on a
   * resolved alert (ALREADY_RESOLVED) and without a note (NOTE_REQUIRED).
   */
  async explain(alertId: number, by: string, note: string, nowMs: number): Promise<AlertActionOutcome> {
    if (by.trim() === '') throw new TypeError('say who explains the alert');
    const text = note.trim();
    for (let attempt = 1; ; attempt++) {
      const stored = Number.isSafeInteger(alertId) ? await this.store.alert(alertId) : undefined;
      if (!stored) return { ok: false, error: { code: 'ALERT_NOT_FOUND', message: `no alert ${alertId}` } };
      if (stored.status === 'resolved') return { ok: false, error: { code: 'ALREADY_RESOLVED', message: `alert ${alertId} was resolved by ${stored.resolvedBy ?? 'someone'}` } };
      if (text === '') return { ok: false, error: { code: 'NOTE_REQUIRED', message: 'an explanation needs a note' } };
      const updated = await this.store.updateAlert(withExplanation(stored, { by, at: new Date(nowMs).toISOString(), note: text }));
      if (updated) return { ok: true, alert: updated };
      if (attempt === MAX_ATTEMPTS) throw new Error(`alert ${alertId} keeps changing under this action; try again`);
    }
  }

  private async act(
    alertId: number,
    decide: (a: BookAlert) => ReturnType<typeof acknowledgeAlert>,
    finish: (row: StoredAlert) => StoredAlert = (row) => row,
  ): Promise<{ outcome: AlertActionOutcome; notices: AlertNotice[] }> {
    for (let attempt = 1; ; attempt++) {
      const stored = Number.isSafeInteger(alertId) ? await this.store.alert(alertId) : undefined;
      if (!stored) return { outcome: { ok: false, error: { code: 'ALERT_NOT_FOUND', message: `no alert ${alertId}` } }, notices: [] };
      const decided = decide(toBookAlert(stored));
      if (!decided.ok) {
        // Who acts comes from the session: an empty name is a bug in the caller, not a user error.
        if (decided.error.code === 'ACTOR_REQUIRED') throw new TypeError(decided.error.message);
        return { outcome: { ok: false, error: { code: decided.error.code, message: decided.error.message } }, notices: [] };
      }
      const updated = await this.store.updateAlert(finish(toAlertUpdate(decided.alert, stored)));
      if (updated) return { outcome: { ok: true, alert: updated }, notices: decided.effects.map((effect) => ({ effect, alert: updated })) };
      if (attempt === MAX_ATTEMPTS) throw new Error(`alert ${alertId} keeps changing under this action; try again`);
    }
  }

  /**
   * What the book must be given (alerts/reconcile.ts): every unresolved alert of the rules and subjects
   * judged (a tick: every unresolved alert, since it escalates them all), and for each candidate's key
   * the latest alert with that key.
   */
  private async known(evaluation: RuleEvaluation, everyUnresolved: boolean): Promise<Map<number, StoredAlert>> {
    const { rules, subjects } = evaluation.evaluated;
    const unresolved = everyUnresolved ? await this.store.unresolvedAlerts() : rules.length > 0 && subjects.length > 0 ? await this.store.unresolvedAlerts({ rules, subjects }) : [];
    const known = new Map(unresolved.map((a) => [a.id, a]));
    const held = new Set(unresolved.map((a) => a.dedupeKey));
    const keys = [...new Set(evaluation.candidates.map((c) => c.dedupeKey))].filter((k) => !held.has(k));
    for (const a of await this.store.latestAlerts(keys)) known.set(a.id, a);
    return known;
  }

  /** Writes the book's changes; `lost` are updates another writer overtook, `refused` openings another writer made first. */
  private async write(changes: AlertChanges, known: Map<number, StoredAlert>): Promise<{ notices: AlertNotice[]; opened: StoredAlert[]; lost: Set<number>; refused: number }> {
    const written = new Map<number, StoredAlert>();
    const lost = new Set<number>();
    for (const a of changes.updated) {
      const stored = known.get(a.id as number)!;
      const updated = await this.store.updateAlert(toAlertUpdate(a, stored));
      if (updated) written.set(updated.id, updated);
      else lost.add(stored.id);
    }
    const opened = new Map<string, StoredAlert>();
    let refused = 0;
    for (const draft of changes.opened) {
      const inserted = await this.store.insertAlert(toAlertRow(draft));
      if (inserted) opened.set(inserted.dedupeKey, inserted);
      else refused++;
    }
    const notices: AlertNotice[] = [];
    for (const effect of changes.effects) {
      if (effect.kind === 'opened') {
        const alert = opened.get(effect.dedupeKey);
        if (alert) notices.push({ effect: { ...effect }, alert });
        continue;
      }
      const id = effect.alertId as number;
      const alert = written.get(id);
      if (alert) notices.push({ effect, alert });
    }
    return { notices, opened: [...opened.values()], lost, refused };
  }
}
