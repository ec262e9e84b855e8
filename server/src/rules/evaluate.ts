/**
 * evaluateRules: every rule over the bags, devices and institutions given, at `nowMs`. Pure and
 * deterministic: the same inputs in any order give the same candidates, sorted by dedupe key.
 *
 * Each tick: all rules, over every bag not yet disposed plus every bag with a step within
 * ruleLookbackMs(config), every device, every institution. On a new record: BAG_RULES only, over the
 * trails that record touched (rules that add up across bags would see too little).
 */
import type { BagTrail } from '../custody/trail.ts';
import { jurisdictionIdOf, RULE_IDS, type AlertCandidate, type RuleId } from './candidate.ts';
import { ClonedTagRule } from './cloned-tag.ts';
import { CollectionOverdueRule } from './collection-overdue.ts';
import { resolveThresholds, type RuleConfig, type RuleThresholds } from './config.ts';
import { DepartmentUnsentRule } from './department-unsent.ts';
import { DeviceSilentRule } from './device-silent.ts';
import { ManifestDiscrepancyRule, ManifestUnclosedRule } from './manifest.ts';
import { MassBalanceRule } from './mass-balance.ts';
import type { Manifest } from '../manifests/manifest.ts';
import { MissingInTransitRule } from './missing-in-transit.ts';
import { OutOfOrderCustodyRule } from './out-of-order.ts';
import type { DeviceStatus, InstitutionInfo, RoomClimate, Rule, RuleContext } from './rule.ts';
import { ClimateSilentRule } from './climate-silent.ts';
import { StorageClimateRule } from './storage-climate.ts';
import { StorageOverdueRule } from './storage-overdue.ts';
import { UnknownOriginRule } from './unknown-origin.ts';
import { WeightDiscrepancyRule } from './weight-discrepancy.ts';
import { AbnormalStopRule } from './abnormal-stop.ts';
import { DoorOpenedRule } from './door-opened.ts';
import { RouteDeviationRule } from './route-deviation.ts';
import { VehicleSilentRule } from './vehicle-silent.ts';
import type { TransportContext } from './transport.ts';

/** The rules evaluateRules runs (integrity comes from ingest). */
export const RULES: readonly Rule[] = [
  StorageOverdueRule,
  DepartmentUnsentRule,
  CollectionOverdueRule,
  MissingInTransitRule,
  WeightDiscrepancyRule,
  UnknownOriginRule,
  ClonedTagRule,
  OutOfOrderCustodyRule,
  DeviceSilentRule,
  MassBalanceRule,
  StorageClimateRule,
  ClimateSilentRule,
  ManifestDiscrepancyRule,
  ManifestUnclosedRule,
  RouteDeviationRule,
  AbnormalStopRule,
  DoorOpenedRule,
  VehicleSilentRule,
];

/** Rules that judge each bag (or each fully visible handover) on its own: safe on the bags one record touched. */
export const BAG_RULES: readonly RuleId[] = ['storage-overdue', 'department-unsent', 'missing-in-transit', 'weight-discrepancy', 'unknown-origin', 'cloned-tag', 'out-of-order'];

/** Rules that judge each manifest on its own: safe on the manifests one record touched. */
export const MANIFEST_RULES: readonly RuleId[] = ['manifest-discrepancy', 'manifest-unclosed'];

export interface RuleInputs {
  nowMs: number;
  config: RuleConfig;
  institutions: readonly InstitutionInfo[];
  /** One trail per bag. */
  trails?: readonly BagTrail[];
  devices?: readonly DeviceStatus[];
  climate?: readonly RoomClimate[];
  manifests?: readonly Manifest[];
  /** Vehicle tracks, routes and geofences for the transport rules. */
  transport?: TransportContext;
  /** Run only these rules (default: all of RULES). */
  rules?: readonly RuleId[];
}

/** What was judged: an open alert of one of these rules about one of these subjects, and no candidate, has cleared. */
export interface EvaluatedScope {
  rules: RuleId[];
  subjects: string[];
}

export interface RuleEvaluation {
  nowMs: number;
  candidates: AlertCandidate[];
  evaluated: EvaluatedScope;
}

export function evaluateRules(inputs: RuleInputs): RuleEvaluation {
  const ctx = ruleContext(inputs);
  const wanted = new Set(inputs.rules ?? RULES.map((r) => r.id));
  const candidates: AlertCandidate[] = [];
  const subjects = new Set<string>();
  for (const rule of RULES) {
    if (!wanted.has(rule.id)) continue;
    const out = rule.evaluate(ctx);
    candidates.push(...out.candidates);
    for (const s of out.subjects) subjects.add(s);
  }
  candidates.sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
  return {
    nowMs: inputs.nowMs,
    candidates,
    evaluated: { rules: RULE_IDS.filter((id) => wanted.has(id) && RULES.some((r) => r.id === id)), subjects: [...subjects].sort() },
  };
}

/** Candidates found outside evaluateRules (ingest's integrity alerts): they judge nothing else. */
export function findings(nowMs: number, candidates: readonly AlertCandidate[]): RuleEvaluation {
  return { nowMs, candidates: [...candidates], evaluated: { rules: [], subjects: [] } };
}

export function ruleContext(inputs: RuleInputs): RuleContext {
  const trails = inputs.trails ?? [];
  const devices = inputs.devices ?? [];
  const byId = new Map(inputs.institutions.map((i) => [i.id, i]));
  const ids = new Set(byId.keys());
  for (const t of trails) for (const s of t.steps) ids.add(s.institution);
  for (const d of devices) ids.add(d.institution);
  for (const t of inputs.transport?.tracks ?? []) ids.add(t.institution);
  const thresholds = new Map<string, RuleThresholds>();
  return {
    nowMs: inputs.nowMs,
    trails,
    devices,
    climate: inputs.climate ?? [],
    manifests: inputs.manifests ?? [],
    institutionIds: [...ids].sort(),
    institution: (id) => byId.get(id),
    thresholds(id) {
      let t = thresholds.get(id);
      if (!t) thresholds.set(id, (t = resolveThresholds(inputs.config, byId.get(id)?.jurisdiction ?? [])));
      return t;
    },
    jurisdiction: (id) => jurisdictionIdOf(byId.get(id)?.jurisdiction ?? []),
    ...(inputs.transport ? { transport: inputs.transport } : {}),
  };
}
