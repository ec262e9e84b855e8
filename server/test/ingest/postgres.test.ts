/**
 * Ingest on the PostgreSQL store (through the embedded gateway): the repository interface is all
 * ingest needs, so the same records, acks and refusals come out. Skipped where no PostgreSQL answers.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope } from '@wastetrail/firmware-protocol';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { startIngest, type Ingest } from '../../src/ingest/index.ts';
import { openPgStore, type PgStore } from '../../src/store/index.ts';
import { TEST_SETTINGS } from './scenarios.ts';
import { DeviceClient, eventually, provision, quiet, TestDevice, uniqueId } from './support.ts';

const URL = process.env.WASTETRAIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const available = await reachable();

describe('ingest on the PostgreSQL store', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: quiet });
  });
  afterAll(async () => {
    await gateway.close();
  });

  /** A city, a hospital and this device in the store; the keyring to the gateway and ingest; the device connected. */
  async function connectDevice(store: PgStore, ingest: Ingest, dev: TestDevice): Promise<DeviceClient> {
    await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
    await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
    await provision(store, dev);
    const keyring = await store.keyring();
    gateway.setKeyring(keyring);
    ingest.setKeyring(keyring);
    return DeviceClient.connect(gateway.addresses.tcp!.url, dev, 'token');
  }

  it('stores out-of-order records in chain order, acks them, and quarantines a bad one', async () => {
    const schema = `wt_test_${randomBytes(4).toString('hex')}`;
    const store = await openPgStore({ url: URL, schema, poolSize: 4 });
    const client = gateway.connectServerClient();
    let d: DeviceClient | undefined;
    const ingest = await startIngest({ client, store, settings: TEST_SETTINGS, logger: quiet });
    try {
      const dev = new TestDevice(uniqueId('ward'));
      d = await connectDevice(store, ingest, dev);
      const records = dev.seal(12);
      for (const seq of [2, 1, 3, 6, 4, 5]) await d.publish([records[seq - 1]!]);
      await d.publish([records[3]!]); // a resend
      await d.publish(encodeEnvelope({ ...records[0]!, signature: records[1]!.signature }));
      await d.publish(records.slice(6)); // last: once it is acked, everything before it was handled
      const ack = await eventually(() => d!.acks.find((a) => a.seq === 12), 'ack of seq 12');
      expect(ack.hash).toBe(records[11]!.hash);
      await ingest.drain();
      expect((await store.recordsOfDevice(dev.id, 1, 100)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect((await store.recordsAfter(0, 100)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect((await store.recordAt(dev.id, 7))!.bytes).toEqual(records[6]!.bytes);
      expect((await store.quarantined({ device: dev.id })).map((q) => q.code)).toEqual(['BAD_SIGNATURE']);
      expect((await store.alerts({ device: dev.id })).map((a) => [a.params.code, a.jurisdiction])).toEqual([['BAD_SIGNATURE', 'hz']]);
      expect(await store.deviceStatus(dev.id)).toMatchObject({ ackedSeq: 12, ackedHash: records[11]!.hash });
    } finally {
      await ingest.close();
      await client.endAsync();
      await d?.close();
      await store.close();
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  });

  it('a commit that fails leaves no hole: records linked behind it while it waited are not stored, the resend fills all in order', async () => {
    const schema = `wt_test_${randomBytes(4).toString('hex')}`;
    const store = await openPgStore({ url: URL, schema, poolSize: 4 });
    const client = gateway.connectServerClient();
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    let d: DeviceClient | undefined;
    const ingest = await startIngest({ client, store, settings: { ...TEST_SETTINGS, batchMs: 1 }, logger: quiet });
    try {
      const dev = new TestDevice(uniqueId('ward'));
      d = await connectDevice(store, ingest, dev);
      const records = dev.seal(6);
      await d.publish(records.slice(0, 2));
      await eventually(() => d!.acks.some((a) => a.seq === 2), 'ack of seq 2');
      // Another session holds the log head: the commit of record 3 waits for it...
      await admin.query('begin');
      await admin.query(`select size from "${schema}".log_head for update`);
      await d.publish([records[2]!]);
      const waiting = await eventually(async () => (await admin.query<{ pid: number }>('select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))')).rows[0], 'the commit waiting on the log head');
      // ...records 4-6 are linked behind it meanwhile, and then it fails (its connection is ended).
      await d.publish(records.slice(3));
      await eventually(async () => ingest.stats().queued === 0, 'records 4-6 linked');
      await admin.query('select pg_terminate_backend($1)', [waiting.pid]);
      await eventually(() => ingest.stats().commitFailures === 1, 'the failed commit');
      await admin.query('rollback');
      // The server asks for everything after its stored head; the device sends it, as the edge agent does.
      const resend = await eventually(() => d!.commands.find((c) => c.type === 'resend'), 'a resend request');
      expect(resend).toEqual({ v: 1, type: 'resend', from: 3 });
      await d.publish(records.slice(resend.from - 1));
      const ack = await eventually(() => d!.acks.find((a) => a.seq === 6), 'ack of seq 6', 15_000);
      expect(ack.hash).toBe(records[5]!.hash);
      await ingest.drain();
      expect((await store.recordsOfDevice(dev.id, 1, 100)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      // Every ack named a seq whose records up to it were all stored: never 4, 5 or 6 over a missing 3.
      const { rows } = await admin.query<{ n: string }>(`select count(*) as n from "${schema}".records where device = $1`, [dev.id]);
      expect(Number(rows[0]!.n)).toBe(6);
    } finally {
      await admin.query('rollback').catch(() => undefined);
      await ingest.close();
      await client.endAsync();
      await d?.close();
      await store.close();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  }, 30_000);
});
