/**
 * The bag projection: keeps the `bags` table up to date from custody. After a commit, for every tag the
 * new records name it finds the bags concerned (a sealed tag: its bag; a turnover box: the bags packed
 * in it; a correction: the bag of the record it targets), rebuilds each trail with reconstructTrail from
 * the stored records and upserts the summaries. Each bag is always rebuilt from all of its records, so
 * the table ends the same whatever order the records arrived in.
 */
import type { DeviceEntry, Keyring } from '@wastetrail/firmware-protocol';
import { reconstructTrail, tagsOfEvent, trailRecordFrom, type BagTrail, type TrailRecord } from '../custody/index.ts';
import type { AcceptedRecord } from '../ingest/index.ts';
import { DEFAULT_THRESHOLDS } from '../rules/config.ts';
import type { CustodyStore, StoredEvent } from '../store/index.ts';
import { bagIdPath, boxesHolding, isTurnoverBox, sealingOf, tagsPackedIn } from './membership.ts';
import { receivedGramsOf } from '../custody/index.ts';
import { groupReceipt, summarizeBag } from './summary.ts';

export interface BagProjectionOptions {
  store: CustodyStore;
  /** The time zone of an institution's sealing days (rule thresholds); default Asia/Shanghai. */
  timeZoneOf?: (institution: string) => string;
}

export interface ProjectedBags {
  /** Every bag rebuilt, as its trail (the rules judge these). */
  trails: BagTrail[];
  /** Ids found not to be bags (another bag's second tag, a turnover box): any rows under them are gone. */
  removed: string[];
}

/** Tags per eventsForTags call. */
const TAG_CHUNK = 500;
/** Records per step of a full rebuild. */
const REBUILD_CHUNK = 2000;

const refKey = (r: { device: string; seq: number }) => `${r.device}\n${r.seq}`;

export class BagProjection {
  private readonly store: CustodyStore;
  private timeZoneOf: (institution: string) => string;
  private keyring: Keyring | undefined;

  constructor(options: BagProjectionOptions) {
    this.store = options.store;
    this.timeZoneOf = options.timeZoneOf ?? (() => DEFAULT_THRESHOLDS.timeZone);
  }

  setTimeZones(timeZoneOf: (institution: string) => string): void {
    this.timeZoneOf = timeZoneOf;
  }

  /** Re-reads the keyring (which institution, site and stations each device has). */
  async reloadKeyring(): Promise<void> {
    this.keyring = await this.store.keyring();
  }

  /** The bags a commit's records concern, rebuilt and stored. */
  async projectAccepted(records: readonly AcceptedRecord[]): Promise<ProjectedBags> {
    const tags = new Set<string>();
    for (const r of records) {
      for (const tag of r.tags) tags.add(tag);
      if (r.record.type !== 'correction') continue;
      // A correction names no tag: the bag is that of the record it corrects (if that is stored yet;
      // if not, the target's own commit will find this correction).
      const target = await this.store.recordAt(r.record.body.target.device, r.record.body.target.seq);
      if (target) for (const tag of tagsOfEvent({ type: target.type, body: target.body } as TrailRecord['event'])) tags.add(tag);
    }
    return this.projectTags(tags);
  }

