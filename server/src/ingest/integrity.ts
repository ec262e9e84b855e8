/**
 * The `integrity` alerts ingest raises. The alert itself (one per device and kind of failure, its
 * severity, its dedupe key) is the rules' integrityAlert (server/src/rules/integrity.ts), so ingest and
 * the rules share one alert shape and one severity table, and the alert book decides what becomes of
 * it. Here: what ingest notes while linking, and where it goes after the commit.
 */
import type { CustodyStore } from '../store/index.ts';
import type { IntegrityFinding, RuleId } from '../rules/index.ts';
import { fileIntegrityFindings as fileIntoBook } from '../alerting/integrity.ts';
import type { QuarantineCode } from './codes.ts';

export { integrityAlert, integrityDedupeKey, integritySeverity, type IntegrityFinding } from '../rules/integrity.ts';

export const INTEGRITY_RULE = 'integrity' satisfies RuleId;

/** A problem as ingest notes it while linking a batch. */
export interface IntegrityProblem {
  device: string;
  code: QuarantineCode;
  message: string;
  seq?: number;
  /** SHA-256 of the refused record, when there is one. */
  hash?: string;
  /** When it was received (RFC 3339). */
  at: string;
}

export function integrityFinding(p: IntegrityProblem, where: { institution?: string | undefined; jurisdiction?: string | undefined }): IntegrityFinding {
  return {
    code: p.code,
    message: p.message,
    device: p.device,
    ...(p.seq !== undefined ? { seq: p.seq } : {}),
    ...(p.hash !== undefined ? { hash: p.hash } : {}),
    ...(where.institution !== undefined ? { institution: where.institution } : {}),
    ...(where.jurisdiction !== undefined ? { jurisdiction: where.jurisdiction } : {}),
    detectedAtMs: Date.parse(p.at),
  };
}

/**
 * Takes a committed batch's findings: the alerting service (startAlerting) registers one, which files
 * them through its alert book and passes the effects on. With none registered, ingest files them itself.
 */
export type IntegrityHook = (findings: IntegrityFinding[]) => void | Promise<void>;

/** Files findings into the store's alert book directly (no escalation: the alerting tick does that). */
export async function fileIntegrityFindings(store: CustodyStore, findings: readonly IntegrityFinding[], nowMs: number): Promise<void> {
  await fileIntoBook(store, findings, nowMs);
}
