/**
 * The `storage` section of the server config: an embedded SQLite file, or PostgreSQL for several server
 * processes (docs/server/storage.md).
 */
import { isAbsolute, resolve } from 'node:path';
import { Type, type Static } from 'typebox';

const SqliteStorageSchema = Type.Object(
  {
    driver: Type.Literal('sqlite', { default: 'sqlite', description: '"sqlite": embedded, one file (one process, or a few on one machine).' }),
    file: Type.String({ minLength: 1, default: 'wastetrail.db', description: 'The database file, relative to dataDir. WAL mode; migrations are applied at start.' }),
    synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], {
      default: 'normal',
      description: '"normal": a commit survives a crash of the process, a power cut may undo the last commits (the devices resend them); "full": every commit reaches the disk before its ack.',
    }),
  },
  { additionalProperties: false },
);

const PostgresStorageSchema = Type.Object(
  {
    driver: Type.Literal('postgres', { description: '"postgres": several server processes on several machines.' }),
    url: Type.String({
      pattern: '^postgres(ql)?://\\S+$',
      'x-expected': 'a URL like "postgres://user@host:5432/database" (the password may come from PGPASSWORD)',
      description: 'The database; the password from PGPASSWORD or ~/.pgpass.',
    }),
    schema: Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', default: 'public', 'x-expected': 'a lower-case SQL identifier', examples: ['wastetrail'], description: 'The SQL schema, created if missing.' }),
    poolSize: Type.Integer({ minimum: 1, maximum: 1000, default: 10, 'x-unit': 'connections', description: 'Connections per server process.' }),
  },
  { additionalProperties: false },
);

export const StorageSettingsSchema = Type.Union([SqliteStorageSchema, PostgresStorageSchema], { default: {}, description: 'Where custody records, trails and alerts are stored.' });
export type StorageConfig = Static<typeof StorageSettingsSchema>;

/** A relative SQLite file is relative to dataDir. */
export function readStorageSettings(s: StorageConfig, dataDir: string): StorageConfig {
  return s.driver === 'sqlite' && !isAbsolute(s.file) ? { ...s, file: resolve(dataDir, s.file) } : s;
}
