/**
 * The `integrity` alerts ingest raises: one open alert per device and code (dedupe key), counting
 * occurrences, so a device sending a thousand bad records makes one alert, not a thousand. Pure.
 */
import type { AlertSeverity, NewAlert } from '../store/index.ts';
import type { QuarantineCode } from './codes.ts';

export const INTEGRITY_RULE = 'integrity';

/** Signs of tampering or forgery are critical; loss and malformed input are warnings. */
const CRITICAL: ReadonlySet<QuarantineCode> = new Set<QuarantineCode>([
  'BAD_SIGNATURE',
  'WRONG_KEY',
  'KEY_REVOKED',
  'FORK',
  'PREV_HASH_MISMATCH',
  'CHAIN_START_INVALID',
  'TOPIC_MISMATCH',
]);

export function integritySeverity(code: QuarantineCode): AlertSeverity {
  return CRITICAL.has(code) ? 'critical' : 'warning';
}

export function integrityDedupeKey(device: string, code: QuarantineCode): string {
  return `${INTEGRITY_RULE}:${device}:${code}`;
}

export interface IntegrityProblem {
  device: string;
  code: QuarantineCode;
  message: string;
  seq?: number;
  at: string;
  institution?: string;
  jurisdiction?: string;
}

export function integrityAlert(p: IntegrityProblem): NewAlert {
  return {
    rule: INTEGRITY_RULE,
    severity: integritySeverity(p.code),
    dedupeKey: integrityDedupeKey(p.device, p.code),
    title: `${p.code} from device ${p.device}`,
    device: p.device,
    ...(p.institution !== undefined ? { institution: p.institution } : {}),
    ...(p.jurisdiction !== undefined ? { jurisdiction: p.jurisdiction } : {}),
    at: p.at,
    details: { code: p.code, lastMessage: p.message, ...(p.seq !== undefined ? { lastSeq: p.seq } : {}) },
  };
}
