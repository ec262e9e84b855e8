/**
 * Integrity: what verification refused (a bad signature, a forked or broken hash chain, a sequence gap
 * not filled in time, an unknown device...). Ingest finds these, not the rules: it calls integrityAlert
 * for each problem and hands the candidate to the alert book, so ingest and the rules share one alert
 * shape and one severity table.
 */
import type { RecordErrorCode } from '@wastetrail/firmware-protocol';
import { dedupeKeyOf, subjectKey, type AlertCandidate, type EvidenceRef, type Severity } from './candidate.ts';
import { renderAlertMessage } from './messages.ts';

/**
 * Forgery and tampering are critical; malformed records (a firmware bug as likely as an attack) are
 * warnings. A duplicate is at-least-once delivery doing its job, and raises nothing.
 */
export const INTEGRITY_SEVERITY: Record<RecordErrorCode, Severity | undefined> = {
  UNKNOWN_DEVICE: 'critical',
  WRONG_KEY: 'critical',
  KEY_REVOKED: 'critical',
  BAD_SIGNATURE: 'critical',
  EVENT_NOT_ALLOWED: 'critical',
  CHAIN_START_INVALID: 'critical',
  FORK: 'critical',
  PREV_HASH_MISMATCH: 'critical',
  // The edge keeps every record until the server acknowledges it: records that never come were lost or removed.
  SEQUENCE_GAP: 'critical',
  MALFORMED_ENVELOPE: 'warning',
  MALFORMED_RECORD: 'warning',
  NON_CANONICAL_RECORD: 'warning',
  UNSUPPORTED_VERSION: 'warning',
  UNKNOWN_EVENT_TYPE: 'warning',
  MISSING_FIELD: 'warning',
  UNEXPECTED_FIELD: 'warning',
  INVALID_FIELD: 'warning',
  WRONG_UNIT: 'warning',
  // Behind the chain head and older than the duplicate window: almost always a very late resend.
  OUT_OF_ORDER: 'info',
  DUPLICATE_RECORD: undefined,
};

/** Ingest's own codes for what goes wrong around a record on the wire (server/src/ingest/codes.ts). */
export const WIRE_SEVERITY: Record<string, Severity | undefined> = {
  // Another client replaying a device's records on its own topic.
  TOPIC_MISMATCH: 'critical',
  PAYLOAD_TOO_LARGE: 'warning',
  NOT_UTF8: 'warning',
  EMPTY_PAYLOAD: 'warning',
  WRONG_TOPIC: 'warning',
  MALFORMED_STATUS: 'warning',
};

/** The severity of an integrity problem, or undefined when it warrants no alert. A code added later raises a warning. */
export function integritySeverity(code: string): Severity | undefined {
  if (Object.prototype.hasOwnProperty.call(INTEGRITY_SEVERITY, code)) return INTEGRITY_SEVERITY[code as RecordErrorCode];
  if (Object.prototype.hasOwnProperty.call(WIRE_SEVERITY, code)) return WIRE_SEVERITY[code];
  return 'warning';
}

/** A problem as ingest sees it: a RecordError (code, message, device?, seq?) plus where and when. */
export interface IntegrityFinding {
  /** A firmware-protocol RecordErrorCode or one of ingest's wire codes. */
  code: string;
  message: string;
  /** The device the record claims, or whose topic carried it. */
  device: string;
  seq?: number;
  /** SHA-256 of the refused record, when ingest could compute it, so the alert points at exact bytes. */
  hash?: string;
  /** The device's institution from the keyring, and that institution's jurisdiction id; absent for an unknown device. */
  institution?: string;
  jurisdiction?: string;
  detectedAtMs: number;
}

/** Institution of an alert nobody can be attributed to: only regulators see it. */
export const UNATTRIBUTED = '';

export function integrityDedupeKey(device: string, code: string): string {
  return dedupeKeyOf('integrity', integritySubject(device, code));
}

function integritySubject(device: string, code: string): string {
  return subjectKey('device', `${device}/${code}`);
}

/** The alert candidate for an integrity problem, or undefined when it warrants none. */
export function integrityAlert(f: IntegrityFinding): AlertCandidate | undefined {
  const severity = integritySeverity(f.code);
  if (!severity) return undefined;
  const institution = f.institution ?? UNATTRIBUTED;
  // One alert per device and kind of failure: a device sending a hundred bad signatures is one problem.
  const subject = integritySubject(f.device, f.code);
  const params = { device: f.device, institution, code: f.code, detail: f.message, ...(f.seq !== undefined ? { seq: f.seq } : {}) };
  const evidence: EvidenceRef[] = f.seq !== undefined ? [{ device: f.device, seq: f.seq, ...(f.hash ? { hash: f.hash } : {}) }] : [];
  return {
    rule: 'integrity',
    severity,
    dedupeKey: dedupeKeyOf('integrity', subject),
    subject,
    institution,
    jurisdiction: f.jurisdiction ?? '',
    device: f.device,
    message: renderAlertMessage('integrity', params, 'en'),
    messageKey: 'integrity',
    params,
    evidence,
    sinceMs: f.detectedAtMs,
  };
}
