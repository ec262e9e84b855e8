export { BagProjection, trailRecordOf, type BagProjectionOptions, type ProjectedBags } from './projection.ts';
export { bagIdOf, bagIdPath, boxesHolding, indexByTag, isTurnoverBox, sealingOf, tagsPackedIn, type RecordsNaming } from './membership.ts';
export { groupReceipt, receivedGramsOf, summarizeBag, type SummaryOptions } from './summary.ts';
