// The transfer manifest (转移联单): built from its records, projected into the store (docs/transport/manifest.md).
export * from './manifest.ts';
export * from './projection.ts';
export * from './export.ts';