  /** Rebuilds and stores the bags these tags concern. */
  async projectTags(touched: Iterable<string>): Promise<ProjectedBags> {
    const tags = [...new Set(touched)].sort();
    if (tags.length === 0) return { trails: [], removed: [] };
    if (!this.keyring) await this.reloadKeyring();
    const loaded = new LoadedRecords(this.store, () => this.keyring!, () => this.reloadKeyring());
    await loaded.load(tags);

    const boxes = tags.filter((t) => isTurnoverBox(t, loaded.naming(t)));
    const bagTags = new Set(tags.filter((t) => !boxes.includes(t)));
    for (const box of boxes) for (const t of tagsPackedIn(box, loaded.naming(box))) bagTags.add(t);
    const ids = await this.bagIds(loaded, [...bagTags]);
    const wanted = new Set([...ids.values()].filter((id) => !isTurnoverBox(id, loaded.naming(id))));
    let trails = await this.build(loaded, [...wanted].sort());

    // A receipt weighed as a group is shared out over all its bags: rebuild them all.
    const others = new Set<string>();
    for (const trail of trails) {
      const receipt = groupReceipt(trail);
      const record = receipt && loaded.get(receipt);
      if (record) for (const tag of tagsOfEvent(record.event)) others.add(tag);
    }
    const more = [...new Set((await this.bagIds(loaded, [...others])).values())].filter((id) => !wanted.has(id) && !isTurnoverBox(id, loaded.naming(id)));
    if (more.length > 0) trails = [...trails, ...(await this.build(loaded, more.sort()))].sort((a, b) => (a.bag < b.bag ? -1 : a.bag > b.bag ? 1 : 0));

    // Rows kept under a tag that now belongs to another bag (sealed later as its second tag, or a box).
    const removed = new Set(boxes);
    const ownerOf = await this.bagIds(loaded, trails.flatMap((t) => t.tags));
    for (const trail of trails) for (const tag of trail.tags) if (tag !== trail.bag && ownerOf.get(tag) === trail.bag) removed.add(tag);
    for (const trail of trails) removed.delete(trail.bag);

    const shares = receivedGramsOf(trails);
    const bags = trails.map((trail) => ({
      ...summarizeBag(trail, { timeZone: this.timeZoneOf(trail.institution ?? ''), receivedGrams: shares.get(trail.bag) }),
      trail,
    }));
    await this.store.upsertBags(bags, { remove: [...removed].sort() });
    return { trails, removed: [...removed].sort() };
  }

  /**
   * Rebuilds every bag from every stored record, in acceptance order, a chunk at a time: after a
   * restore, or to fill the table for records stored before it existed. Returns the records read.
   */
  async rebuildAll(): Promise<number> {
    let after = 0;
    let read = 0;
    for (;;) {
      const records = await this.store.recordsAfter(after, REBUILD_CHUNK);
      if (records.length === 0) return read;
      read += records.length;
      after = records.at(-1)!.id;
      const tags = new Set<string>();
      for (const r of records) {
        for (const tag of tagsOfEvent({ type: r.type, body: r.body } as TrailRecord['event'])) tags.add(tag);
      }
      await this.projectTags(tags);
    }
  }

  /** Each tag's bag id, loading the records every step of the way needs (membership.ts bagIdPath). */
  private async bagIds(loaded: LoadedRecords, tags: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(tags)];
    await loaded.load(unique);
    for (;;) {
      const paths = unique.map((t) => bagIdPath(t, (x) => loaded.naming(x)));
      const missing = paths.flat().filter((t) => !loaded.has(t));
      if (missing.length === 0) return new Map(unique.map((t, i) => [t, paths[i]!.at(-1)!]));
      await loaded.load(missing);
    }
  }

  /** Trails of these bags, each from all records naming its tags or its boxes, and their corrections. */
  private async build(loaded: LoadedRecords, ids: readonly string[]): Promise<BagTrail[]> {
    await loaded.load(ids);
    const tagsOf = new Map<string, string[]>();
    for (const id of ids) {
      const seal = sealingOf(id, loaded.naming(id));
      tagsOf.set(id, seal?.event.type === 'sealed' ? [...seal.event.body.tags] : [id]);
    }
    await loaded.load([...tagsOf.values()].flat());
    const namesOf = new Map<string, string[]>();
    for (const [id, tags] of tagsOf) namesOf.set(id, [...tags, ...boxesHolding(tags, tags.flatMap((t) => loaded.naming(t)))]);
    await loaded.load([...namesOf.values()].flat());
    const recordsOf = new Map<string, TrailRecord[]>();
    for (const [id, names] of namesOf) recordsOf.set(id, loaded.namingAny(names));
    const corrections = await loaded.correctionsOf([...recordsOf.values()].flat());
    return ids.map((id) => {
      const records = recordsOf.get(id)!;
      const fixes = records.flatMap((r) => corrections.get(refKey(r)) ?? []);
      return reconstructTrail([...records, ...fixes], id);
    });
  }
}

