/** Opens the store the server config names: the one place that picks the implementation. */
import type { CustodyStore } from './repository.ts';
import { openPgStore } from './pg.ts';
import type { StorageConfig } from './settings.ts';
import { openSqliteStore } from './sqlite.ts';

export async function openStore(storage: StorageConfig): Promise<CustodyStore> {
  if (storage.driver === 'sqlite') return openSqliteStore(storage.file, { synchronous: storage.synchronous });
  return openPgStore({ url: storage.url, schema: storage.schema, poolSize: storage.poolSize });
}
