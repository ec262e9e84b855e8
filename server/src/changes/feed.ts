/**
 * The change feed as a principal sees it (docs/interop/changes.md): the store's changes after a cursor,
 * each with what changed as it is now, and only what the principal's scope covers. The cursor moves past
 * every change looked at, seen or not, so a reader never asks for the same ones twice.
 */
import { alertActionsNow, canSeeBag, canSeeDevice, type Principal } from '../auth/index.ts';
import { alertVisible } from '../api/alert-access.ts';
import { bagFactsOfSummary } from '../api/bag-access.ts';
import { manifestVisible, withPartyNames } from '../api/manifest-access.ts';
import type { ScopeReader } from '../api/context.ts';
import { alertView } from '../api/views.ts';
import { placesOf, storedRecordEvents } from '../interop/event-source.ts';
import type { EpcisEvent } from '../interop/epcis.ts';
import type { Manifest } from '../manifests/index.ts';
import type { Locale } from '../rules/messages.ts';
import type { BagSummary, Change, ChangeKind } from '../store/index.ts';

export interface RecordChange {
  id: number;
  device: string;
  seq: number;
  hash: string;
  type: string;
  /** The record's own time. */
  time: string;
  receivedAt: string;
  body: unknown;
  /** Its EPCIS 2.0 events (docs/interop/epcis.md). */
  events: EpcisEvent[];
}

export interface FeedEntry {
  /** The cursor of this change. */
  id: number;
  kind: ChangeKind;
  key: string;
  record?: RecordChange;
  bag?: BagSummary;
  alert?: ReturnType<typeof alertView>;
  /** The transfer manifest as GET /api/v1/manifests/{n} shows it now. */
  manifest?: Manifest & { partyNames: Record<string, string> };
  /** The bag row was removed (its id turned out to be another bag's tag, or a turnover box). */
  removed?: true;
}

export interface FeedPage {
  changes: FeedEntry[];
  /** The cursor to ask after next: the last change looked at (the asked one when there were none). */
  next: number;
}

export interface FeedOptions {
  after: number;
  limit: number;
  kinds?: readonly ChangeKind[];
  locale: Locale;
  timeZone: string;
}

export async function readFeed(reader: ScopeReader, p: Principal, o: FeedOptions): Promise<FeedPage> {
  const { store } = reader;
  const found = await store.changesAfter(o.after, o.limit);
  if (found.length === 0) return { changes: [], next: o.after };
  const [world, devices] = await Promise.all([reader.world(), store.devices()]);
  const places = placesOf(devices);
  const entries: FeedEntry[] = [];
  for (const c of found) {
    if (o.kinds && !o.kinds.includes(c.kind)) continue;
    const entry = await entryOf(c);
    if (entry) entries.push(entry);
  }
  return { changes: entries, next: found.at(-1)!.id };

  async function entryOf(c: Change): Promise<FeedEntry | undefined> {
    const base = { id: c.id, kind: c.kind, key: c.key };
    switch (c.kind) {
      case 'record': {
        const r = await store.recordById(Number(c.key));
        const place = r && places.get(r.device);
        if (!r || !place || !canSeeDevice(p, place, world)) return undefined;
        const events = await storedRecordEvents(store, r, places, o.timeZone, (d) => {
          const at = places.get(d);
          return at !== undefined && canSeeDevice(p, at, world);
        });
        return { ...base, record: { id: r.id, device: r.device, seq: r.seq, hash: r.hash, type: r.type, time: r.deviceTime, receivedAt: r.receivedAt, body: r.body, events } };
      }
      case 'bag': {
        const bag = await store.bag(c.key);
        // Who may learn of a removed row cannot be told from a row that is gone: regulators only.
        if (!bag) return p.role === 'regulator' ? { ...base, removed: true } : undefined;
        return canSeeBag(p, await bagFactsOfSummary(reader, p, bag), world) ? { ...base, bag } : undefined;
      }
      case 'alert': {
        const a = await store.alert(Number(c.key));
        return a && (await alertVisible(reader, p, a, world)) ? { ...base, alert: alertView(a, o.locale, alertActionsNow(p, a)) } : undefined;
      }
      case 'manifest': {
        const m = await store.manifest(c.key);
        return m && (await manifestVisible(reader, p, m, world)) ? { ...base, manifest: withPartyNames(m, world) } : undefined;
      }
    }
  }
}
