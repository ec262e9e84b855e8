/**
 * The transfer manifest (转移联单) as the server sees it: rebuilt from the signed records that name it
 * (docs/transport/manifest.md). Pure: records in, manifest out. Records are put in one canonical order
 * first, so the manifest is the same whatever order they arrived in.
 *
 *   manifest-issued (producer, version n)  -> signed-by-producer
 *   picked-up naming it (the crew's signature) -> sent
 *   manifest-received (per-bag weights, refusals) -> received
 *   manifest-closed                          -> processed | refused
 *
 * Statuses follow France's BSDASRI (SIGNED_BY_PRODUCER -> SENT -> RECEIVED -> PROCESSED | REFUSED);
 * discrepancies follow US e-Manifest: any difference in the count of bags, a weight off by more than a
 * share (10 % by default), and a smaller intake tolerance (2 %) beyond which a weight is only a warning.
 */
import type { WasteCategory } from '@wastetrail/firmware-protocol';
import { compareRecords, type RecordRef, type TrailRecord } from '../custody/index.ts';

export const MANIFEST_STATUSES = ['signed-by-producer', 'sent', 'received', 'processed', 'refused'] as const;
export type ManifestStatus = (typeof MANIFEST_STATUSES)[number];

/** The parties in the order they sign: producer issues, transporter picks up, receiver weighs in and closes. */
export const MANIFEST_STEPS = ['issued', 'picked-up', 'received', 'closed'] as const;
export type ManifestStep = (typeof MANIFEST_STEPS)[number];

export type ManifestParty = 'producer' | 'transporter' | 'receiver';
const PARTY_OF: Record<ManifestStep, ManifestParty> = { issued: 'producer', 'picked-up': 'transporter', received: 'receiver', closed: 'receiver' };

export interface ManifestSignature {
  step: ManifestStep;
  party: ManifestParty;
  /** The institution whose device signed (the place). */
  institution: string;
  badge: string;
  time: string;
  record: RecordRef;
  /** The version an issue signed. */
  version?: number;
  vehicle?: string;
}

export interface ManifestVersion {
  version: number;
  record: RecordRef;
  time: string;
  issuer: string;
  reason?: string;
  bags: number;
  declaredGrams: number;
}

export const BAG_OUTCOMES = ['accepted', 'refused', 'not-received', 'undeclared'] as const;
export type BagOutcome = (typeof BAG_OUTCOMES)[number];

export interface ManifestBag {
  tag: string;
  /** As declared by the producer; null for a bag received but never declared. */
  category: WasteCategory | null;
  declaredGrams: number | null;
  pickedUp: boolean;
  /** Weighed at intake (accepted, or refused and weighed). */
  receivedGrams: number | null;
  /** Null until the manifest is received. */
  outcome: BagOutcome | null;
  refusalReason?: string;
}

export type DiscrepancyKind = 'count' | 'weight' | 'refusal' | 'signatory';
export type DiscrepancyStage = 'issue' | 'pickup' | 'receipt';

export interface ManifestDiscrepancy {
  kind: DiscrepancyKind;
  /** `discrepancy` must be explained and resolved; `warning` is a weight within the discrepancy share but beyond the intake tolerance. */
  severity: 'discrepancy' | 'warning';
  stage: DiscrepancyStage;
  /** count: bags declared but missing, and bags there but not declared; refusal: the bags refused. */
  missing?: string[];
  undeclared?: string[];
  refused?: string[];
  /** weight (over the accepted declared bags), refusal (the refused bags' weights). */
  declaredGrams?: number;
  receivedGrams?: number;
  /** weight: |received - declared| as a percentage of declared, one decimal. */
  percent?: number;
  /** signatory: a step signed at another institution than the party the manifest names for it. */
  step?: ManifestStep;
  institution?: string;
  expected?: string;
}

export interface ManifestThresholds {
  /** A weight off by more than this share of the declared weight is a discrepancy (e-Manifest: 10 %). */
  weightPercent: number;
  /** ...and by more than this share, a warning (the common ±2 % intake tolerance). */
  tolerancePercent: number;
}

