/** A fresh PostgreSQL schema per test (127.0.0.1:5432, database test, or WASTETRAIL_TEST_PG_URL), with the cluster tables. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureClusterTables } from '../../src/cluster/index.ts';
import { dropPgSchema, PG_URL } from '../store/open.ts';

export { dropPgSchema, PG_URL };

export interface TestSchema {
  schema: string;
  /** A pool on the schema: each stands for one server process. */
  pool(): pg.Pool;
  cleanup(): Promise<void>;
}

export async function freshSchema(prefix = 'wt_cluster'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: PG_URL, max: 4, options: `-c search_path=${schema}` });
    pools.push(p);
    return p;
  };
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  await ensureClusterTables(pool());
  return {
    schema,
    pool,
    async cleanup() {
      for (const p of pools) await p.end().catch(() => undefined);
      await dropPgSchema(schema);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
