// Exports: a bag's records read back and re-verified, its audit bundle, and the handover register (CSV).
export * from './bag-records.ts';
export * from './bundle.ts';
export * from './register.ts';
