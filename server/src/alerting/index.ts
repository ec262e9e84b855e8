// Alerting: the bag projection, the rules and the alert book, wired to ingest and the store (docs/server/alerting.md).
export {
  alertActions,
  startAlerting,
  type AlertActions,
  type Alerting,
  type AlertingIngest,
  type AlertingOptions,
  type TickReport,
} from './start.ts';
export { AlertLedger, type AlertActionErrorCode, type AlertActionOutcome, type AlertNotice, type EscalationPolicyOf } from './ledger.ts';
export { fileIntegrityFindings, integrityEvaluation } from './integrity.ts';
export { explanationsOf, toAlertRow, toAlertUpdate, toBookAlert, type AlertExplanation } from './stored-alert.ts';
export { institutionInfos, jurisdictionPathOf, loadRuleWorld, ruleDevices, type RuleWorld } from './world.ts';
