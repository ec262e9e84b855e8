/**
 * Custody reconstruction: from the verified records that concern one bag, its chain of custody
 * (department -> internal collection -> storage room -> transport crew -> disposal centre -> disposed),
 * who held it where and when, and what does not add up. Pure: records in, trail out. Records are put in
 * one canonical order first, so the trail is the same whatever order they arrived in.
 */
import type { BagItem, CustodyEvent, DecodedRecord, DeviceEntry, StationRole, WasteCategory } from '@wastetrail/firmware-protocol';

/** A verified record with what the keyring says about the device that signed it. */
export interface TrailRecord {
  device: string;
  seq: number;
  hash: string;
  /** Device time, RFC 3339 UTC. */
  time: string;
  institution: string;
  site?: string;
  stations: readonly StationRole[];
  event: CustodyEvent;
}

export function toTrailRecord(d: DecodedRecord, device: DeviceEntry): TrailRecord {
  return trailRecordFrom(d.record, d.hash, device);
}

/** What a trail reads of a record: a verified record has it, and so do the store's rows (StoredEvent). */
export interface TrailSource {
  device: string;
  seq: number;
  time: string;
  type: string;
  body: unknown;
}

/** A record's own facts with what the keyring says about the device that signed it. */
export function trailRecordFrom(r: TrailSource, hash: string, device: DeviceEntry): TrailRecord {
  return {
    device: r.device,
    seq: r.seq,
    hash,
    time: r.time,
    institution: device.institution,
    ...(device.site ? { site: device.site } : {}),
    stations: device.stations,
    event: { type: r.type, body: r.body } as CustodyEvent,
  };
}

export const CUSTODY_STEPS = ['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed'] as const;
export type CustodyStepKind = (typeof CUSTODY_STEPS)[number];
export type BagState = CustodyStepKind | 'voided';

export type HolderKind = 'department' | 'internal-collector' | 'storage-room' | 'transport-crew' | 'disposal-centre' | 'destroyed';

export interface RecordRef {
  device: string;
  seq: number;
  hash: string;
}

export interface CustodyStep {
  step: CustodyStepKind;
  record: RecordRef;
  time: string;
  /** The institution whose device signed the step (the place). */
  institution: string;
  site?: string;
  /** Who holds the bag after this step. */
  holder: { kind: HolderKind; id: string };
  /** Badges that signed for the step. */
  badges: string[];
  /** This bag's own weight at this step, when known (weighed alone, or weighed in a handover of one bag). */
  grams?: number;
  /** The handover this bag was part of: all its bags and their total weight. */
  handover?: { bags: number; grams?: number };
  vehicle?: string;
  manifest?: string;
  method?: string;
  batch?: string;
  /** Bag was inside this turnover box when the step named the box. */
  viaBox?: string;
  /** Set when a later correction amended this step. */
  amended?: { by: RecordRef; reason: string };
  /** Milliseconds until the next step (the last step's dwell runs until now: see currentDwellMs). */
  dwellMs?: number;
}

export const ANOMALY_KINDS = [
  'NOT_SEALED',
  'DUPLICATE_SEAL',
  'STEP_OUT_OF_ORDER',
  'STEP_REPEATED',
  'STEP_AFTER_DISPOSAL',
  'WRONG_INSTITUTION',
  'MANIFEST_MISMATCH',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface CustodyAnomaly {
  kind: AnomalyKind;
  record: RecordRef;
  message: string;
}

export interface BagTrail {
  /** The bag's id: the first tag of its sealing record (or the tag it was looked up by, if never sealed). */
  bag: string;
  tags: string[];
  state: BagState;
  institution?: string;
  department?: string;
  category?: WasteCategory;
  sealedGrams?: number;
  box?: string;
  steps: CustodyStep[];
  /** Steps removed by a `void` correction: kept, never shown as custody. */
  voided: { step: CustodyStep; by: RecordRef; reason: string }[];
  anomalies: CustodyAnomaly[];
}

const RANK: Record<CustodyStepKind, number> = { sealed: 1, collected: 2, stored: 3, 'picked-up': 4, received: 5, disposed: 6 };

export function compareRecords(a: TrailRecord, b: TrailRecord): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : a.device < b.device ? -1 : a.device > b.device ? 1 : a.seq - b.seq;
}

const refOf = (r: TrailRecord): RecordRef => ({ device: r.device, seq: r.seq, hash: r.hash });
const sameRef = (a: RecordRef, b: RecordRef) => a.device === b.device && a.seq === b.seq && a.hash === b.hash;

