// Transfer manifests (转移联单) as the pages show them, from the API's answers (pure; the pages in
// pages/Manifest*.vue, CrewTodayPage.vue and the role homes draw them). docs/transport/manifest.md
// says what a manifest is; docs/web.md what each page shows.
import type { Answer, Query } from './api.ts';

export type ManifestList = Answer<'/api/v1/manifests'>;
export type Manifest = ManifestList['manifests'][number];
export type ManifestBag = Manifest['bags'][number];
export type Discrepancy = Manifest['discrepancies'][number];
export type ManifestStatus = Manifest['status'];
export type ManifestSort = NonNullable<Query<'/api/v1/manifests'>['sort']>;

export const MANIFEST_STATUSES: readonly ManifestStatus[] = ['signed-by-producer', 'sent', 'received', 'processed', 'refused'];
export const MANIFEST_SORTS: readonly ManifestSort[] = ['newest', 'oldest', 'number'];
/** Rows per page of the manifest list. */
export const MANIFEST_PAGE = 50;

/** The list's filters as the URL keeps them (#/manifests?status=sent&discrepant=true&offset=50). */
export interface ManifestFilters {
  producer: string;
  transporter: string;
  receiver: string;
  vehicle: string;
  status: ManifestStatus[];
  from: string;
  to: string;
  discrepant: '' | 'true' | 'false';
  open: '' | 'true' | 'false';
  sort: ManifestSort;
  offset: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const flag = (v: string): '' | 'true' | 'false' => (v === 'true' || v === 'false' ? v : '');
const oneOf = <T extends string>(allowed: readonly T[], v: string, fallback: T): T => ((allowed as readonly string[]).includes(v) ? (v as T) : fallback);

/** The list with no filter: every manifest in scope, newest first. */
export const withoutFilters = (): ManifestFilters => ({ producer: '', transporter: '', receiver: '', vehicle: '', status: [], from: '', to: '', discrepant: '', open: '', sort: 'newest', offset: 0 });

/**
 * The filters a URL query names. What the API would refuse (an unknown status, a day that is not
 * YYYY-MM-DD, a negative offset) is dropped here, so a hand-edited link shows the list unfiltered by it
 * rather than an error.
 */
export function filtersFromUrl(get: (name: string) => string, getAll: (name: string) => string[]): ManifestFilters {
  const offset = get('offset');
  return {
    producer: get('producer').trim(),
    transporter: get('transporter').trim(),
    receiver: get('receiver').trim(),
    vehicle: get('vehicle').trim(),
    status: MANIFEST_STATUSES.filter((s) => getAll('status').includes(s)),
    from: DAY.test(get('from')) ? get('from') : '',
    to: DAY.test(get('to')) ? get('to') : '',
    discrepant: flag(get('discrepant')),
    open: flag(get('open')),
    sort: oneOf(MANIFEST_SORTS, get('sort'), 'newest'),
    offset: /^\d+$/.test(offset) ? Number(offset) : 0,
  };
}

/** The API query of a page of the list: empty filters left out, `to` a whole day (the API counts it in). */
export function manifestQuery(f: ManifestFilters, limit = MANIFEST_PAGE): Query<'/api/v1/manifests'> {
  return {
    ...(f.producer ? { producer: f.producer } : {}),
    ...(f.transporter ? { transporter: f.transporter } : {}),
    ...(f.receiver ? { receiver: f.receiver } : {}),
    ...(f.vehicle ? { vehicle: f.vehicle } : {}),
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.discrepant ? { discrepant: f.discrepant } : {}),
    ...(f.open ? { open: f.open } : {}),
    ...(f.sort !== 'newest' ? { sort: f.sort } : {}),
    limit,
    offset: f.offset,
  };
}

/** A manifest with a discrepancy proper (a warning, such as weight within the intake tolerance, is not one). */
export const isDiscrepant = (m: Pick<Manifest, 'discrepancies'>): boolean => m.discrepancies.some((d) => d.severity === 'discrepancy');

/** A bag row to highlight: refused, not received, or not on the manifest. */
export const isAnomalousBag = (b: ManifestBag): boolean => b.outcome === 'refused' || b.outcome === 'not-received' || b.outcome === 'undeclared';

