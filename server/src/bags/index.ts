// Bags: the custody projection, one summary row per bag, kept up to date from the records (docs/server/storage.md).
export { BagProjection, trailRecordOf, type BagProjectionOptions, type ProjectedBags } from './projection.ts';
export { bagIdOf, bagIdPath, boxesHolding, indexByTag, isTurnoverBox, sealingOf, tagsPackedIn, type RecordsNaming } from './membership.ts';
export { groupReceipt, summarizeBag, type SummaryOptions } from './summary.ts';
