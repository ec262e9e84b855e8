/**
 * Ingest through Mosquitto at 127.0.0.1:1883 (anonymous on loopback): the same scenarios as the
 * embedded gateway, plus what only an open, MQTT 5 broker allows: foreign topics and shared
 * subscriptions across two ingest processes. Device ids are unique per run (the broker persists).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.ts';
import { connectIngestClient, startIngest, type Ingest } from '../../src/ingest/index.ts';
import { ingestScenarios, TEST_SETTINGS } from './scenarios.ts';
import { clearRetained, DeviceClient, eventually, openTestStore, provision, quiet, TestDevice, uniqueId } from './support.ts';

const URL = 'mqtt://127.0.0.1:1883';
const serverClient = () => connectIngestClient({ kind: 'external', url: URL, clientId: uniqueId('wastetrail_server_test') });

describe('ingest through Mosquitto', () => {
  ingestScenarios(() => ({ deviceUrl: URL, auth: 'anonymous', serverClient, setKeyring: () => {}, open: true }));

  const cleanups: Array<() => Promise<void>> = [];
  const retained: string[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await clearRetained(URL, retained.splice(0));
  });

  async function ingestOn(store: SqliteStore, settings = {}): Promise<Ingest> {
    const client: MqttClient = serverClient();
    cleanups.push(() => client.endAsync());
    const ingest = await startIngest({ client, store, settings: { ...TEST_SETTINGS, ...settings }, logger: quiet });
    cleanups.push(() => ingest.close());
    return ingest;
  }

  it('quarantines payloads on topics that are not a device topic (WRONG_TOPIC)', async () => {
    const ts = await openTestStore();
    cleanups.push(() => ts.cleanup());
    await ingestOn(ts.store);
    const dev = new TestDevice(uniqueId('ward'));
    const d = await DeviceClient.connect(URL, dev, 'anonymous');
    cleanups.push(() => d.close());
    const topic = `wt/v1/dev/Not_A_Device-${uniqueId('x')}/records`;
    const payload = '{"record":"AAAA","sig":"AAAA"}';
    await d.publish(payload, topic);
    const rows = await eventually(async () => {
      const q = (await ts.store.quarantined({ code: 'WRONG_TOPIC' })).filter((r) => r.topic === topic);
      return q.length > 0 && q;
    }, 'the WRONG_TOPIC row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ code: 'WRONG_TOPIC', payloadBytes: payload.length });
  });

  it('splits the records of one device between two ingest processes ($share) and still stores one whole chain', async () => {
    const ts = await openTestStore();
    cleanups.push(() => ts.cleanup());
    const dev = new TestDevice(uniqueId('ward'));
    await provision(ts.store, dev);
    // Two processes: each its own store handle on the same file and its own MQTT session.
    const second = openSqliteStore(ts.file);
    cleanups.push(() => second.close());
    const group = uniqueId('ingest');
    const settings = { sharedGroup: group, gapRecheckMs: 20, gapTimeoutMs: 30_000 };
    const a = await ingestOn(ts.store, settings);
    const b = await ingestOn(second, settings);

    const d = await DeviceClient.connect(URL, dev, 'anonymous');
    cleanups.push(() => d.close());
    retained.push(`wt/v1/dev/${dev.id}/acks`);
    d.answerResends = true;
    const records = dev.seal(120);
    for (let i = 0; i < 120; i += 4) await d.publish(records.slice(i, i + 4));
    await eventually(() => d.acks.some((ack) => ack.seq === 120), 'an ack of seq 120', 20_000);
    await a.drain();
    await b.drain();

    const seqs = ts.store.db.$client.prepare('select seq from records where device = ? order by seq').pluck().all(dev.id);
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // Both processes took part: the broker handed each of them some of the messages.
    expect(a.stats().messages).toBeGreaterThan(0);
    expect(b.stats().messages).toBeGreaterThan(0);
    expect(a.stats().accepted + b.stats().accepted).toBe(120);
    expect(await ts.store.quarantined({ device: dev.id })).toEqual([]);
    expect(await ts.store.alerts({ device: dev.id })).toEqual([]);
  }, 30_000);
});