export const DEFAULT_MANIFEST_THRESHOLDS: ManifestThresholds = { weightPercent: 10, tolerancePercent: 2 };

export interface Manifest {
  manifest: string;
  status: ManifestStatus;
  /** The version in force (the highest issued); null when no issue is stored (only later signatures are). */
  version: number | null;
  versions: ManifestVersion[];
  producer: string | null;
  transporter: string | null;
  receiver: string | null;
  vehicle: string | null;
  bags: ManifestBag[];
  declaredBags: number;
  declaredGrams: number;
  acceptedBags: number;
  acceptedGrams: number;
  refusedBags: number;
  refusedGrams: number;
  /** Once received: every declared bag accepted (whole), none (refused), or some (partial). */
  acceptance: 'whole' | 'partial' | 'refused' | null;
  /** Every signature, in the order of the steps (and, within a step, of time). */
  signatures: ManifestSignature[];
  discrepancies: ManifestDiscrepancy[];
  /** Steps signed before an earlier step was: e.g. received with no crew signature stored. */
  missingSteps: ManifestStep[];
  issuedAt: string | null;
  sentAt: string | null;
  receivedAt: string | null;
  closedAt: string | null;
  /** The latest signature's time. */
  lastAt: string;
  /** Every record it was built from, in canonical order. */
  records: RecordRef[];
}

/** The manifest numbers a record names: what tells the projection which manifests a commit touched. */
export function manifestOfEvent(event: TrailRecord['event']): string | undefined {
  switch (event.type) {
    case 'picked-up':
    case 'manifest-issued':
    case 'manifest-received':
    case 'manifest-closed':
      return event.body.manifest;
    default:
      return undefined;
  }
}

const refOf = (r: TrailRecord): RecordRef => ({ device: r.device, seq: r.seq, hash: r.hash });
const stepRank = (s: ManifestStep) => MANIFEST_STEPS.indexOf(s);
const percentOf = (diff: number, base: number) => (base === 0 ? (diff === 0 ? 0 : Infinity) : Math.round((Math.abs(diff) / base) * 1000) / 10);

