// Scale protocols: codecs, stream parsers, the stability rule, and serial line settings.
export * from './errors.ts';
export * from './weight.ts';
export * from './reading.ts';
export * from './lines.ts';
export * from './mt-sics.ts';
export * from './xk3190.ts';
export * from './and.ts';
export * from './stability.ts';
export * from './parsers.ts';
export * from '../serial/settings.ts';
