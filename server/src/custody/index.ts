export * from './tags.ts';
export * from './trail.ts';
export * from './weights.ts';