/** Rebuilds one manifest from every record naming it; undefined when none does. */
export function buildManifest(manifest: string, records: readonly TrailRecord[], thresholds: ManifestThresholds = DEFAULT_MANIFEST_THRESHOLDS): Manifest | undefined {
  const mine = records.filter((r) => manifestOfEvent(r.event) === manifest).sort(compareRecords);
  if (mine.length === 0) return undefined;

  const signatures: ManifestSignature[] = [];
  const versions: ManifestVersion[] = [];
  let issue: Extract<TrailRecord['event'], { type: 'manifest-issued' }>['body'] | undefined;
  let receipt: Extract<TrailRecord['event'], { type: 'manifest-received' }>['body'] | undefined;
  let closing: Extract<TrailRecord['event'], { type: 'manifest-closed' }>['body'] | undefined;
  const pickedUp = new Set<string>();
  let pickupVehicle: string | undefined;
  for (const r of mine) {
    const base = { institution: r.institution, time: r.time, record: refOf(r) };
    const e = r.event;
    if (e.type === 'manifest-issued') {
      signatures.push({ ...base, step: 'issued', party: 'producer', badge: e.body.issuer, version: e.body.version, ...(e.body.vehicle ? { vehicle: e.body.vehicle } : {}) });
      versions.push({ version: e.body.version, record: refOf(r), time: r.time, issuer: e.body.issuer, ...(e.body.reason !== undefined ? { reason: e.body.reason } : {}), bags: e.body.bags.length, declaredGrams: e.body.weight.value });
      // A correction is a new version: the highest version is the manifest (the later one on a tie).
      if (!issue || e.body.version >= issue.version) issue = e.body;
    } else if (e.type === 'picked-up') {
      signatures.push({ ...base, step: 'picked-up', party: 'transporter', badge: e.body.crew, vehicle: e.body.vehicle });
      for (const b of e.body.bags) pickedUp.add(b.tag);
      pickupVehicle = e.body.vehicle;
    } else if (e.type === 'manifest-received') {
      signatures.push({ ...base, step: 'received', party: 'receiver', badge: e.body.operator, vehicle: e.body.vehicle });
      receipt = e.body;
    } else if (e.type === 'manifest-closed') {
      signatures.push({ ...base, step: 'closed', party: 'receiver', badge: e.body.operator });
      closing = e.body;
    }
  }
  signatures.sort((a, b) => stepRank(a.step) - stepRank(b.step) || (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  versions.sort((a, b) => a.version - b.version || (a.time < b.time ? -1 : 1));

  // The bags: as declared, then as picked up and received.
  const bags = new Map<string, ManifestBag>();
  for (const b of issue?.bags ?? []) bags.set(b.tag, { tag: b.tag, category: b.category, declaredGrams: b.weight.value, pickedUp: false, receivedGrams: null, outcome: null });
  const bagOf = (tag: string) => {
    let b = bags.get(tag);
    if (!b) bags.set(tag, (b = { tag, category: null, declaredGrams: null, pickedUp: false, receivedGrams: null, outcome: null }));
    return b;
  };
  for (const tag of pickedUp) bagOf(tag).pickedUp = true;
  if (receipt) {
    for (const a of receipt.accepted) Object.assign(bagOf(a.tag), { receivedGrams: a.weight.value, outcome: 'accepted' });
    for (const f of receipt.refused) Object.assign(bagOf(f.tag), { receivedGrams: f.weight?.value ?? null, outcome: 'refused', refusalReason: f.reason });
    for (const b of bags.values()) if (b.outcome === null) b.outcome = b.declaredGrams === null ? 'undeclared' : 'not-received';
    for (const b of bags.values()) if (b.declaredGrams === null && b.outcome === 'accepted') b.outcome = 'undeclared';
  }
  const bagList = [...bags.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const declared = bagList.filter((b) => b.declaredGrams !== null);
  const accepted = bagList.filter((b) => b.outcome === 'accepted' || (b.outcome === 'undeclared' && receipt?.accepted.some((a) => a.tag === b.tag)));
  const refused = bagList.filter((b) => b.outcome === 'refused');
  const sum = (xs: readonly ManifestBag[], f: (b: ManifestBag) => number | null) => xs.reduce((s, b) => s + (f(b) ?? 0), 0);

  const at = (step: ManifestStep) => signatures.find((s) => s.step === step)?.time ?? null;
  const status: ManifestStatus = closing ? (closing.outcome === 'refused' ? 'refused' : 'processed') : receipt ? 'received' : pickedUp.size > 0 ? 'sent' : 'signed-by-producer';
  const reached = Math.max(...signatures.map((s) => stepRank(s.step)));
  const missingSteps = MANIFEST_STEPS.filter((s, i) => i < reached && !signatures.some((x) => x.step === s));

  const partial: Omit<Manifest, 'discrepancies'> = {
    manifest,
    status,
    version: issue?.version ?? null,
    versions,
    producer: issue?.producer ?? null,
    transporter: issue?.transporter ?? null,
    receiver: issue?.receiver ?? null,
    vehicle: issue?.vehicle ?? pickupVehicle ?? receipt?.vehicle ?? null,
    bags: bagList,
    declaredBags: declared.length,
    declaredGrams: issue?.weight.value ?? 0,
    acceptedBags: accepted.length,
    acceptedGrams: sum(accepted, (b) => b.receivedGrams),
    refusedBags: refused.length,
    refusedGrams: sum(refused, (b) => b.receivedGrams ?? b.declaredGrams),
    acceptance: receipt ? (refused.length === 0 && accepted.length > 0 ? 'whole' : accepted.length === 0 ? 'refused' : 'partial') : null,
    signatures,
    missingSteps,
    issuedAt: at('issued'),
    sentAt: at('picked-up'),
    receivedAt: at('received'),
    closedAt: at('closed'),
    lastAt: signatures.reduce((m, s) => (s.time > m ? s.time : m), signatures[0]!.time),
    records: mine.map(refOf),
  };
  return { ...partial, discrepancies: manifestDiscrepancies(partial, thresholds) };
}

/**
 * What does not add up, judged only once there is something to compare (an issue and a later step).
 * Signatory: the issue signed at another institution than the producer, the receipt or closing at
 * another than the receiver. Count: any bag missing or not declared, at pickup and at receipt. Refusal: any bag refused. Weight:
 * the accepted declared bags' intake weight against their declared weight.
 */
export function manifestDiscrepancies(m: Pick<Manifest, 'version' | 'bags' | 'signatures' | 'producer' | 'receiver'>, t: ManifestThresholds): ManifestDiscrepancy[] {
  if (m.version === null) return [];
  const out: ManifestDiscrepancy[] = [];
  // The producer issues and the receiver receives and closes: a step signed elsewhere is not theirs.
  // (The crew may sign at the hospital's storage room or on the vehicle: either institution is fine.)
  for (const s of m.signatures) {
    const expected = s.step === 'issued' ? m.producer : s.step === 'received' || s.step === 'closed' ? m.receiver : null;
    if (expected !== null && s.institution !== expected) out.push({ kind: 'signatory', severity: 'discrepancy', stage: s.step === 'issued' ? 'issue' : 'receipt', step: s.step, institution: s.institution, expected });
  }
  const tags = (f: (b: ManifestBag) => boolean) => m.bags.filter(f).map((b) => b.tag);
  const declared = (b: ManifestBag) => b.declaredGrams !== null;
  if (m.signatures.some((s) => s.step === 'picked-up')) {
    const missing = tags((b) => declared(b) && !b.pickedUp);
    const undeclared = tags((b) => !declared(b) && b.pickedUp);
    if (missing.length + undeclared.length > 0) out.push({ kind: 'count', severity: 'discrepancy', stage: 'pickup', missing, undeclared });
  }
  if (m.signatures.some((s) => s.step === 'received')) {
    const missing = tags((b) => b.outcome === 'not-received');
    const undeclared = tags((b) => b.outcome === 'undeclared');
    if (missing.length + undeclared.length > 0) out.push({ kind: 'count', severity: 'discrepancy', stage: 'receipt', missing, undeclared });
    const refused = m.bags.filter((b) => b.outcome === 'refused');
    if (refused.length > 0) {
      out.push({
        kind: 'refusal',
        severity: 'discrepancy',
        stage: 'receipt',
        refused: refused.map((b) => b.tag),
        declaredGrams: refused.reduce((s, b) => s + (b.declaredGrams ?? 0), 0),
        receivedGrams: refused.reduce((s, b) => s + (b.receivedGrams ?? 0), 0),
      });
    }
    const weighed = m.bags.filter((b) => b.outcome === 'accepted' && declared(b));
    if (weighed.length > 0) {
      const declaredGrams = weighed.reduce((s, b) => s + b.declaredGrams!, 0);
      const receivedGrams = weighed.reduce((s, b) => s + b.receivedGrams!, 0);
      const percent = percentOf(receivedGrams - declaredGrams, declaredGrams);
      if (percent > t.weightPercent) out.push({ kind: 'weight', severity: 'discrepancy', stage: 'receipt', declaredGrams, receivedGrams, percent });
      else if (percent > t.tolerancePercent) out.push({ kind: 'weight', severity: 'warning', stage: 'receipt', declaredGrams, receivedGrams, percent });
    }
  }
  return out;
}

/** The records' manifest numbers, sorted, without repeats. */
export function manifestsNamed(records: readonly TrailRecord[]): string[] {
  return [...new Set(records.flatMap((r) => manifestOfEvent(r.event) ?? []))].sort();
}
