/**
 * Ingest on the PostgreSQL store (through the embedded gateway): the repository interface is all
 * ingest needs, so the same records, acks and refusals come out. Skipped where no PostgreSQL answers.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope } from '@wastetrail/firmware-protocol';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { startIngest } from '../../src/ingest/index.ts';
import { openPgStore } from '../../src/store/index.ts';
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

  it('stores out-of-order records in chain order, acks them, and quarantines a bad one', async () => {
    const schema = `wt_test_${randomBytes(4).toString('hex')}`;
    const store = await openPgStore({ url: URL, schema, poolSize: 4 });
    const client = gateway.connectServerClient();
    let d: DeviceClient | undefined;
    const ingest = await startIngest({ client, store, settings: TEST_SETTINGS, logger: quiet });
    try {
      await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
      await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
      const dev = new TestDevice(uniqueId('ward'));
      await provision(store, dev);
      const keyring = await store.keyring();
      gateway.setKeyring(keyring);
      ingest.setKeyring(keyring);
      d = await DeviceClient.connect(gateway.addresses.tcp!.url, dev, 'token');
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
});
