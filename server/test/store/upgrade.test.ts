/**
 * Upgrading a store made before the bag projection and the alert book's columns: the migrations index
 * the corrections already stored and fill the new alert columns of old alerts from what they had, and
 * opening the store puts the records already stored into the verifiable log; the change feed starts with
 * what the store held.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, openSqliteStore, PG_MIGRATIONS_DIR, SQLITE_MIGRATIONS_DIR, type CustodyStore } from '../../src/store/index.ts';
import { buildManifest, type Manifest } from '../../src/manifests/manifest.ts';
import { manifestRow } from '../../src/store/queries/manifests.ts';
import { partialRefusal } from '../manifests/support.ts';
import { dropPgSchema, PG_URL, pgReachable } from './open.ts';

const available = await pgReachable();

const CORRECTION_BODY = JSON.stringify({ target: { device: 'dev-a', seq: 1, hash: 'a'.repeat(64) }, action: 'void', reason: 'test bag', authorisedBy: 'badge-0001' });
const OLD_ALERT = {
  rule: 'integrity',
  severity: 'critical',
  dedupe_key: 'integrity:dev-a:BAD_SIGNATURE',
  title: 'BAD_SIGNATURE from device dev-a',
  status: 'open',
  escalation_level: 1,
  occurrences: 4,
  opened_at: '2026-03-02T08:00:00.000Z',
  last_seen_at: '2026-03-02T09:00:00.000Z',
  details: JSON.stringify({ code: 'BAD_SIGNATURE', lastMessage: 'bad', lastSeq: 7 }),
};

async function expectUpgraded(store: CustodyStore): Promise<void> {
  // Records stored before the verifiable log are its first leaves, in acceptance order.
  expect(await store.logSize()).toBe(1);
  expect(await store.logIndexes([{ device: 'dev-c', seq: 1 }])).toEqual([0]);
  expect((await store.correctionsFor([{ device: 'dev-a', seq: 1 }])).map((r) => `${r.device}#${r.seq}`)).toEqual(['dev-c#1']);
  const [alert] = await store.alerts();
  expect(alert).toMatchObject({
    rule: 'integrity',
    severity: 'critical',
    currentSeverity: 'critical',
    subject: 'integrity:dev-a:BAD_SIGNATURE',
    messageKey: 'integrity',
    params: {},
    evidence: [],
    since: '2026-03-02T08:00:00.000Z',
    awaitingAckSince: '2026-03-02T08:00:00.000Z',
    revision: 0,
    occurrences: 4,
  });
  expect((await store.unresolvedAlerts({ rules: ['integrity'], subjects: ['integrity:dev-a:BAD_SIGNATURE'] })).map((a) => a.id)).toEqual([alert!.id]);
  // The change feed starts with what the store already held.
  const [record] = await store.recordsAfter(0, 1);
  expect((await store.changesAfter(0, 10)).map((c) => `${c.kind}:${c.key}`)).toEqual([`record:${record!.id}`, `alert:${alert!.id}`]);
}

/** A SQLite store file with only the first `count` migrations applied, as an older server left it. */
function oldSqliteStore(dir: string, file: string, count: number): Database.Database {
  const folder = join(dir, 'migrations');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(SQLITE_MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  const entries = journal.entries.slice(0, count);
  for (const e of entries) cpSync(join(SQLITE_MIGRATIONS_DIR, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  const client = new Database(file);
  migrate(drizzle({ client }), { migrationsFolder: folder });
  return client;
}

/** A PostgreSQL schema with only the first `count` migrations applied, and the client's search path set to it. */
async function oldPgSchema(client: pg.Client, schema: string, count: number): Promise<void> {
  await client.query(`create schema "${schema}"; set search_path to "${schema}"`);
  await client.query(`create table __drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`);
  for (const m of readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR }).slice(0, count)) {
    for (const statement of m.sql) if (statement.trim()) await client.query(statement.replaceAll('"public".', `"${schema}".`));
    await client.query(`insert into __drizzle_migrations (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis]);
  }
}

describe('upgrading a SQLite store from its first migration', () => {
  it('indexes stored corrections, fills the new alert columns and logs the stored records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-upgrade-'));
    try {
      // Only the first migration, as a store made before this change has.
      const file = join(dir, 'old.db');
      const client = oldSqliteStore(dir, file, 1);
      client
        .prepare(`insert into records (device, seq, hash, prev, kid, device_time, received_at, type, bytes, signature, body) values ('dev-c', 1, ?, ?, 'k', 't', 't', 'correction', x'00', x'00', ?)`)
        .run('c'.repeat(64), '0'.repeat(64), CORRECTION_BODY);
      const columns = Object.keys(OLD_ALERT);
      client.prepare(`insert into alerts (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`).run(...Object.values(OLD_ALERT));
      client.close();

      const store = openSqliteStore(file);
      try {
        await expectUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('upgrading a PostgreSQL store from its first migration', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  it('indexes stored corrections, fills the new alert columns and logs the stored records', async () => {
    const schema = `wt_test_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await oldPgSchema(client, schema, 1);
      await client.query(
        `insert into records (device, seq, hash, prev, kid, device_time, received_at, type, bytes, signature, body) values ('dev-c', 1, $1, $2, 'k', 't', 't', 'correction', '\\x00', '\\x00', $3)`,
        ['c'.repeat(64), '0'.repeat(64), CORRECTION_BODY],
      );
      const columns = Object.keys(OLD_ALERT);
      await client.query(`insert into alerts (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(OLD_ALERT));

      const store = await openPgStore({ url: PG_URL, schema });
      try {
        await expectUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await dropPgSchema(schema);
    }
  });
});

// Made before transfer manifests joined the change feed (migration 0011): the feed gains a change for
// each manifest already held, after what it had.
const BEFORE_MANIFEST_CHANGES = 11;
const HELD = buildManifest('HZ2026030200017', partialRefusal('HZ2026030200017'))!;
// The row as the stores write it (manifestRow), under the table's column names.
const heldColumns = (m: Manifest) => {
  const r = manifestRow(m);
  return { manifest: r.manifest, status: r.status, producer: r.producer, transporter: r.transporter, receiver: r.receiver, vehicle: r.vehicle, started_at: r.startedAt, last_at: r.lastAt, closed_at: r.closedAt, discrepancies: r.discrepancies, data: JSON.stringify(r.data) };
};

async function expectHeldNoted(store: CustodyStore): Promise<void> {
  try {
    expect((await store.changesAfter(0, 10)).map((c) => `${c.kind}:${c.key}`)).toEqual([`manifest:${HELD.manifest}`]);
    expect(await store.manifest(HELD.manifest)).toEqual(HELD);
  } finally {
    await store.close();
  }
}

describe('upgrading a store made before manifests joined the change feed', () => {
  it('SQLite: notes each manifest held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-upgrade-'));
    try {
      const file = join(dir, 'old.db');
      const client = oldSqliteStore(dir, file, BEFORE_MANIFEST_CHANGES);
      const columns = heldColumns(HELD);
      client.prepare(`insert into manifests (${Object.keys(columns).join(', ')}) values (${Object.keys(columns).map(() => '?').join(', ')})`).run(...Object.values(columns));
      client.close();
      const store = openSqliteStore(file);
      await expectHeldNoted(store);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: notes each manifest held', async () => {
    if (!available) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
    const schema = `wt_test_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await oldPgSchema(client, schema, BEFORE_MANIFEST_CHANGES);
      const columns = heldColumns(HELD);
      await client.query(`insert into manifests (${Object.keys(columns).join(', ')}) values (${Object.keys(columns).map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(columns));
      const store = await openPgStore({ url: PG_URL, schema });
      await expectHeldNoted(store);
    } finally {
      await client.end();
      await dropPgSchema(schema);
    }
  });
});
