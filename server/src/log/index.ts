// The server's verifiable log: its key, its checkpoints, and the stored tree read as clients see it.
export * from './settings.ts';
export * from './key.ts';
export * from './tree.ts';
export * from './checkpoints.ts';
export * from './cosignatures.ts';