/** "Name (id)" for an institution the manifest names, else the id ('' for none). */
export function partyName(names: Readonly<Record<string, string>>, id: string | null | undefined): string {
  if (!id) return '';
  const name = names[id];
  return name ? `${name} (${id})` : id;
}

/** When a step was signed, or undefined when it was not (yet). */
export const signedAt = (m: Manifest, step: Manifest['signatures'][number]['step']): string | undefined => m.signatures.find((s) => s.step === step)?.time;

/**
 * A discrepancy as a message key and its parameters; weights stay in grams for the page to write in kg.
 * `manifest.disc.*` in the manifests section of the catalogue.
 */
export function discrepancyMessage(d: Discrepancy): { key: string; stage?: string; step?: string; params: Record<string, string | number>; grams: Record<string, number> } {
  if (d.kind === 'count') return { key: 'manifest.disc.count', stage: d.stage, params: { missing: d.missing?.length ?? 0, undeclared: d.undeclared?.length ?? 0 }, grams: {} };
  if (d.kind === 'signatory') return { key: 'manifest.disc.signatory', step: d.step, params: { institution: d.institution ?? '', expected: d.expected ?? '' }, grams: {} };
  if (d.kind === 'refusal') return { key: 'manifest.disc.refusal', params: { n: d.refused?.length ?? 0 }, grams: { weight: d.receivedGrams || d.declaredGrams || 0 } };
  return { key: d.severity === 'warning' ? 'manifest.disc.weightWarning' : 'manifest.disc.weight', params: { percent: d.percent ?? 0 }, grams: { declared: d.declaredGrams ?? 0, received: d.receivedGrams ?? 0 } };
}

/** Today's manifests followed by those still open from before, each once, in that order. */
export function crewManifests(todays: readonly Manifest[], open: readonly Manifest[]): Manifest[] {
  const seen = new Set<string>();
  return [...todays, ...open].filter((m) => !seen.has(m.manifest) && (seen.add(m.manifest), true));
}

/** The day (YYYY-MM-DD) a moment falls on in `timeZone`. */
export function localDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** The day `days` before a YYYY-MM-DD day (calendar arithmetic, no time zone involved). */
export function dayBefore(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** A refused bag of a manifest, with the manifest it came on. */
export interface RefusedBag {
  manifest: Manifest;
  bag: ManifestBag;
}

/** A bag on its way to the disposal centre: picked up, not received yet. */
export interface ExpectedBag {
  manifest: Manifest;
  bag: ManifestBag;
}

/**
 * The disposal centre's day: the manifests whose receipt was signed on `day` (in `timeZone`), their
 * refused bags, those of them with a discrepancy, the weight short (declared minus accepted minus
 * refused, where positive), and the bags picked up on manifests not received yet.
 */
export function arrivals(
  candidates: readonly Manifest[],
  inTransit: readonly Manifest[],
  day: string,
  timeZone: string,
): { received: Manifest[]; refused: RefusedBag[]; discrepant: Manifest[]; shortGrams: number; expected: ExpectedBag[] } {
  const received = candidates.filter((m) => m.receivedAt !== null && localDay(Date.parse(m.receivedAt), timeZone) === day);
  const refused = received.flatMap((manifest) => manifest.bags.filter((bag) => bag.outcome === 'refused').map((bag) => ({ manifest, bag })));
  const discrepant = received.filter(isDiscrepant);
  const shortGrams = received.reduce((sum, m) => sum + shortOf(m), 0);
  const expected = inTransit.filter((m) => m.receivedAt === null).flatMap((manifest) => manifest.bags.filter((bag) => bag.pickedUp).map((bag) => ({ manifest, bag })));
  return { received, refused, discrepant, shortGrams, expected };
}

/** Declared weight neither accepted nor refused at receipt (0 when all of it is accounted for or more). */
export const shortOf = (m: Pick<Manifest, 'declaredGrams' | 'acceptedGrams' | 'refusedGrams'>): number => Math.max(0, m.declaredGrams - m.acceptedGrams - m.refusedGrams);
