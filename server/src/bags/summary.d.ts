/**
 * A bag's summary, read off its reconstructed trail: what the bag list, search, daily mass balance and
 * public disclosure show without rebuilding trails. Pure: trail in, summary out.
 */
import type { BagTrail, RecordRef } from '../custody/index.ts';
export { receivedGramsOf } from '../custody/index.ts';
import type { BagSummary } from '../store/index.ts';
export interface SummaryOptions {
    /** IANA time zone of the bag's institution (rule thresholds), for `sealedDay`. */
    timeZone: string;
    /** The bag's weight at receipt when it was weighed in a group (receivedGramsOf); default: its own weight at receipt. */
    receivedGrams?: number | null;
}
export declare function summarizeBag(trail: BagTrail, options: SummaryOptions): BagSummary;
/** The receipt record when the bag was weighed in a group: receivedGramsOf needs all that record's bags in view. */
export declare function groupReceipt(trail: BagTrail): RecordRef | undefined;
