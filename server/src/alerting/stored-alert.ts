/**
 * The alert book's alerts (server/src/alerts: times in ms, everything but the table's columns in
 * `details`) to and from the store's rows (RFC 3339 text, one column per field). Pure. The row keeps
 * what the book does not know about: its revision, occurrences, last seen, the acknowledgement note,
 * the parties' explanations.
 */
import type { Alert as BookAlert, AlertDraft, AlertStatus, EscalationLevel } from '../alerts/index.ts';
import type { RuleId, Severity } from '../rules/index.ts';
import type { Alert as StoredAlert, NewAlert } from '../store/index.ts';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

/** A party's note on an alert (explain): who, when, what. The book never reads it; the row keeps it. */
export interface AlertExplanation {
  by: string;
  at: string;
  note: string;
}

/** The history the row keeps in `details`, in the store's time format. */
interface StoredHistory {
  raised?: Array<{ at: string; from: Severity; to: Severity; acknowledgedBy?: string; acknowledgedAt?: string; acknowledgeNote?: string }>;
  escalations?: Array<{ level: EscalationLevel; at: string }>;
  explanations?: AlertExplanation[];
}

/** The explanations given on a stored alert, oldest first. */
export function explanationsOf(row: Pick<StoredAlert, 'details'>): AlertExplanation[] {
  const list = (row.details as StoredHistory).explanations;
  return Array.isArray(list) ? list.map((e) => ({ by: e.by, at: e.at, note: e.note })) : [];
}

/** The row with one more explanation. */
export function withExplanation(row: StoredAlert, e: AlertExplanation): StoredAlert {
  return { ...row, details: { ...row.details, explanations: [...explanationsOf(row), e] } };
}

function levelOf(n: number): EscalationLevel {
  return n >= 3 ? 3 : n <= 1 ? 1 : 2;
}

export function toBookAlert(row: StoredAlert): BookAlert {
  const history = row.details as StoredHistory;
  const raised = Array.isArray(history.raised)
    ? history.raised.map((r) => ({
        atMs: ms(r.at),
        from: r.from,
        to: r.to,
        ...(r.acknowledgedBy !== undefined ? { acknowledgedBy: r.acknowledgedBy } : {}),
        ...(r.acknowledgedAt !== undefined ? { acknowledgedAtMs: ms(r.acknowledgedAt) } : {}),
      }))
    : undefined;
  const escalations = Array.isArray(history.escalations) ? history.escalations.map((e) => ({ level: e.level, atMs: ms(e.at) })) : undefined;
  return {
    id: row.id,
    rule: row.rule as RuleId,
    severity: row.severity,
    dedupeKey: row.dedupeKey,
    institution: row.institution ?? '',
    jurisdiction: row.jurisdiction ?? '',
    ...(row.bag !== null ? { bag: row.bag } : {}),
    ...(row.device !== null ? { device: row.device } : {}),
    status: row.status as AlertStatus,
    escalationLevel: levelOf(row.escalationLevel),
    openedAtMs: ms(row.openedAt),
    ...(row.acknowledgedAt !== null ? { acknowledgedAtMs: ms(row.acknowledgedAt) } : {}),
    ...(row.acknowledgedBy !== null ? { acknowledgedBy: row.acknowledgedBy } : {}),
    ...(row.resolvedAt !== null ? { resolvedAtMs: ms(row.resolvedAt) } : {}),
    ...(row.resolvedBy !== null ? { resolvedBy: row.resolvedBy } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
    details: {
      subject: row.subject,
      message: row.title,
      messageKey: row.messageKey,
      params: { ...row.params },
      evidence: row.evidence.map((e) => ({ ...e })),
      sinceMs: ms(row.since),
      currentSeverity: row.currentSeverity,
      awaitingAckSinceMs: ms(row.awaitingAckSince),
      ...(row.conditionClearedAt !== null ? { conditionClearedAtMs: ms(row.conditionClearedAt) } : {}),
      ...(raised ? { raised } : {}),
      ...(escalations ? { escalations } : {}),
    },
  };
}

/**
 * The row for a book alert: a new one (`stored` absent), or a changed one written back over `stored`,
 * keeping what only the row knows. An acknowledgement note goes with the acknowledgement: into the
 * severity rise that undid it, if one did.
 */
export function toAlertRow(a: AlertDraft | BookAlert, stored?: StoredAlert): NewAlert {
  const d = a.details;
  const before = (stored?.details as StoredHistory | undefined)?.raised ?? [];
  const history: StoredHistory = {};
  if (d.raised) {
    history.raised = d.raised.map((r, i) => {
      const note = i < before.length ? before[i]!.acknowledgeNote : r.acknowledgedBy !== undefined ? (stored?.acknowledgeNote ?? undefined) : undefined;
      return {
        at: iso(r.atMs),
        from: r.from,
        to: r.to,
        ...(r.acknowledgedBy !== undefined ? { acknowledgedBy: r.acknowledgedBy } : {}),
        ...(r.acknowledgedAtMs !== undefined ? { acknowledgedAt: iso(r.acknowledgedAtMs) } : {}),
        ...(note !== undefined ? { acknowledgeNote: note } : {}),
      };
    });
  }
  if (d.escalations) history.escalations = d.escalations.map((e) => ({ level: e.level, at: iso(e.atMs) }));
  const explanations = stored ? explanationsOf(stored) : [];
  if (explanations.length > 0) history.explanations = explanations;
  return {
    rule: a.rule,
    severity: a.severity,
    currentSeverity: d.currentSeverity,
    dedupeKey: a.dedupeKey,
    subject: d.subject,
    title: d.message,
    messageKey: d.messageKey,
    params: { ...d.params },
    institution: a.institution === '' ? null : a.institution,
    jurisdiction: a.jurisdiction === '' ? null : a.jurisdiction,
    bag: a.bag ?? null,
    device: a.device ?? null,
    status: a.status,
    escalationLevel: a.escalationLevel,
    openedAt: iso(a.openedAtMs),
    awaitingAckSince: iso(d.awaitingAckSinceMs),
    acknowledgedAt: a.acknowledgedAtMs !== undefined ? iso(a.acknowledgedAtMs) : null,
    acknowledgedBy: a.acknowledgedBy ?? null,
    acknowledgeNote: a.acknowledgedBy !== undefined ? (stored?.acknowledgeNote ?? null) : null,
    resolvedAt: a.resolvedAtMs !== undefined ? iso(a.resolvedAtMs) : null,
    resolvedBy: a.resolvedBy ?? null,
    note: a.note ?? null,
    since: iso(d.sinceMs),
    conditionClearedAt: d.conditionClearedAtMs !== undefined ? iso(d.conditionClearedAtMs) : null,
    evidence: d.evidence.map((e) => ({ ...e })),
    occurrences: stored?.occurrences ?? 1,
    lastSeenAt: stored?.lastSeenAt ?? iso(a.openedAtMs),
    details: history as Record<string, unknown>,
  };
}

/** A changed book alert as the row updateAlert writes over `stored` (its id and revision). */
export function toAlertUpdate(a: BookAlert, stored: StoredAlert): StoredAlert {
  return { ...toAlertRow(a, stored), id: stored.id, revision: stored.revision };
}
