// The verifiable log: RFC 9162 hashing and proofs, C2SP checkpoints, signed notes, tiles, offline proofs.
export * from './errors.ts';
export * from './hash.ts';
export * from './tree.ts';
export * from './verify.ts';
export * from './leaf.ts';
export * from './note.ts';
export * from './checkpoint.ts';
export * from './cosignature.ts';
export * from './tiles.ts';
export * from './tlog-proof.ts';
