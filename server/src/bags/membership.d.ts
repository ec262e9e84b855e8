/**
 * Which bag a tag belongs to, read from the records that name it. Pure. A bag's id is the first tag of
 * its sealing record (the trail's `bag`); a tag no record sealed is a bag of unknown origin under its
 * own id; a turnover box (a tag an `aggregated` record names as its box) is never a bag.
 */
import { type TrailRecord } from '../custody/index.ts';
/** The records naming each tag (tagsOfEvent), for lookups by tag. */
export type RecordsNaming = (tag: string) => readonly TrailRecord[];
export declare function indexByTag(records: readonly TrailRecord[]): RecordsNaming;
/** The earliest sealing record naming the tag: the one reconstructTrail follows. */
export declare function sealingOf(tag: string, records: readonly TrailRecord[]): TrailRecord | undefined;
/**
 * The tags followed from `tag` to its bag id: the first tag of the earliest seal naming it, then the same
 * for that tag, until a tag's earliest seal starts with itself (or none names it). The last is the bag id,
 * the one tag reconstructTrail(records, id).bag gives back unchanged. Every tag on the path must have all
 * its records among `records` for the answer to hold; the projection loads them and asks again.
 */
export declare function bagIdPath(tag: string, naming: RecordsNaming): string[];
export declare function bagIdOf(tag: string, records: readonly TrailRecord[]): string;
/** Whether an `aggregated` record names this tag as a turnover box. */
export declare function isTurnoverBox(tag: string, records: readonly TrailRecord[]): boolean;
/** Every tag ever packed into (or unpacked from) the box. */
export declare function tagsPackedIn(box: string, records: readonly TrailRecord[]): string[];
/** Turnover boxes a tag was ever packed into: a bag's trail also needs the records naming them. */
export declare function boxesHolding(tags: readonly string[], records: readonly TrailRecord[]): string[];
