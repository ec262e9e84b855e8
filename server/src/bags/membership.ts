/**
 * Which bag a tag belongs to, read from the records that name it. Pure. A bag's id is the first tag of
 * its sealing record (the trail's `bag`); a tag no record sealed is a bag of unknown origin under its
 * own id; a turnover box (a tag an `aggregated` record names as its box) is never a bag.
 */
import { compareRecords, tagsOfEvent, type TrailRecord } from '../custody/index.ts';

/** The records naming each tag (tagsOfEvent), for lookups by tag. */
export type RecordsNaming = (tag: string) => readonly TrailRecord[];

export function indexByTag(records: readonly TrailRecord[]): RecordsNaming {
  const byTag = new Map<string, TrailRecord[]>();
  for (const r of records) {
    for (const tag of tagsOfEvent(r.event)) {
      const list = byTag.get(tag);
      if (list) list.push(r);
      else byTag.set(tag, [r]);
    }
  }
  return (tag) => byTag.get(tag) ?? [];
}

/** The earliest sealing record naming the tag: the one reconstructTrail follows. */
export function sealingOf(tag: string, records: readonly TrailRecord[]): TrailRecord | undefined {
  let best: TrailRecord | undefined;
  for (const r of records) {
    if (r.event.type !== 'sealed' || !r.event.body.tags.includes(tag)) continue;
    if (!best || compareRecords(r, best) < 0) best = r;
  }
  return best;
}

/**
 * The tags followed from `tag` to its bag id: the first tag of the earliest seal naming it, then the same
 * for that tag, until a tag's earliest seal starts with itself (or none names it). The last is the bag id,
 * the one tag reconstructTrail(records, id).bag gives back unchanged. Every tag on the path must have all
 * its records among `records` for the answer to hold; the projection loads them and asks again.
 */
export function bagIdPath(tag: string, naming: RecordsNaming): string[] {
  const path = [tag];
  for (;;) {
    const last = path.at(-1)!;
    const seal = sealingOf(last, naming(last));
    const next = seal?.event.type === 'sealed' ? seal.event.body.tags[0] : undefined;
    // Cloned tags can make a path loop back: stop at the first repeat.
    if (next === undefined || path.includes(next)) return path;
    path.push(next);
  }
}

export function bagIdOf(tag: string, records: readonly TrailRecord[]): string {
  return bagIdPath(tag, indexByTag(records)).at(-1)!;
}

/** Whether an `aggregated` record names this tag as a turnover box. */
export function isTurnoverBox(tag: string, records: readonly TrailRecord[]): boolean {
  return records.some((r) => r.event.type === 'aggregated' && r.event.body.box === tag);
}

/** Every tag ever packed into (or unpacked from) the box. */
export function tagsPackedIn(box: string, records: readonly TrailRecord[]): string[] {
  const tags = new Set<string>();
  for (const r of records) if (r.event.type === 'aggregated' && r.event.body.box === box) for (const t of r.event.body.bags) tags.add(t);
  return [...tags].sort();
}

/** Turnover boxes a tag was ever packed into: a bag's trail also needs the records naming them. */
export function boxesHolding(tags: readonly string[], records: readonly TrailRecord[]): string[] {
  const mine = new Set(tags);
  const boxes = new Set<string>();
  for (const r of records) if (r.event.type === 'aggregated' && r.event.body.bags.some((t) => mine.has(t))) boxes.add(r.event.body.box);
  return [...boxes].sort();
}
