/**
 * Real stores for tests: a SQLite file in a temp dir, or a fresh schema in the test PostgreSQL
 * (postgres://postgres@127.0.0.1:5432/test, or WASTETRAIL_TEST_PG_URL), dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPgStore, openSqliteStore, type CustodyStore } from '../../src/store/index.ts';

export const PG_URL = process.env.WASTETRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: CustodyStore;
  cleanup(): Promise<void>;
}

export async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    console.warn(`PostgreSQL tests skipped: nothing answers at ${PG_URL} (set WASTETRAIL_TEST_PG_URL)`);
    return false;
  }
}

export async function openTempSqlite(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-store-'));
  const store = openSqliteStore(join(dir, 'wastetrail.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function dropPgSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export async function openFreshPg(): Promise<TestStore> {
  const schema = `wt_test_${randomBytes(4).toString('hex')}`;
  const store = await openPgStore({ url: PG_URL, schema, poolSize: 4 });
  return {
    store,
    async cleanup() {
      await store.close();
      await dropPgSchema(schema);
    },
  };
}
