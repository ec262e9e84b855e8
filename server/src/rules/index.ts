// Rules: pure judgements over custody trails, devices and institutions (docs/server/rules.md).
export * from './candidate.ts';
export * from './config.ts';
export * from './evaluate.ts';
export * from './integrity.ts';
export * from './local-time.ts';
export * from './messages.ts';
export type { DeviceStatus, InstitutionInfo, Rule, RuleContext, RuleOutput } from './rule.ts';
export { StorageOverdueRule } from './storage-overdue.ts';
export { DepartmentUnsentRule } from './department-unsent.ts';
export { CollectionOverdueRule } from './collection-overdue.ts';
export { MissingInTransitRule } from './missing-in-transit.ts';
export { WeightDiscrepancyRule } from './weight-discrepancy.ts';
export { UnknownOriginRule } from './unknown-origin.ts';
export { ClonedTagRule, distanceKm } from './cloned-tag.ts';
export { OutOfOrderCustodyRule, ANOMALY_SEVERITY } from './out-of-order.ts';
export { DeviceSilentRule } from './device-silent.ts';
export { MassBalanceRule, massBalanceDays } from './mass-balance.ts';
export { ManifestDiscrepancyRule, ManifestUnclosedRule } from './manifest.ts';
