// What the transport leg's pages read from the API (thin I/O over api.ts; the arithmetic is in
// manifests.ts and transit.ts): the server's clock, institution names, the crew's day, the bags in
// transit and the disposal centre's arrivals. The API narrows every answer to the caller's scope.
import { apiGet, institutions } from './api.ts';
import { TIME_ZONE } from './format.ts';
import { arrivals, crewManifests, dayBefore, localDay, type Manifest } from './manifests.ts';

/**
 * Now on the server's clock (GET /healthz `time`). Days and overdue times are the server's: the demo's
 * clock runs ahead of real time and faster, so this browser's clock would say the wrong day.
 */
export async function serverNow(): Promise<number> {
  const sent = Date.now();
  const h = await apiGet('/healthz');
  // Half the round trip has passed since the server read its clock.
  return Date.parse(h.time) + (Date.now() - sent) / 2;
}

/** Institution id -> name for the institutions in the caller's scope ({} when the API gives none). */
export async function institutionNames(): Promise<Record<string, string>> {
  const list = await institutions().catch(() => ({ institutions: [] }));
  return Object.fromEntries(list.institutions.map((i) => [i.id, i.name]));
}

/** Names of the caller's institutions and of every party the manifests name. */
export const withPartyNames = (scoped: Record<string, string>, manifests: readonly Manifest[]): Record<string, string> => Object.assign({}, scoped, ...manifests.map((m) => m.partyNames));

/** Enough for a crew's day or a centre's arrivals (the API's maximum page). */
const DAY_PAGE = 500;

/** The crew's day: the manifests first signed today (server's clock, Asia/Shanghai) and those still open. */
export async function crewDay(): Promise<{ day: string; manifests: Manifest[]; names: Record<string, string> }> {
  const day = localDay(await serverNow(), TIME_ZONE);
  const [todays, open, scoped] = await Promise.all([
    apiGet('/api/v1/manifests', { query: { from: day, to: day, limit: DAY_PAGE, offset: 0 } }),
    apiGet('/api/v1/manifests', { query: { open: 'true', limit: DAY_PAGE, offset: 0 } }),
    institutionNames(),
  ]);
  const manifests = crewManifests(todays.manifests, open.manifests);
  return { day, manifests, names: withPartyNames(scoped, manifests) };
}

/** The bags in transit (the first DAY_PAGE; `total` counts them all), the 100 most recent pickups, names, and now. */
export async function transitBags() {
  const [inTransit, recent, names, now] = await Promise.all([
    apiGet('/api/v1/bags', { query: { state: ['picked-up'], limit: DAY_PAGE, offset: 0 } }),
    apiGet('/api/v1/bags', { query: { state: ['picked-up', 'received', 'disposed'], limit: 100, offset: 0 } }),
    institutionNames(),
    serverNow(),
  ]);
  return { inTransit, recent, names, now };
}

/**
 * How far back a manifest received today may have been first signed: a leg runs at most 48 h after the
 * pickup (the transit API's limit), and the pickup follows the issue; three days leaves a day's slack.
 */
export const ARRIVAL_WINDOW_DAYS = 3;

/** The disposal centre's day (manifests.ts arrivals) on the server's today. */
export async function arrivalsToday() {
  const now = await serverNow();
  const day = localDay(now, TIME_ZONE);
  const [done, sent, scoped] = await Promise.all([
    apiGet('/api/v1/manifests', { query: { status: ['received', 'processed', 'refused'], from: dayBefore(day, ARRIVAL_WINDOW_DAYS), limit: DAY_PAGE, offset: 0 } }),
    apiGet('/api/v1/manifests', { query: { status: ['sent'], limit: DAY_PAGE, offset: 0 } }),
    institutionNames(),
  ]);
  return { day, now, ...arrivals(done.manifests, sent.manifests, day, TIME_ZONE), names: withPartyNames(scoped, [...done.manifests, ...sent.manifests]) };
}
