/**
 * How a bag's trail is kept in its row (bags.trail, both dialects): positional arrays, not the object
 * form. The rule tick reads back every trail in play each minute; at 100,000 bags that was 120 MB of
 * JSON whose parsing was half the tick (issue #17, target 6). Positions instead of keys make the text
 * ~30 % smaller, and building the objects here from arrays is ~35 % faster than JSON.parse building
 * them from keys, with one shape per kind of object for the rules that read them.
 *
 * Rows written before this (the object form) are read as they are: decodeStoredTrail takes both, so an
 * upgraded store needs no migration; a bag's row takes the new form the next time it is projected.
 */
import type { BagTrail, CustodyAnomaly, CustodyStep, RecordRef } from '../custody/trail.ts';

/** The first element of an encoded trail: a later change of layout gets the next number. */
const LAYOUT = 1;

/**
 * Every field of a step, in the order encodeStep writes it. `satisfies` fails the build when
 * CustodyStep gains a field this file does not keep (it would be dropped from the stored trail).
 */
const STEP_FIELDS = {
  step: 0,
  record: 1, // device, seq, hash: 1-3
  time: 4,
  institution: 5,
  holder: 6, // kind, id: 6-7
  badges: 8,
  grams: 9,
  handover: 10, // bags, grams: 10-11
  vehicle: 12,
  manifest: 13,
  dwellMs: 14,
  site: 15,
  method: 16,
  batch: 17,
  viaBox: 18,
  amended: 19,
} as const satisfies Record<keyof CustodyStep, number>;

const TRAIL_FIELDS = {
  bag: 1,
  tags: 2,
  state: 3,
  institution: 4,
  department: 5,
  category: 6,
  sealedGrams: 7,
  box: 8,
  steps: 9,
  voided: 10,
  anomalies: 11,
} as const satisfies Record<keyof BagTrail, number>;

type Slot = string | number | null | readonly string[] | RecordRef | CustodyAnomaly[] | { by: RecordRef; reason: string };

/** The trail as the column keeps it (JSON of this). */
export function encodeStoredTrail(trail: BagTrail): unknown[] {
  return [
    LAYOUT,
    trail.bag,
    trail.tags,
    trail.state,
    trail.institution ?? null,
    trail.department ?? null,
    trail.category ?? null,
    trail.sealedGrams ?? null,
    trail.box ?? null,
    trail.steps.map(encodeStep),
    trail.voided.map((v) => [encodeStep(v.step), v.by, v.reason]),
    trail.anomalies,
  ];
}

function encodeStep(s: CustodyStep): Slot[] {
  const out: Slot[] = [
    s.step,
    s.record.device,
    s.record.seq,
    s.record.hash,
    s.time,
    s.institution,
    s.holder.kind,
    s.holder.id,
    s.badges,
    s.grams ?? null,
    s.handover ? s.handover.bags : null,
    s.handover?.grams ?? null,
    s.vehicle ?? null,
    s.manifest ?? null,
    s.dwellMs ?? null,
    s.site ?? null,
    s.method ?? null,
    s.batch ?? null,
    s.viaBox ?? null,
    s.amended ?? null,
  ];
  // The rarely used fields at the end are left off when absent.
  while (out.length > STEP_FIELDS.dwellMs + 1 && out[out.length - 1] === null) out.pop();
  return out;
}

/** The column's text for a trail (SQLite's text, the JSON PostgreSQL's jsonb takes). */
export function storedTrailText(trail: BagTrail): string {
  return JSON.stringify(encodeStoredTrail(trail));
}

/** A trail from the column's text, either form. */
export function trailOfStoredText(text: string): BagTrail {
  return decodeStoredTrail(JSON.parse(text));
}

/** A stored trail, either form (parsed JSON). */
export function decodeStoredTrail(stored: unknown): BagTrail {
  if (!Array.isArray(stored)) return stored as BagTrail; // the object form, as written before this layout
  if (stored[0] !== LAYOUT) throw new Error(`stored trail: unknown layout ${JSON.stringify(stored[0])}`);
  const a = stored as unknown[];
  const trail: BagTrail = {
    bag: a[TRAIL_FIELDS.bag] as string,
    tags: a[TRAIL_FIELDS.tags] as string[],
    state: a[TRAIL_FIELDS.state] as BagTrail['state'],
    steps: (a[TRAIL_FIELDS.steps] as unknown[][]).map(decodeStep),
    voided: (a[TRAIL_FIELDS.voided] as unknown[][]).map((v) => ({ step: decodeStep(v[0] as unknown[]), by: v[1] as RecordRef, reason: v[2] as string })),
    anomalies: a[TRAIL_FIELDS.anomalies] as CustodyAnomaly[],
  };
  if (a[TRAIL_FIELDS.institution] !== null) trail.institution = a[TRAIL_FIELDS.institution] as string;
  if (a[TRAIL_FIELDS.department] !== null) trail.department = a[TRAIL_FIELDS.department] as string;
  if (a[TRAIL_FIELDS.category] !== null) trail.category = a[TRAIL_FIELDS.category] as BagTrail['category'];
  if (a[TRAIL_FIELDS.sealedGrams] !== null) trail.sealedGrams = a[TRAIL_FIELDS.sealedGrams] as number;
  if (a[TRAIL_FIELDS.box] !== null) trail.box = a[TRAIL_FIELDS.box] as string;
  return trail;
}

function decodeStep(a: unknown[]): CustodyStep {
  const F = STEP_FIELDS;
  const s: CustodyStep = {
    step: a[F.step] as CustodyStep['step'],
    record: { device: a[F.record] as string, seq: a[F.record + 1] as number, hash: a[F.record + 2] as string },
    time: a[F.time] as string,
    institution: a[F.institution] as string,
    holder: { kind: a[F.holder] as CustodyStep['holder']['kind'], id: a[F.holder + 1] as string },
    badges: a[F.badges] as string[],
  };
  if (a[F.grams] !== null) s.grams = a[F.grams] as number;
  if (a[F.handover] !== null) s.handover = a[F.handover + 1] === null ? { bags: a[F.handover] as number } : { bags: a[F.handover] as number, grams: a[F.handover + 1] as number };
  if (a[F.vehicle] !== null) s.vehicle = a[F.vehicle] as string;
  if (a[F.manifest] !== null) s.manifest = a[F.manifest] as string;
  if (a[F.dwellMs] !== null) s.dwellMs = a[F.dwellMs] as number;
  // Left off when absent (encodeStep): undefined past the end.
  if (a[F.site] != null) s.site = a[F.site] as string;
  if (a[F.method] != null) s.method = a[F.method] as string;
  if (a[F.batch] != null) s.batch = a[F.batch] as string;
  if (a[F.viaBox] != null) s.viaBox = a[F.viaBox] as string;
  if (a[F.amended] != null) s.amended = a[F.amended] as CustodyStep['amended'] & object;
  return s;
}
