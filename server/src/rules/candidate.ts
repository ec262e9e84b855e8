/**
 * What a rule produces: an alert candidate, the claim "this is wrong right now", which the alert book
 * (server/src/alerts) turns into an alert, or folds into the one already open for the same thing.
 */
import type { RecordRef } from '../custody/trail.ts';

export const RULE_IDS = [
  'storage-overdue',
  'department-unsent',
  'collection-overdue',
  'missing-in-transit',
  'weight-discrepancy',
  'unknown-origin',
  'cloned-tag',
  'out-of-order',
  'integrity',
  'device-silent',
  'mass-balance',
  'storage-climate',
  'climate-silent',
  'manifest-discrepancy',
  'manifest-unclosed',
  'route-deviation',
  'abnormal-stop',
  'door-opened',
  'vehicle-silent',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/**
 * How a rule's alerts recur. A `condition` holds for a while and may clear (a bag waiting in storage):
 * after a person resolves its alert, it opens a new one only once it has cleared and come back, which
 * shows as a later `sinceMs`. An `event` is a fact in the records (a bag sealed twice): a new one shows
 * as evidence the resolved alert did not have.
 */
export type RuleKind = 'condition' | 'event';

export const RULE_KINDS: Record<RuleId, RuleKind> = {
  'storage-overdue': 'condition',
  'department-unsent': 'condition',
  'collection-overdue': 'condition',
  'missing-in-transit': 'condition',
  'weight-discrepancy': 'event',
  'unknown-origin': 'event',
  'cloned-tag': 'event',
  'out-of-order': 'event',
  integrity: 'event',
  'device-silent': 'condition',
  'mass-balance': 'condition',
  // A breach is a fact in the signed readings, even when they arrive after the room cooled down.
  'storage-climate': 'event',
  'climate-silent': 'condition',
  // A discrepancy is a fact in the signed receipt; a manifest left open holds until it is closed.
  'manifest-discrepancy': 'event',
  'manifest-unclosed': 'condition',
  // Each deviation, stop and door opening is an episode of its own (its subject names when it began).
  'route-deviation': 'event',
  'abnormal-stop': 'event',
  'door-opened': 'event',
  'vehicle-silent': 'condition',
};

/** A record an alert points at. `hash` is absent only where no record exists (a sequence gap). */
export interface EvidenceRef {
  device: string;
  seq: number;
  hash?: string;
}

/** Parameters of a message: values only, so any language can render them. */
export type MessageParams = Record<string, string | number>;

export interface AlertCandidate {
  rule: RuleId;
  severity: Severity;
  /** `${rule}:${subject}`: at most one alert per key is open at a time. */
  dedupeKey: string;
  /** What the alert is about, e.g. `bag:<tag>`, `site:<institution>/<room>`, `device:<id>`. */
  subject: string;
  /** The institution the alert is routed to. */
  institution: string;
  /** The institution's own (most specific) jurisdiction id, as the store keeps it; '' when unknown. */
  jurisdiction: string;
  bag?: string;
  device?: string;
  /** English text, ready to show or log; messageKey + params render it in any supported language. */
  message: string;
  messageKey: string;
  params: MessageParams;
  /** The records the claim rests on, sorted by device then seq, at most MAX_EVIDENCE. */
  evidence: EvidenceRef[];
  /** When the condition or event behind the claim began (ms since the epoch). */
  sinceMs: number;
}

/** Evidence kept per candidate and per alert: enough to audit, bounded for a bag stuck for weeks. */
export const MAX_EVIDENCE = 50;

export function subjectKey(kind: 'bag' | 'site' | 'device' | 'handover' | 'institution-day' | 'manifest' | 'vehicle', id: string): string {
  return `${kind}:${id}`;
}

export function dedupeKeyOf(rule: RuleId, subject: string): string {
  return `${rule}:${subject}`;
}

export function evidenceOf(ref: RecordRef | EvidenceRef): EvidenceRef {
  return ref.hash === undefined ? { device: ref.device, seq: ref.seq } : { device: ref.device, seq: ref.seq, hash: ref.hash };
}

export function sameEvidence(a: EvidenceRef, b: EvidenceRef): boolean {
  return a.device === b.device && a.seq === b.seq && a.hash === b.hash;
}

export function compareEvidence(a: EvidenceRef, b: EvidenceRef): number {
  if (a.device !== b.device) return a.device < b.device ? -1 : 1;
  if (a.seq !== b.seq) return a.seq - b.seq;
  const ah = a.hash ?? '';
  const bh = b.hash ?? '';
  return ah < bh ? -1 : ah > bh ? 1 : 0;
}

/** Union of evidence lists, sorted and without repeats, cut to MAX_EVIDENCE (the earliest records stay). */
export function mergeEvidence(...lists: readonly (readonly EvidenceRef[])[]): EvidenceRef[] {
  const all = lists.flat().map(evidenceOf).sort(compareEvidence);
  const out: EvidenceRef[] = [];
  for (const e of all) {
    const last = out.at(-1);
    if (!last || !sameEvidence(last, e)) out.push(e);
    if (out.length === MAX_EVIDENCE) break;
  }
  return out;
}

/**
 * The jurisdiction an alert is filed under: the most specific one of the path (city > district > grid),
 * the one the store keeps on the institution; regulators of the levels above reach it through its parents.
 */
export function jurisdictionIdOf(path: readonly string[]): string {
  return path.at(-1) ?? '';
}

/** An hours value for a message: one decimal, so a message changes at most every six minutes. */
export function hoursParam(ms: number): number {
  return Math.floor(ms / 360_000) / 10;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