/**
 * Rebuilds one bag's trail. `records` are all records naming any of the bag's tags, those naming a
 * turnover box it was packed into, and corrections targeting any of them; others are ignored.
 * `lookupTag` is the tag the bag was asked for, used when no sealing record is among them.
 */
export function reconstructTrail(records: readonly TrailRecord[], lookupTag: string): BagTrail {
  const ordered = [...records].sort(compareRecords);
  const seals = ordered.filter((r) => r.event.type === 'sealed' && r.event.body.tags.includes(lookupTag));
  const seal = seals[0];
  const tags = seal?.event.type === 'sealed' ? [...seal.event.body.tags] : [lookupTag];
  const trail: BagTrail = { bag: tags[0]!, tags, state: 'sealed', steps: [], voided: [], anomalies: [] };
  if (seal?.event.type === 'sealed') {
    trail.institution = seal.institution;
    trail.department = seal.event.body.department;
    trail.category = seal.event.body.category;
    trail.sealedGrams = seal.event.body.weight.value;
  }
  for (const dup of seals.slice(1)) {
    trail.anomalies.push({ kind: 'DUPLICATE_SEAL', record: refOf(dup), message: `tag ${lookupTag} was sealed again by ${dup.device} at ${dup.time}` });
  }

  const mine = new Set(tags);
  const boxes = new Set<string>();
  for (const r of ordered) {
    const e = r.event;
    if (e.type === 'aggregated') {
      if (!e.body.bags.some((t) => mine.has(t))) continue;
      if (e.body.action === 'pack') boxes.add(e.body.box);
      else boxes.delete(e.body.box);
      trail.box = e.body.action === 'pack' ? e.body.box : undefined;
      continue;
    }
    if (e.type === 'sealed' && r !== seal) continue;
    const match = matchBag(e, mine, boxes);
    if (!match) continue;
    const step = stepOf(r, match.item, match.count, match.viaBox);
    if (step) trail.steps.push(step);
  }
  if (trail.box === undefined) delete trail.box;

  applyCorrections(trail, ordered);
  checkOrder(trail);
  for (let i = 0; i + 1 < trail.steps.length; i++) {
    trail.steps[i]!.dwellMs = Date.parse(trail.steps[i + 1]!.time) - Date.parse(trail.steps[i]!.time);
  }
  const sealVoided = trail.voided.some((v) => v.step.step === 'sealed');
  trail.state = sealVoided ? 'voided' : (trail.steps.at(-1)?.step ?? 'sealed');
  return trail;
}

/** How a custody record concerns the bag: by one of its tags, or by the box it is packed in. */
function matchBag(e: CustodyEvent, mine: Set<string>, boxes: Set<string>): { item?: BagItem; count: number; viaBox?: string } | undefined {
  switch (e.type) {
    case 'sealed':
      return { count: 1 };
    case 'collected':
    case 'stored':
    case 'picked-up':
    case 'received': {
      const item = e.body.bags.find((b) => mine.has(b.tag));
      if (item) return { item, count: e.body.bags.length };
      const box = e.body.bags.find((b) => boxes.has(b.tag));
      return box ? { count: e.body.bags.length, viaBox: box.tag } : undefined;
    }
    case 'disposed': {
      if (e.body.bags.some((t) => mine.has(t))) return { count: e.body.bags.length };
      const box = e.body.bags.find((t) => boxes.has(t));
      return box ? { count: e.body.bags.length, viaBox: box } : undefined;
    }
    default:
      return undefined;
  }
}

