// What every wastetrail process shares: one pino root logger, one prom-client registry, and one way to
// read a config file against its TypeBox schema.
export * from './log.ts';
export * from './metrics.ts';
export * from './config.ts';
