// The custody store: the repository interface, and its SQLite (embedded) and PostgreSQL (scale-out) implementations.
export * from './repository.ts';
export * from './vocabulary.ts';
export { openSqliteStore, SQLITE_MIGRATIONS_DIR, type SqliteStore, type SqliteStoreOptions, type SqliteDatabase } from './sqlite.ts';
export { openPgStore, PG_MIGRATIONS_DIR, type PgStore, type PgStoreOptions, type PgDatabase } from './pg.ts';
export { openStore } from './open.ts';
export { readStorageSettings, StorageSettingsSchema, type StorageConfig } from './settings.ts';
export { compareAlerts } from './queries/alerts.ts';
