/**
 * Integrity findings from ingest as an evaluation for the alert book: the rules' integrityAlert makes
 * each a candidate (one alert per device and kind of failure); they judge nothing else, so no other
 * alert clears because of them.
 */
import { findings, integrityAlert, type AlertCandidate, type IntegrityFinding, type RuleEvaluation } from '../rules/index.ts';
import type { CustodyStore } from '../store/index.ts';
import { AlertLedger, type AlertNotice } from './ledger.ts';

export function integrityEvaluation(found: readonly IntegrityFinding[], nowMs: number): RuleEvaluation {
  return findings(
    nowMs,
    found.map(integrityAlert).filter((c): c is AlertCandidate => c !== undefined),
  );
}

/** Files findings straight into the store's alert book: what ingest does when no alerting service took them. */
export async function fileIntegrityFindings(store: CustodyStore, found: readonly IntegrityFinding[], nowMs: number): Promise<AlertNotice[]> {
  const evaluation = integrityEvaluation(found, nowMs);
  return evaluation.candidates.length === 0 ? [] : new AlertLedger(store).file(evaluation);
}
