/**
 * Opens the store the server config names: the one place that picks the implementation. Each is loaded
 * only when chosen, so a SQLite server never loads pg and its schema (and a PostgreSQL one never loads
 * the native SQLite driver).
 */
import type { CustodyStore } from './repository.ts';
import type { StorageConfig } from './settings.ts';

export async function openStore(storage: StorageConfig): Promise<CustodyStore> {
  if (storage.driver === 'sqlite') return (await import('./sqlite.ts')).openSqliteStore(storage.file, { synchronous: storage.synchronous });
  return (await import('./pg.ts')).openPgStore({ url: storage.url, schema: storage.schema, poolSize: storage.poolSize });
}
