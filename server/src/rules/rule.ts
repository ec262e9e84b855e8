/**
 * What every rule sees and returns. A rule reports its candidates and also the subjects it looked at,
 * so the alert book can tell "no longer true" (a looked-at subject with no candidate) from "not looked
 * at this time" (evaluation of a single bag after a new record).
 */
import type { StationRole } from '@wastetrail/firmware-protocol';
import { CUSTODY_STEPS, type BagTrail, type CustodyStep, type CustodyStepKind } from '../custody/trail.ts';
import { dedupeKeyOf, mergeEvidence, subjectKey, type AlertCandidate, type EvidenceRef, type MessageParams, type RuleId, type Severity } from './candidate.ts';
import type { RuleThresholds } from './config.ts';
import type { Manifest } from '../manifests/manifest.ts';
import type { TransportContext } from './transport.ts';
import { renderAlertMessage, type MessageKey } from './messages.ts';

export interface InstitutionInfo {
  id: string;
  /** Jurisdiction path, broadest first: [city, district, grid]. */
  jurisdiction: readonly string[];
  /** Where it is, for the cloned-tag travel check. */
  location?: { lat: number; lon: number };
  /** Its devices move (a transport company's vehicles): the steps they sign are not at a fixed place. */
  mobile?: boolean;
}

export interface DeviceStatus {
  device: string;
  institution: string;
  /** Last record or heartbeat from the device; absent if never seen (provisioned, not yet installed). */
  lastSeenMs?: number;
  stations: readonly StationRole[];
}

/** One reading of a storage room's sensor, from a signed climate record (tenths of °C and %RH). */
export interface ClimateReading {
  timeMs: number;
  temperature: number;
  outdoor?: number;
  record: EvidenceRef;
}

/** A storage room's readings over the rules' window, oldest first, and its newest reading ever. */
export interface RoomClimate {
  institution: string;
  room: string;
  readings: readonly ClimateReading[];
  lastReadingMs: number;
}

export interface RuleContext {
  nowMs: number;
  trails: readonly BagTrail[];
  devices: readonly DeviceStatus[];
  /** Storage rooms that have a climate sensor. */
  climate: readonly RoomClimate[];
  /** Transfer manifests (server/src/manifests). */
  manifests: readonly Manifest[];
  /** Every institution known or named by a trail or device, sorted. */
  institutionIds: readonly string[];
  institution(id: string): InstitutionInfo | undefined;
  /** Thresholds in force at an institution (the defaults for one not in the list). */
  thresholds(institution: string): RuleThresholds;
  jurisdiction(institution: string): string;
  /** Vehicle tracks, routes and geofences; absent: the transport rules judge nothing. */
  transport?: TransportContext;
}

export interface RuleOutput {
  candidates: AlertCandidate[];
  /** Subjects this rule judged, whether or not it fired for them. */
  subjects: string[];
}

/**
 * A rule's judgement of trails given one at a time: between trails it keeps what it needs of each (a
 * count, a stay, a weight), never the trails, so the tick can stream a city's trails through it.
 */
export interface TrailJudge {
  add(trail: BagTrail): void;
  /** After the last trail; ctx.transport and ctx.institutionIds are complete by then. */
  finish(): RuleOutput;
  /**
   * The judge judged the bag of every trail added, besides the subjects finish() lists: the evaluation
   * names those bags once for every such rule (at city scale each rule listing 100,000 bags again was a
   * sixth of the tick).
   */
  readonly judgesEveryBag?: true;
}

export interface Rule {
  id: RuleId;
  /** Present on every rule that reads trails; evaluate is then this over ctx.trails. */
  judgeTrails?(ctx: RuleContext): TrailJudge;
  evaluate(ctx: RuleContext): RuleOutput;
}

/** A rule that reads trails, written as a TrailJudge; evaluate feeds it ctx.trails. */
export function trailRule(id: RuleId, judgeTrails: (ctx: RuleContext) => TrailJudge): Rule {
  return {
    id,
    judgeTrails,
    evaluate(ctx) {
      const judge = judgeTrails(ctx);
      for (const trail of ctx.trails) judge.add(trail);
      const out = judge.finish();
      return judge.judgesEveryBag ? { candidates: out.candidates, subjects: [...ctx.trails.map((t) => subjectKey('bag', t.bag)), ...out.subjects] } : out;
    },
  };
}

export interface CandidateFields {
  severity: Severity;
  subject: string;
  institution: string;
  bag?: string;
  device?: string;
  messageKey: MessageKey;
  params: MessageParams;
  evidence: readonly EvidenceRef[];
  sinceMs: number;
}

export function candidate(rule: RuleId, ctx: RuleContext, f: CandidateFields): AlertCandidate {
  return {
    rule,
    severity: f.severity,
    dedupeKey: dedupeKeyOf(rule, f.subject),
    subject: f.subject,
    institution: f.institution,
    jurisdiction: ctx.jurisdiction(f.institution),
    ...(f.bag !== undefined ? { bag: f.bag } : {}),
    ...(f.device !== undefined ? { device: f.device } : {}),
    message: renderAlertMessage(f.messageKey, f.params, 'en'),
    messageKey: f.messageKey,
    params: f.params,
    evidence: mergeEvidence(f.evidence),
    sinceMs: f.sinceMs,
  };
}

/** A rule that judges each bag on its own trail: safe to run on just the bags a new record touched. */
export function bagRule(id: RuleId, judge: (trail: BagTrail, ctx: RuleContext) => AlertCandidate[]): Rule {
  return trailRule(id, (ctx) => {
    const out: RuleOutput = { candidates: [], subjects: [] };
    return {
      judgesEveryBag: true,
      add(trail) {
        out.candidates.push(...judge(trail, ctx));
      },
      finish: () => out,
    };
  });
}

// ---- Facts about a trail that several rules need ----

export const stepRank = (s: CustodyStepKind): number => CUSTODY_STEPS.indexOf(s);

/** How far the bag has got: its highest step, whatever order the steps were signed in. */
export function furthestStep(trail: BagTrail): CustodyStepKind | undefined {
  let best: CustodyStepKind | undefined;
  for (const s of trail.steps) if (best === undefined || stepRank(s.step) > stepRank(best)) best = s.step;
  return best;
}

export function firstStepOf(trail: BagTrail, kind: CustodyStepKind): CustodyStep | undefined {
  return trail.steps.find((s) => s.step === kind);
}

export function lastStepOf(trail: BagTrail, kind: CustodyStepKind): CustodyStep | undefined {
  return trail.steps.findLast((s) => s.step === kind);
}

export const timeOf = (s: CustodyStep): number => Date.parse(s.time);

/**
 * A bag whose clock runs: the time rules judge bags that are still in someone's custody. A voided
 * sealing (a test bag, a mislabel) stops every clock.
 */
export function inCustody(trail: BagTrail): boolean {
  return trail.state !== 'voided';
}
