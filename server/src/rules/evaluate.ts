/**
 * evaluateRules: every rule over the bags, devices and institutions given, at `nowMs`. Pure and
 * deterministic: the same inputs in any order give the same candidates, sorted by dedupe key.
 *
 * Each tick: all rules, over every bag not yet disposed plus every bag with a step within
 * ruleLookbackMs(config), every device, every institution. On a new record: BAG_RULES only, over the
 * trails that record touched (rules that add up across bags would see too little).
 */
import type { BagTrail } from '../custody/trail.ts';
import { jurisdictionIdOf, RULE_IDS, subjectKey, type AlertCandidate, type RuleId } from './candidate.ts';
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
  const evaluation = startEvaluation(inputs);
  for (const trail of inputs.trails ?? []) evaluation.add(trail);
  return evaluation.finish(inputs.transport);
}

/** An evaluation whose trails come one at a time: the tick streams a city's trails through it, never holding them all. */
export interface EvaluationInProgress {
  add(trail: BagTrail): void;
  /** After the last trail, with the transport context if it was not given at the start (it may depend on the trails). */
  finish(transport?: TransportContext): RuleEvaluation;
}

/** evaluateRules over trails given later, with add; `inputs.trails` is not read. */
export function startEvaluation(inputs: RuleInputs): EvaluationInProgress {
  const ctx = new EvaluationContext(inputs);
  const wanted = new Set(inputs.rules ?? RULES.map((r) => r.id));
  const running = RULES.filter((rule) => wanted.has(rule.id)).map((rule) => ({ rule, judge: rule.judgeTrails?.(ctx) }));
  const judges = running.flatMap((r) => (r.judge ? [r.judge] : []));
  const judgesEveryBag = judges.some((j) => j.judgesEveryBag);
  const bags: string[] = [];
  return {
    add(trail) {
      ctx.saw(trail);
      for (const judge of judges) judge.add(trail);
      if (judgesEveryBag) bags.push(subjectKey('bag', trail.bag));
    },
    finish(transport) {
      if (transport) ctx.setTransport(transport);
      const candidates: AlertCandidate[] = [];
      const subjects = new Set<string>(bags);
      for (const { rule, judge } of running) {
        const out = judge ? judge.finish() : rule.evaluate(ctx);
        for (const c of out.candidates) candidates.push(c);
        for (const s of out.subjects) subjects.add(s);
      }
      candidates.sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
      return {
        nowMs: inputs.nowMs,
        candidates,
        evaluated: { rules: RULE_IDS.filter((id) => wanted.has(id) && RULES.some((r) => r.id === id)), subjects: [...subjects].sort() },
      };
    },
  };
}

/** Candidates found outside evaluateRules (ingest's integrity alerts): they judge nothing else. */
export function findings(nowMs: number, candidates: readonly AlertCandidate[]): RuleEvaluation {
  return { nowMs, candidates: [...candidates], evaluated: { rules: [], subjects: [] } };
}

export function ruleContext(inputs: RuleInputs): RuleContext {
  const ctx = new EvaluationContext(inputs);
  for (const trail of inputs.trails ?? []) ctx.saw(trail);
  return ctx;
}

/**
 * What the rules see. The institutions grow as trails are seen (a trail may name an institution no
 * list has) and the transport context may come after the trails: both are complete before any rule finishes.
 */
class EvaluationContext implements RuleContext {
  readonly nowMs: number;
  readonly trails: readonly BagTrail[];
  readonly devices: readonly DeviceStatus[];
  readonly climate: readonly RoomClimate[];
  readonly manifests: readonly Manifest[];
  transport?: TransportContext;
  private readonly byId: ReadonlyMap<string, InstitutionInfo>;
  private readonly ids: Set<string>;
  private sortedIds: string[] | undefined;
  private readonly thresholdsOf = new Map<string, RuleThresholds>();
  private readonly config: RuleConfig;

  constructor(inputs: RuleInputs) {
    this.config = inputs.config;
    this.nowMs = inputs.nowMs;
    this.trails = inputs.trails ?? [];
    this.devices = inputs.devices ?? [];
    this.climate = inputs.climate ?? [];
    this.manifests = inputs.manifests ?? [];
    this.byId = new Map(inputs.institutions.map((i) => [i.id, i]));
    this.ids = new Set(this.byId.keys());
    for (const d of this.devices) this.ids.add(d.institution);
    if (inputs.transport) this.setTransport(inputs.transport);
  }

  saw(trail: BagTrail): void {
    for (const s of trail.steps) this.named(s.institution);
  }

  setTransport(transport: TransportContext): void {
    this.transport = transport;
    for (const t of transport.tracks) this.named(t.institution);
  }

  get institutionIds(): readonly string[] {
    return (this.sortedIds ??= [...this.ids].sort());
  }

  readonly institution = (id: string): InstitutionInfo | undefined => this.byId.get(id);

  readonly thresholds = (id: string): RuleThresholds => {
    let t = this.thresholdsOf.get(id);
    if (!t) this.thresholdsOf.set(id, (t = resolveThresholds(this.config, this.byId.get(id)?.jurisdiction ?? [])));
    return t;
  };

  readonly jurisdiction = (id: string): string => jurisdictionIdOf(this.byId.get(id)?.jurisdiction ?? []);

  private named(institution: string): void {
    if (this.ids.has(institution)) return;
    this.ids.add(institution);
    this.sortedIds = undefined;
  }
}