function stepOf(r: TrailRecord, item: BagItem | undefined, count: number, viaBox: string | undefined): CustodyStep | undefined {
  const e = r.event;
  const base = { record: refOf(r), time: r.time, institution: r.institution, ...(r.site ? { site: r.site } : {}), ...(viaBox ? { viaBox } : {}) };
  const own = (total: number | undefined) => item?.weight?.value ?? (count === 1 && !viaBox ? total : undefined);
  const withGrams = (g: number | undefined) => (g === undefined ? {} : { grams: g });
  switch (e.type) {
    case 'sealed':
      return { ...base, step: 'sealed', holder: { kind: 'department', id: e.body.department }, badges: [e.body.staff], grams: e.body.weight.value };
    case 'collected':
      return { ...base, step: 'collected', holder: { kind: 'internal-collector', id: e.body.receiver }, badges: [e.body.giver, e.body.receiver], ...withGrams(own(e.body.weight.value)), handover: { bags: count, grams: e.body.weight.value } };
    case 'stored':
      return { ...base, step: 'stored', holder: { kind: 'storage-room', id: e.body.room }, badges: [e.body.keeper], ...withGrams(own(e.body.weight.value)), handover: { bags: count, grams: e.body.weight.value } };
    case 'picked-up':
      return {
        ...base,
        step: 'picked-up',
        holder: { kind: 'transport-crew', id: e.body.vehicle },
        badges: [e.body.giver, e.body.crew],
        ...withGrams(own(e.body.weight.value)),
        handover: { bags: count, grams: e.body.weight.value },
        vehicle: e.body.vehicle,
        manifest: e.body.manifest,
      };
    case 'received':
      return {
        ...base,
        step: 'received',
        holder: { kind: 'disposal-centre', id: r.institution },
        badges: [e.body.operator],
        ...withGrams(own(e.body.weight.value)),
        handover: { bags: count, grams: e.body.weight.value },
        vehicle: e.body.vehicle,
        manifest: e.body.manifest,
      };
    case 'disposed':
      return {
        ...base,
        step: 'disposed',
        holder: { kind: 'destroyed', id: e.body.batch },
        badges: [e.body.operator],
        handover: { bags: count, ...(e.body.weight ? { grams: e.body.weight.value } : {}) },
        method: e.body.method,
        batch: e.body.batch,
      };
    default:
      return undefined;
  }
}

/** Corrections never edit a record: a void removes its step from the custody shown, an amend overrides fields. */
function applyCorrections(trail: BagTrail, ordered: TrailRecord[]): void {
  for (const r of ordered) {
    if (r.event.type !== 'correction') continue;
    const { target, action, reason, amend } = r.event.body;
    const i = trail.steps.findIndex((s) => sameRef(s.record, target));
    if (i < 0) continue;
    const step = trail.steps[i]!;
    if (action === 'void') {
      trail.steps.splice(i, 1);
      trail.voided.push({ step, by: refOf(r), reason });
      continue;
    }
    step.amended = { by: refOf(r), reason };
    if (amend?.weight) {
      step.grams = amend.weight.value;
      if (step.step === 'sealed') trail.sealedGrams = amend.weight.value;
    }
    if (amend?.category && step.step === 'sealed') trail.category = amend.category;
  }
}

function checkOrder(trail: BagTrail): void {
  const first = trail.steps[0];
  if (first && first.step !== 'sealed') {
    trail.anomalies.push({ kind: 'NOT_SEALED', record: first.record, message: `first seen at ${first.step} with no sealing record: unregistered waste` });
  }
  let rank = 0;
  let pickup: CustodyStep | undefined;
  for (const s of trail.steps) {
    const r = RANK[s.step];
    if (rank === RANK.disposed) {
      trail.anomalies.push({ kind: 'STEP_AFTER_DISPOSAL', record: s.record, message: `${s.step} recorded after the bag was disposed` });
    } else if (r < rank) {
      trail.anomalies.push({ kind: 'STEP_OUT_OF_ORDER', record: s.record, message: `${s.step} after a later step` });
    } else if (r === rank) {
      trail.anomalies.push({ kind: 'STEP_REPEATED', record: s.record, message: `${s.step} recorded twice` });
    }
    rank = Math.max(rank, r);
    // Until pickup the bag never leaves the institution that sealed it.
    if (trail.institution && r <= RANK.stored && s.institution !== trail.institution) {
      trail.anomalies.push({ kind: 'WRONG_INSTITUTION', record: s.record, message: `${s.step} signed by a device of ${s.institution}, but the bag belongs to ${trail.institution}` });
    }
    if (s.step === 'picked-up') pickup = s;
    if (s.step === 'received' && pickup && (s.manifest !== pickup.manifest || s.vehicle !== pickup.vehicle)) {
      trail.anomalies.push({ kind: 'MANIFEST_MISMATCH', record: s.record, message: `received on ${s.vehicle}/${s.manifest}, picked up on ${pickup.vehicle}/${pickup.manifest}` });
    }
  }
}

/** How long the bag has been in its current step, at `nowMs`. */
export function currentDwellMs(trail: BagTrail, nowMs: number): number | undefined {
  const last = trail.steps.at(-1);
  return last ? nowMs - Date.parse(last.time) : undefined;
}