/** Records read for one projection, as trail records, indexed by the tags they name. */
class LoadedRecords {
  private readonly byKey = new Map<string, TrailRecord>();
  private readonly byTag = new Map<string, TrailRecord[]>();
  private readonly loadedTags = new Set<string>();
  private reloaded = false;
  private readonly store: CustodyStore;
  private readonly keyring: () => Keyring;
  private readonly reloadKeyring: () => Promise<void>;

  constructor(store: CustodyStore, keyring: () => Keyring, reloadKeyring: () => Promise<void>) {
    this.store = store;
    this.keyring = keyring;
    this.reloadKeyring = reloadKeyring;
  }

  has(tag: string): boolean {
    return this.loadedTags.has(tag);
  }

  get(ref: { device: string; seq: number }): TrailRecord | undefined {
    return this.byKey.get(refKey(ref));
  }

  /** Every record naming the tag (complete once the tag is loaded). */
  naming(tag: string): readonly TrailRecord[] {
    return this.byTag.get(tag) ?? [];
  }

  namingAny(tags: readonly string[]): TrailRecord[] {
    const out = new Map<string, TrailRecord>();
    for (const tag of tags) for (const r of this.naming(tag)) out.set(refKey(r), r);
    return [...out.values()];
  }

  async load(tags: Iterable<string>): Promise<void> {
    const missing = [...new Set(tags)].filter((t) => !this.loadedTags.has(t));
    for (let i = 0; i < missing.length; i += TAG_CHUNK) {
      const part = missing.slice(i, i + TAG_CHUNK);
      for (const r of await this.trailRecords(await this.store.eventsForTags(part))) {
        const key = refKey(r);
        if (this.byKey.has(key)) continue;
        this.byKey.set(key, r);
        for (const tag of tagsOfEvent(r.event)) {
          const list = this.byTag.get(tag);
          if (list) list.push(r);
          else this.byTag.set(tag, [r]);
        }
      }
      for (const t of part) this.loadedTags.add(t);
    }
  }

  /** The corrections targeting these records, by the target's (device, seq). */
  async correctionsOf(records: readonly TrailRecord[]): Promise<Map<string, TrailRecord[]>> {
    const out = new Map<string, TrailRecord[]>();
    if (records.length === 0) return out;
    const found = await this.trailRecords(await this.store.correctionEventsFor(records.map((r) => ({ device: r.device, seq: r.seq }))));
    for (const c of found) {
      if (c.event.type !== 'correction') continue;
      const key = refKey(c.event.body.target);
      const list = out.get(key);
      if (list) list.push(c);
      else out.set(key, [c]);
    }
    return out;
  }

  /** Stored records as trail records; a device the keyring does not know (any more) is left out. */
  private async trailRecords(rows: readonly StoredEvent[]): Promise<TrailRecord[]> {
    if (!this.reloaded && rows.some((r) => !this.keyring().devices.has(r.device))) {
      this.reloaded = true;
      await this.reloadKeyring();
    }
    const out: TrailRecord[] = [];
    for (const r of rows) {
      const device = this.keyring().devices.get(r.device);
      if (device) out.push(trailRecordOf(r, device));
    }
    return out;
  }
}

/** A stored record as custody reads it: the same trailRecordFrom verification's output goes through. */
export function trailRecordOf(r: StoredEvent, device: DeviceEntry): TrailRecord {
  return trailRecordFrom({ device: r.device, seq: r.seq, time: r.deviceTime, type: r.type, body: r.body }, r.hash, device);
}
