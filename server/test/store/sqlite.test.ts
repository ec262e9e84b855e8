import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openSqliteStore, SQLITE_MIGRATIONS_DIR, type SqliteStore } from '../../src/store/index.ts';
import { changeFeedContract } from './change-feed-contract.ts';
import type { BagTrail } from '../../src/custody/index.ts';
import { bagSummary, h, record, storeContract } from './contract.ts';

function openTemp(): { store: SqliteStore; file: string; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'wt-store-'));
  const file = join(dir, 'data', 'wastetrail.db');
  const store = openSqliteStore(file);
  return {
    store,
    file,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('the SQLite store', () => {
  let opened: ReturnType<typeof openTemp>;
  beforeEach(() => {
    opened = openTemp();
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it('reads a trail stored in the object form, as rows written before the positional layout hold it', async () => {
    const { store } = opened;
    const trail: BagTrail = { bag: 'epc:41', tags: ['epc:41'], state: 'stored', steps: [{ step: 'sealed', record: { device: 'dev-a', seq: 1, hash: h('a') }, time: '2026-03-02T08:00:00.000Z', institution: 'hz-h001', holder: { kind: 'department', id: 'ICU' }, badges: ['badge-1'], grams: 900 }], voided: [], anomalies: [] };
    await store.upsertBags([bagSummary({ bag: 'epc:41', state: 'stored' })]);
    store.db.$client.prepare('update bags set trail = ? where bag = ?').run(JSON.stringify(trail), 'epc:41');
    expect(await store.bagTrail('epc:41')).toEqual(trail);
    const streamed: BagTrail[] = [];
    await store.eachBagTrailInPlay('2026-03-01T00:00:00.000Z', (t) => streamed.push(t));
    expect(streamed).toEqual([trail]);
    // Projected again, the row takes the positional layout.
    await store.upsertBags([{ ...bagSummary({ bag: 'epc:41', state: 'stored' }), trail }]);
    expect(store.db.$client.prepare('select trail from bags where bag = ?').pluck().get('epc:41')).toMatch(/^\[1,"epc:41"/);
    expect(await store.bagTrail('epc:41')).toEqual(trail);
  });

  it('applies the migrations to a fresh file, in WAL mode with foreign keys on', () => {
    const client = opened.store.db.$client;
    const tables = client.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'alerts', 'bag_tags', 'bags', 'departments', 'device_status', 'devices', 'institutions', 'jurisdictions', 'quarantine',
        'record_corrections', 'record_tags', 'records', 'sessions', 'staff_badges', 'transport_companies', 'users', 'vehicles',
        'violations', 'inspections', 'inspectors', 'draws',
      ]),
    );
    expect(client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(client.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(client.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it("finds the rule tick's rows on indexes: none of its reads scans the records or the bags", async () => {
    // At 10 M records a scan is minutes per tick; the planner chose one for the vehicles' tracks once
    // (it walked records in id order to skip a sort) until vehicle_track_records had an index on to_time.
    const client = opened.store.db.$client;
    const prepared: string[] = [];
    const prepare = client.prepare.bind(client);
    client.prepare = ((text: string) => {
      prepared.push(text);
      return prepare(text);
    }) as typeof client.prepare;
    const from = '2026-03-01T00:00:00.000Z';
    const to = '2026-03-02T00:00:00.000Z';
    await opened.store.vehicleRecords({ from, to });
    await opened.store.vehicleRecords({ vehicles: ['HZ-V01'], from, to });
    await opened.store.eachBagTrailInPlay(from, () => undefined);
    await opened.store.manifestsInPlay(from);
    await opened.store.climateSince(from);
    client.prepare = prepare;
    expect(prepared.length).toBeGreaterThanOrEqual(5);
    for (const text of prepared) {
      const plan = (client.prepare(`explain query plan ${text}`).all(...Array.from({ length: (text.match(/\?/g) ?? []).length }, () => '')) as Array<{ detail: string }>).map((r) => r.detail);
      expect(plan.filter((d) => /^SCAN (records|bags|r|b)\b/.test(d)), `${text}\n${plan.join('\n')}`).toEqual([]);
    }
  });

  it('reopens an existing file: data kept, migrations not applied twice', async () => {
    await opened.store.appendRecords({ records: [record('dev-a', 1, h('a'))], quarantine: [], acks: [] });
    await opened.store.close();
    const again = openSqliteStore(opened.file, { synchronous: 'full' });
    try {
      expect(await again.countRecords()).toBe(1);
      expect(again.db.$client.prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS_DIR }).length);
      expect(again.db.$client.pragma('synchronous', { simple: true })).toBe(2); // FULL
    } finally {
      await again.close();
    }
  });
});

describe('the SQLite store as a CustodyStore', () => {
  storeContract(async () => openTemp());
  changeFeedContract(async () => openTemp());
});
