/**
 * The PostgreSQL store against a real PostgreSQL (default postgres://postgres@127.0.0.1:5432/test,
 * or WASTETRAIL_TEST_PG_URL), each test in a fresh schema that is dropped afterwards. Skipped, with
 * a note, where no PostgreSQL answers.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openPgStore, PG_MIGRATIONS_DIR, type PgStore } from '../../src/store/index.ts';
import { MemoryTree, nodeHashLookup, proofNodes, recordHash, recordLeafHash, toHex, treeRoot, utf8 } from '@wastetrail/firmware-protocol';
import { buildManifest } from '../../src/manifests/manifest.ts';
import { bagTag, issued } from '../manifests/support.ts';
import { changeFeedContract } from './change-feed-contract.ts';
import type { BagTrail } from '../../src/custody/index.ts';
import { bagSummary, h, record, storeContract } from './contract.ts';

const URL = process.env.WASTETRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    console.warn(`PostgreSQL store tests skipped: nothing answers at ${URL} (set WASTETRAIL_TEST_PG_URL)`);
    return false;
  }
}

const available = await reachable();

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function openFresh(): Promise<{ store: PgStore; schema: string; cleanup(): Promise<void> }> {
  const schema = `wt_test_${randomBytes(4).toString('hex')}`;
  const store = await openPgStore({ url: URL, schema, poolSize: 4 });
  return {
    store,
    schema,
    async cleanup() {
      await store.close();
      await dropSchema(schema);
    },
  };
}

describe('the PostgreSQL store', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  it('migrates a fresh schema, and reopening applies nothing twice', async () => {
    const opened = await openFresh();
    try {
      await opened.store.appendRecords({ records: [record('dev-a', 1, h('a'))], quarantine: [], acks: [] });
      const again = await openPgStore({ url: URL, schema: opened.schema });
      try {
        expect(await again.countRecords()).toBe(1);
        const n = await again.db.$client.query(`select count(*)::int n from "${opened.schema}".__drizzle_migrations`);
        expect(n.rows[0].n).toBe(readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR }).length);
        const fks = await again.db.$client.query(
          `select count(*)::int n from information_schema.table_constraints where constraint_type = 'FOREIGN KEY' and table_schema = $1`,
          [opened.schema],
        );
        // 9, 3 of supervision (violations -> alerts, inspections; inspections -> draws), the log's
        // cosignatures -> checkpoints, the transport reference data (routes -> vehicles, geofences -> institutions),
        // and the change feed's subscriptions -> users.
        expect(fks.rows[0].n).toBe(16);
      } finally {
        await again.close();
      }
    } finally {
      await opened.cleanup();
    }
  });

  it('reads a trail stored in the object form, as rows written before the positional layout hold it', async () => {
    const opened = await openFresh();
    try {
      const { store } = opened;
      const trail: BagTrail = { bag: 'epc:41', tags: ['epc:41'], state: 'stored', steps: [{ step: 'sealed', record: { device: 'dev-a', seq: 1, hash: h('a') }, time: '2026-03-02T08:00:00.000Z', institution: 'hz-h001', holder: { kind: 'department', id: 'ICU' }, badges: ['badge-1'], grams: 900 }], voided: [], anomalies: [] };
      await store.upsertBags([bagSummary({ bag: 'epc:41', state: 'stored' })]);
      await store.db.$client.query('update bags set trail = $1::jsonb where bag = $2', [JSON.stringify(trail), 'epc:41']);
      expect(await store.bagTrail('epc:41')).toEqual(trail);
      const streamed: BagTrail[] = [];
      await store.eachBagTrailInPlay('2026-03-01T00:00:00.000Z', (t) => streamed.push(t));
      expect(streamed).toEqual([trail]);
      // Projected again, the row takes the positional layout.
      await store.upsertBags([{ ...bagSummary({ bag: 'epc:41', state: 'stored' }), trail }]);
      const stored = await store.db.$client.query('select trail from bags where bag = $1', ['epc:41']);
      expect(stored.rows[0].trail.slice(0, 2)).toEqual([1, 'epc:41']);
      expect(await store.bagTrail('epc:41')).toEqual(trail);
    } finally {
      await opened.cleanup();
    }
  });

  it('never moves a recorded ack backwards (two processes acking the same device)', async () => {
    const opened = await openFresh();
    try {
      const { store } = opened;
      await store.appendRecords({ records: [record('dev-a', 1, h('a')), record('dev-a', 2, h('b'))], quarantine: [], acks: [{ device: 'dev-a', seq: 2, hash: h('b') }] });
      const late = await store.appendRecords({ records: [], quarantine: [], acks: [{ device: 'dev-a', seq: 1, hash: h('a') }] });
      expect(late.acks).toEqual([]);
      expect(await store.deviceStatus('dev-a')).toMatchObject({ ackedSeq: 2, ackedHash: h('b') });
    } finally {
      await opened.cleanup();
    }
  });

  it('gives concurrent committers (two processes) distinct, dense leaf indexes in commit order', async () => {
    const opened = await openFresh();
    const other = await openPgStore({ url: URL, schema: opened.schema, poolSize: 4 });
    try {
      const batchOf = (device: string, b: number) =>
        Array.from({ length: 20 }, (_, i) => ({ ...record(device, b * 20 + i + 1, recordHash(utf8(`${device}#${b * 20 + i + 1}`))), bytes: utf8(`${device}#${b * 20 + i + 1}`) }));
      // 2 processes x 10 commits of 20 records, all in flight at once.
      await Promise.all(
        [opened.store, other].flatMap((s, p) => Array.from({ length: 10 }, (_, b) => s.appendRecords({ records: batchOf(`dev-${p}`, b), quarantine: [], acks: [] }))),
      );
      expect(await other.logSize()).toBe(400);
      const all = [0, 1].flatMap((p) => Array.from({ length: 200 }, (_, i) => ({ device: `dev-${p}`, seq: i + 1 })));
      const indexes = await other.logIndexes(all);
      expect(new Set(indexes).size).toBe(400);
      expect([...indexes].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      // Each commit's 20 records are one run of indexes, in the commit's order.
      for (let at = 0; at < 400; at += 20) expect(indexes.slice(at + 1, at + 20).every((x, i) => x === indexes[at]! + i + 1)).toBe(true);
      // The tree the nodes make is the tree of the leaves in index order.
      const byIndex = all.map((r, i) => ({ ...r, index: indexes[i]! })).sort((a, b) => a.index - b.index);
      const tree = new MemoryTree();
      for (const r of byIndex) tree.append(recordLeafHash({ bytes: utf8(`${r.device}#${r.seq}`), signature: new Uint8Array(64).fill(r.seq) }));
      const nodes = nodeHashLookup(await other.logNodes(proofNodes([{ start: 0, end: 400 }])));
      expect(toHex(treeRoot(400, nodes))).toBe(toHex(tree.root()));
    } finally {
      await other.close();
      await opened.cleanup();
    }
  });

  it('hands out change ids in commit order across processes: a reader following the cursor misses none', async () => {
    const opened = await openFresh();
    const other = await openPgStore({ url: URL, schema: opened.schema, poolSize: 4 });
    try {
      await opened.store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
      const seen: number[] = [];
      let writing = true;
      // A reader polling the feed while two processes commit records, bags and manifests at once.
      const reader = (async () => {
        let after = 0;
        for (;;) {
          const done = !writing;
          const page = await opened.store.changesAfter(after, 1000);
          seen.push(...page.map((c) => c.id));
          after = page.at(-1)?.id ?? after;
          if (done && page.length === 0) return;
        }
      })();
      await Promise.all(
        [opened.store, other].flatMap((s, p) =>
          Array.from({ length: 15 }, async (_, b) => {
            await s.appendRecords({ records: Array.from({ length: 5 }, (_, i) => record(`dev-${p}`, b * 5 + i + 1, h('c'))), quarantine: [], acks: [] });
            await s.upsertBags([{ ...bagSummary({ bag: `epc:0000${p}${String(b).padStart(3, '0')}` }), institution: null }]);
            await s.upsertManifests([buildManifest(`M-${p}-${b}`, [issued(`M-${p}-${b}`, '2026-03-02T02:00:00.000Z', [{ tag: bagTag(b), grams: 500 }])])!]);
          }),
        ),
      );
      writing = false;
      await reader;
      const stored = (await other.changesAfter(0, 10_000)).map((c) => c.id);
      expect(stored).toHaveLength(2 * 15 * 7);
      expect(seen).toEqual(stored);
    } finally {
      await other.close();
      await opened.cleanup();
    }
  });
});

describe('the PostgreSQL store as a CustodyStore', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  storeContract(openFresh);
  changeFeedContract(openFresh);
});
