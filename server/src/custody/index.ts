export * from './tags.ts';
export * from './trail.ts';
