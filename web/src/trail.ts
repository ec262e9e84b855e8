// The bag trail page's logic, apart from its template: what the search box holds and how it is looked up
// (a tag id, a bare EPC, a QR label, a transfer-manifest number), and what the trail shows around its
// steps (places by name, anomalies per record, the sealing day's register, the export links).
import { ApiFailure, type Answer } from './api.ts';
import { shanghaiDay } from './format.ts';
import { recordKey } from './verify-bundle.ts';

export type Trail = Answer<'/api/v1/bags/{id}'>;
export type Step = Trail['steps'][number];
export type Anomaly = Trail['anomalies'][number];
export type BagSummary = Answer<'/api/v1/bags'>['bags'][number];

/** The lookups a search may need, each an API call (injected, so the search order is testable). */
export interface TrailLookups {
  bag: (tagId: string) => Promise<Trail>;
  label: (text: string) => Promise<Trail>;
  manifestBags: (manifest: string) => Promise<BagSummary[]>;
}

/** What a search found: one bag's trail, or the bags of a manifest. */
export type Found = { trail: Trail } | { manifest: string; bags: BagSummary[] };

const TAG_ID = /^(epc:[0-9a-f]{24}|qr:[!-~]{1,200})$/i;
const BARE_EPC = /^[0-9a-f]{24}$/i;
const LABEL_TEXT = /^[!-~]+$/;
const MANIFEST_NUMBER = /^\S{1,64}$/;
/** How many bags of one manifest are listed. */
export const MANIFEST_LIST_LIMIT = 100;

/**
 * Finds what `q` names: a tag id (epc: lower-cased, qr: as typed), a bare 24-digit EPC, then a label
 * (the API says when a label is mistyped: LABEL_INVALID), then a transfer manifest's bags (one bag: its
 * trail). Nothing found: the label's refusal if it was one, else BAG_NOT_FOUND.
 */
export async function findTrail(query: string, api: TrailLookups): Promise<Found> {
  const q = query.trim();
  if (TAG_ID.test(q)) return { trail: await api.bag(q.toLowerCase().startsWith('epc:') ? q.toLowerCase() : q) };
  if (BARE_EPC.test(q)) return { trail: await api.bag(`epc:${q.toLowerCase()}`) };
  let labelRefusal: ApiFailure | null = null;
  if (LABEL_TEXT.test(q)) {
    try {
      return { trail: await api.label(q) };
    } catch (e) {
      if (!(e instanceof ApiFailure) || (e.code !== 'BAG_NOT_FOUND' && e.code !== 'LABEL_INVALID')) throw e;
      labelRefusal = e;
    }
  }
  if (MANIFEST_NUMBER.test(q)) {
    const bags = await api.manifestBags(q);
    if (bags.length === 1) return { trail: await api.bag(bags[0]!.bag) };
    if (bags.length > 1) return { manifest: q, bags };
  }
  throw labelRefusal ?? new ApiFailure(404, 'BAG_NOT_FOUND', 'no bag, label or manifest by this name');
}

/** An institution as "name (id)" from the trail's places, or its id when the API gave no name. */
export function placeName(trail: Trail, id: string): string {
  const p = trail.places.find((x) => x.id === id);
  return p?.name ? `${p.name} (${id})` : id;
}

/** The trail's anomalies by the record they concern, and those about records that are no step of it. */
export function anomaliesOf(trail: Trail): { byRecord: Map<string, Anomaly[]>; loose: Anomaly[] } {
  const steps = new Set(trail.steps.map((s) => recordKey(s.record)));
  const byRecord = new Map<string, Anomaly[]>();
  const loose: Anomaly[] = [];
  for (const a of trail.anomalies) {
    const k = recordKey(a.record);
    if (steps.has(k)) byRecord.set(k, [...(byRecord.get(k) ?? []), a]);
    else loose.push(a);
  }
  return { byRecord, loose };
}

/** Each record's hash as the trail shows it, for the browser's check that the bundle holds the same records. */
export const shownHashes = (trail: Trail): Map<string, string> => new Map(trail.records.map((r) => [recordKey(r), r.hash]));

/** The audit bundle's download address. */
export const bundleHref = (bag: string): string => `/api/v1/bags/${encodeURIComponent(bag)}/bundle`;

/** The handover register (CSV) of the sealing institution for the sealing day (Asia/Shanghai), or null when the bag has no seal or no institution. */
export function registerHref(trail: Trail): string | null {
  const sealed = trail.steps.find((s) => s.step === 'sealed');
  if (!sealed || !trail.institution) return null;
  const day = shanghaiDay(sealed.time);
  return `/api/v1/register.csv?institution=${encodeURIComponent(trail.institution)}&from=${day}&to=${day}`;
}

/** The transit map is offered on the pickup step of a vehicle: the leg that carried the bag. */
export const showsTransitMap = (s: Step): boolean => s.step === 'picked-up' && s.vehicle !== undefined;

/** The message key of a bag's state: its last step's name, or "voided". */
export const stateKey = (state: Trail['state']): string => (state === 'voided' ? 'state.voided' : `step.${state}`);
