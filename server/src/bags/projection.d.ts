/**
 * The bag projection: keeps the `bags` table up to date from custody. After a commit, for every tag the
 * new records name it finds the bags concerned (a sealed tag: its bag; a turnover box: the bags packed
 * in it; a correction: the bag of the record it targets), rebuilds each trail with reconstructTrail from
 * the stored records and upserts the summaries. Each bag is always rebuilt from all of its records, so
 * the table ends the same whatever order the records arrived in.
 */
import type { DeviceEntry } from '@wastetrail/firmware-protocol';
import { type BagTrail, type TrailRecord } from '../custody/index.ts';
import type { AcceptedRecord } from '../ingest/index.ts';
import type { CustodyStore, StoredRecord } from '../store/index.ts';
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
export declare class BagProjection {
    private readonly store;
    private timeZoneOf;
    private keyring;
    constructor(options: BagProjectionOptions);
    setTimeZones(timeZoneOf: (institution: string) => string): void;
    /** Re-reads the keyring (which institution, site and stations each device has). */
    reloadKeyring(): Promise<void>;
    /** The bags a commit's records concern, rebuilt and stored. */
    projectAccepted(records: readonly AcceptedRecord[]): Promise<ProjectedBags>;
    /** Rebuilds and stores the bags these tags concern. */
    projectTags(touched: Iterable<string>): Promise<ProjectedBags>;
    /**
     * Rebuilds every bag from every stored record, in acceptance order, a chunk at a time: after a
     * restore, or to fill the table for records stored before it existed. Returns the records read.
     */
    rebuildAll(): Promise<number>;
    /** Each tag's bag id, loading the records every step of the way needs (membership.ts bagIdPath). */
    private bagIds;
    /** Trails of these bags, each from all records naming its tags or its boxes, and their corrections. */
    private build;
}
/** A stored record as custody reads it: the same toTrailRecord verification's output goes through. */
export declare function trailRecordOf(r: StoredRecord, device: DeviceEntry): TrailRecord;
