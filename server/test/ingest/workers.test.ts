/**
 * Verification on worker threads must change nothing but where the work is done: two ingests, one
 * verifying inline and one on workers, read the same messages from the same broker into two stores,
 * and the stores must come out the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { startIngest, type Ingest } from '../../src/ingest/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { TEST_SETTINGS } from './scenarios.ts';
import { DeviceClient, envelopes, eventually, openTestStore, provision, quiet, TestDevice, uniqueId, type TestStore } from './support.ts';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: quiet, limits: { rate: { messagesPerSecond: 10_000, burst: 10_000 } } });
});
afterAll(async () => {
  await gateway.close();
});

/** A small seeded PRNG (mulberry32), so the workload is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dump(store: SqliteStore) {
  const db = store.db.$client;
  return {
    records: db.prepare('select device, seq, hash, prev, type, hex(bytes) b, hex(signature) s, body from records order by id').all(),
    tags: db.prepare('select tag, device, seq from record_tags order by tag, device, seq').all(),
    quarantine: db.prepare('select code, device, seq, message, hex(payload) p from quarantine order by code, device, seq, p').all(),
    alerts: db.prepare('select rule, severity, dedupe_key, status, institution from alerts order by dedupe_key').all(),
    acks: db.prepare('select device, acked_seq, acked_hash from device_status order by device').all(),
  };
}

describe('verification on worker threads', () => {
  it('stores exactly what inline verification stores', async () => {
    const devices = [new TestDevice(uniqueId('ward')), new TestDevice(uniqueId('ward')), new TestDevice(uniqueId('ward'))];
    const stores: TestStore[] = [await openTestStore(), await openTestStore()];
    for (const s of stores) await provision(s.store, ...devices);
    gateway.setKeyring(await stores[0]!.store.keyring());
    const clients = [gateway.connectServerClient(), gateway.connectServerClient()];
    const ingests: Ingest[] = [
      await startIngest({ client: clients[0]!, store: stores[0]!.store, settings: { ...TEST_SETTINGS, verifyWorkers: 0 }, logger: quiet }),
      await startIngest({ client: clients[1]!, store: stores[1]!.store, settings: { ...TEST_SETTINGS, verifyWorkers: 2, workerThreshold: 0 }, logger: quiet }),
    ];
    const connected = await Promise.all(devices.map((d) => DeviceClient.connect(gateway.addresses.tcp!.url, d, 'token')));
    try {
      // The workload: each device's records in windows shuffled out of order, sent in payloads of 1-5,
      // some sent twice, and a few bad ones mixed in.
      const rnd = random(20260302);
      const payloads: Array<{ from: number; payload: string }> = [];
      devices.forEach((dev, i) => {
        const records = dev.seal(60);
        for (let w = 0; w < records.length; w += 10) {
          const window = records.slice(w, w + 10).sort(() => rnd() - 0.5);
          for (let k = 0; k < window.length; ) {
            const n = 1 + Math.floor(rnd() * 5);
            payloads.push({ from: i, payload: envelopes(window.slice(k, k + n)) });
            if (rnd() < 0.2) payloads.push({ from: i, payload: envelopes(window.slice(k, k + n)) });
            k += n;
          }
        }
      });
      const forged = new TestDevice(devices[0]!.id).seal(1)[0]!;
      const tampered: DecodedRecord = { ...devices[1]!.record(7), signature: devices[1]!.record(8).signature };
      const nonCanonical = ` ${new TextDecoder().decode(devices[2]!.record(3).bytes)}`;
      const bad = [
        { from: 0, payload: encodeEnvelope(forged) },
        { from: 1, payload: encodeEnvelope(tampered) },
        { from: 2, payload: `{"record":"${Buffer.from(nonCanonical).toString('base64')}","sig":"${Buffer.from(devices[2]!.record(3).signature).toString('base64')}"}` },
        { from: 1, payload: envelopes([devices[0]!.record(5)]) },
        { from: 2, payload: 'not an envelope' },
      ];
      for (const b of bad) payloads.splice(Math.floor(rnd() * payloads.length), 0, b);

      for (const p of payloads) await connected[p.from]!.publish(p.payload);
      const total = payloads.reduce((n, p) => n + p.payload.split('\n').length, 0) - 1; // 'not an envelope' is no envelope
      for (const ingest of ingests) await eventually(() => ingest.stats().received === total, 'every envelope received');
      for (const ingest of ingests) await ingest.drain();

      const [inline, workers] = stores.map((s) => dump(s.store));
      expect(inline!.records).toHaveLength(180);
      expect(workers).toEqual(inline);
      expect(inline!.quarantine.map((q) => (q as { code: string }).code).sort()).toEqual(['BAD_SIGNATURE', 'MALFORMED_ENVELOPE', 'NON_CANONICAL_RECORD', 'TOPIC_MISMATCH', 'WRONG_KEY']);
      expect(ingests[0]!.stats().verifiedInWorkers).toBe(0);
      expect(ingests[1]!.stats().verifiedInWorkers).toBeGreaterThan(150);
      expect(ingests[1]!.workers).toBe(2);
    } finally {
      for (const i of ingests) await i.close();
      for (const c of clients) await c.endAsync();
      for (const d of connected) await d.close();
      for (const s of stores) await s.cleanup();
    }
  }, 30_000);

  it('engages when records arrive faster than workerThreshold, and not for a trickle (default settings)', async () => {
    const busy = new TestDevice(uniqueId('ward'));
    const quietWard = new TestDevice(uniqueId('ward'));
    const ts = await openTestStore();
    await provision(ts.store, busy, quietWard);
    gateway.setKeyring(await ts.store.keyring());
    const client = gateway.connectServerClient();
    // The defaults but for verifyWorkers: 1 worker (a CI machine may have any number of cores).
    const ingest = await startIngest({ client, store: ts.store, settings: { keyringReloadMs: 0, verifyWorkers: 1 }, logger: quiet });
    const [b, q] = await Promise.all([DeviceClient.connect(gateway.addresses.tcp!.url, busy, 'token'), DeviceClient.connect(gateway.addresses.tcp!.url, quietWard, 'token')]);
    try {
      // A trickle: 5 records, one every 300 ms (a few records/s), all verified on the main thread.
      for (const r of quietWard.seal(5)) {
        await q.publish(envelopes([r]));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await eventually(() => ingest.stats().accepted === 5, 'the trickle stored');
      expect(ingest.stats().verifiedInWorkers).toBe(0);
      // Wait out the rate window, then a burst: 1,000 records in 40 messages, as fast as they go.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const records = busy.seal(1000);
      for (let i = 0; i < records.length; i += 25) await b.publish(envelopes(records.slice(i, i + 25)));
      await eventually(() => ingest.stats().accepted === 1005, 'the burst stored');
      expect(ingest.stats().verifiedInWorkers).toBeGreaterThan(500);
      expect(await ts.store.countRecords()).toBe(1005);
    } finally {
      await ingest.close();
      await client.endAsync();
      await b.close();
      await q.close();
      await ts.cleanup();
    }
  }, 30_000);
});
