/**
 * The ingest scenarios every broker must pass: the embedded gateway and Mosquitto run the same ones
 * (embedded.test.ts, mosquitto.test.ts). Each test has its own store file, ingest and devices.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { deviceTopic, encodeEnvelope, keyId, receiptPairs, utf8, type AckMessage, type Keyring } from '@wastetrail/firmware-protocol';
import { startIngest, type Ingest, type IngestSettings } from '../../src/ingest/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { clearRetained, DeviceClient, eventually, openTestStore, provision, quiet, TestDevice, uniqueId, type TestStore } from './support.ts';

export interface TestBroker {
  deviceUrl: string;
  /** How devices log in: a signed token (gateway) or not at all (loopback Mosquitto). */
  auth: 'token' | 'anonymous';
  serverClient(): MqttClient;
  /** Tells the broker which devices exist (the gateway authenticates against it). */
  setKeyring(keyring: Keyring): void;
  /** Can any client publish on any topic (an unauthenticated broker)? */
  open: boolean;
}

export interface Stack {
  store: SqliteStore;
  file: string;
  ingest: Ingest;
  client: MqttClient;
  devices: DeviceClient[];
  connect(device: TestDevice): Promise<DeviceClient>;
  /** Stops ingest and starts a new one on the same store, as a server restart would. */
  restart(): Promise<void>;
}

/** Settings that keep tests quick: short batches and gaps, no keyring polling. */
export const TEST_SETTINGS: Partial<IngestSettings> = { batchMs: 5, gapTimeoutMs: 10_000, keyringReloadMs: 0, verifyWorkers: 0 };

export function ingestScenarios(getBroker: () => TestBroker): void {
  const cleanups: Array<() => Promise<void>> = [];
  const usedDevices: string[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    // Last, once no ingest can publish any more: leave no retained acks on a persistent, open broker.
    const broker = getBroker();
    if (broker.open) await clearRetained(broker.deviceUrl, usedDevices.splice(0).map((d) => deviceTopic(d, 'acks')));
  });

  async function stack(devices: TestDevice[], settings: Partial<IngestSettings> = {}, gatewayOnly: TestDevice[] = []): Promise<Stack> {
    const broker = getBroker();
    const ts: TestStore = await openTestStore();
    cleanups.push(() => ts.cleanup());
    await provision(ts.store, ...devices);
    const keyring = await ts.store.keyring();
    // Devices the broker lets in but the server's store does not know (provisioned halfway).
    const admitted = new Map(keyring.devices);
    for (const d of gatewayOnly) {
      admitted.set(d.id, { device: d.id, institution: 'hz-h001', stations: d.stations, keys: [{ publicKeySpki: d.signer.publicKeySpki, kid: keyId(d.signer.publicKeySpki) }] });
    }
    broker.setKeyring({ devices: admitted });
    const start = async () => {
      const client = broker.serverClient();
      cleanups.push(() => client.endAsync());
      const ingest = await startIngest({ client, store: ts.store, settings: { ...TEST_SETTINGS, ...settings }, logger: quiet });
      cleanups.push(() => ingest.close());
      return { client, ingest };
    };
    const first = await start();
    const s: Stack = {
      store: ts.store,
      file: ts.file,
      ingest: first.ingest,
      client: first.client,
      devices: [],
      async restart() {
        await s.ingest.close();
        await s.client.endAsync();
        Object.assign(s, await start());
      },
      async connect(device) {
        const dc = await DeviceClient.connect(broker.deviceUrl, device, broker.auth);
        usedDevices.push(device.id);
        cleanups.push(() => dc.close());
        s.devices.push(dc);
        return dc;
      },
    };
    return s;
  }

  /** Every receipt the acks carried, seq -> leaf index, as a device keeps them. */
  const receiptsIn = (acks: readonly AckMessage[]): Map<number, number> => new Map(acks.flatMap((a) => receiptPairs(a.leaves ?? [])).map((p) => [p.seq, p.index]));
  const leavesInStore = async (store: SqliteStore, device: string, seqs: number[]): Promise<Map<number, number>> => {
    const indexes = await store.logIndexes(seqs.map((seq) => ({ device, seq })));
    return new Map(seqs.map((seq, i) => [seq, indexes[i]!]));
  };

  const storedSeqs = (store: SqliteStore, device: string): number[] =>
    store.db.$client.prepare('select seq from records where device = ? order by id').pluck().all(device) as number[];

  describe('valid records', () => {
    it('stores records and acknowledges, after the commit, the highest contiguous seq with its hash', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      const storedWhenAcked: number[] = [];
      d.onAck = (ack) => {
        // Synchronously, the moment the ack arrives: the record it names must already be committed.
        storedWhenAcked.push(s.store.db.$client.prepare('select count(*) from records where device = ? and seq = ? and hash = ?').pluck().get(dev.id, ack.seq, ack.hash) as number);
      };
      const records = dev.seal(8);
      for (const r of records.slice(0, 5)) await d.publish([r]);
      await d.publish(records.slice(5)); // three envelope lines in one payload
      const ack = await eventually(() => d.acks.find((a) => a.seq === 8), 'ack of seq 8');
      expect(ack).toMatchObject({ v: 1, seq: 8, hash: records[7]!.hash });
      expect(storedWhenAcked.every((n) => n === 1)).toBe(true);
      // Receipts: together the acks name the log leaf of every record, the one the store sequenced it at.
      expect(receiptsIn(d.acks)).toEqual(await leavesInStore(s.store, dev.id, [1, 2, 3, 4, 5, 6, 7, 8]));
      // The last three came in one payload, so in one commit: one range (with earlier seqs, if they shared the commit).
      const last = ack.leaves!.at(-1)!;
      expect(last.seq + last.count - 1).toBe(8);
      expect(last.count).toBeGreaterThanOrEqual(3);
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const stored = (await s.store.recordAt(dev.id, 3))!;
      expect(stored.bytes).toEqual(records[2]!.bytes);
      expect(stored.signature).toEqual(records[2]!.signature);
      expect((await s.store.recordsForTags([`epc:${(3).toString(16).padStart(24, '0')}`])).map((r) => r.seq)).toEqual([3]);
      expect(await s.store.deviceStatus(dev.id)).toMatchObject({ ackedSeq: 8, ackedHash: records[7]!.hash });
      expect(await s.store.quarantined({ device: dev.id })).toEqual([]);
    });

    it('re-acknowledges a duplicate and stores it once', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      const records = dev.seal(3);
      await d.publish(records);
      await eventually(() => d.lastAck()?.seq === 3, 'ack of seq 3');
      const acksBefore = d.acks.length;
      await d.publish(records.slice(1)); // the agent missed the ack and sends 2 and 3 again
      await eventually(() => d.acks.length === acksBefore + 1, 'the ack of the resend');
      await d.publish([records[0]!]);
      await eventually(() => d.acks.length === acksBefore + 2, 'the ack of the second resend');
      expect(d.acks.slice(acksBefore).every((a) => a.seq === 3 && a.hash === records[2]!.hash)).toBe(true);
      // The re-acks carry the receipts of what was resent, so a device that missed an ack still gets them.
      const leaves = await leavesInStore(s.store, dev.id, [1, 2, 3]);
      expect(receiptsIn([d.acks[acksBefore]!])).toEqual(new Map([[2, leaves.get(2)], [3, leaves.get(3)]]));
      expect(receiptsIn([d.acks[acksBefore + 1]!])).toEqual(new Map([[1, leaves.get(1)]]));
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3]);
      expect(s.ingest.stats().duplicates).toBe(3);
      expect(await s.store.quarantined({ device: dev.id })).toEqual([]);
    });

    it('stores out-of-order arrivals in chain order', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      const records = dev.seal(6);
      for (const seq of [3, 1, 2, 6, 5, 4]) await d.publish([records[seq - 1]!]);
      await eventually(() => d.acks.find((a) => a.seq === 6), 'ack of seq 6');
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(d.lastAck()).toMatchObject({ v: 1, seq: 6, hash: records[5]!.hash });
      expect(await s.store.alerts({ device: dev.id })).toEqual([]);
    });

    it('records the status a device announces', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      await d.client.publishAsync(deviceTopic(dev.id, 'status'), JSON.stringify({ v: 1, state: 'online', time: new Date().toISOString(), agent: 'edge/0.1', backlog: 12 }), { qos: 1, retain: true });
      const status = await eventually(async () => (await s.store.deviceStatus(dev.id))?.state === 'online' && s.store.deviceStatus(dev.id), 'online status');
      expect(status).toMatchObject({ state: 'online', agent: 'edge/0.1', backlog: 12 });
      await d.client.publishAsync(deviceTopic(dev.id, 'status'), '', { qos: 1, retain: true }); // clears the retained status
    });
  });

  describe('gaps', () => {
    it('asks for the missing records and links them when they come', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      d.answerResends = true;
      const records = dev.seal(5);
      await d.publish(records.slice(0, 2));
      await d.publish(records.slice(4)); // 3 and 4 lost on the way
      await eventually(() => d.acks.find((a) => a.seq === 5), 'ack of seq 5');
      expect(d.commands).toEqual([{ v: 1, type: 'resend', from: 3, to: 4 }]);
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3, 4, 5]);
      expect(await s.store.alerts({ device: dev.id })).toEqual([]);
    });

    it('gives a gap up after the timeout: integrity alert SEQUENCE_GAP, the records after it stored', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev], { gapTimeoutMs: 300 });
      const d = await s.connect(dev);
      const records = dev.seal(6);
      await d.publish(records.slice(0, 2));
      await d.publish(records.slice(4)); // 3 and 4 never come
      await eventually(() => d.commands.length > 0, 'a resend command');
      expect(d.commands[0]).toEqual({ v: 1, type: 'resend', from: 3, to: 4 });
      const ack = await eventually(() => d.acks.find((a) => a.seq === 6), 'ack of seq 6 after the gap was given up');
      expect(ack.hash).toBe(records[5]!.hash);
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 5, 6]);
      const alerts = await eventually(async () => {
        const a = await s.store.alerts({ device: dev.id });
        return a.length > 0 && a;
      }, 'the integrity alert');
      expect(alerts).toHaveLength(1);
      // The rules' integrity alert: records that never come were lost or removed (critical).
      expect(alerts[0]).toMatchObject({ rule: 'integrity', severity: 'critical', status: 'open', dedupeKey: `integrity:device:${dev.id}/SEQUENCE_GAP`, institution: 'hz-h001', jurisdiction: 'hz' });
      expect(alerts[0]!.params).toMatchObject({ code: 'SEQUENCE_GAP', seq: 3 });
      expect(alerts[0]!.evidence).toEqual([{ device: dev.id, seq: 3 }]);
      expect(s.ingest.stats().gapsGivenUp).toBe(1);
    });
  });

  describe('refusals', () => {
    it('quarantines forged, bad-signature, replayed and garbage input with its code, and keeps going', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const other = new TestDevice(uniqueId('ward'));
      const s = await stack([dev, other], { maxPayloadBytes: 16 * 1024 });
      const d = await s.connect(dev);
      const o = await s.connect(other);
      const records = dev.seal(3);

      // A forger: the same device id, its own key.
      const forger = new TestDevice(dev.id);
      const forged = forger.seal(1)[0]!;
      await d.publish([forged]);
      // The real record 1 with one bit of its signature flipped.
      const tampered = { ...records[0]!, signature: Uint8Array.from(records[0]!.signature, (b, i) => (i === 0 ? b ^ 1 : b)) };
      await d.publish(encodeEnvelope(tampered));
      // A record of `dev` published by another device: replayed.
      await o.publish([records[0]!]);
      // Garbage.
      await d.publish(Uint8Array.from([0xff, 0xfe, 0xfd]));
      await d.publish('hello, broker');
      await d.publish('{"record":"!!!","sig":"AAAA"}');
      await d.publish('x'.repeat(20_000));
      await d.publish('\n\n');
      // Still working.
      await d.publish(records);
      await eventually(() => d.acks.find((a) => a.seq === 3), 'ack of seq 3');
      await s.ingest.drain();

      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3]);
      expect(storedSeqs(s.store, other.id)).toEqual([]);
      // Payload-level refusals are quarantined on arrival, record-level ones once linked: compare as sets.
      const codes = (await s.store.quarantined({ device: dev.id })).map((q) => q.code).sort();
      expect(codes).toEqual(['BAD_SIGNATURE', 'EMPTY_PAYLOAD', 'MALFORMED_ENVELOPE', 'MALFORMED_ENVELOPE', 'NOT_UTF8', 'PAYLOAD_TOO_LARGE', 'WRONG_KEY']);
      const replay = await s.store.quarantined({ device: other.id });
      expect(replay.map((q) => q.code)).toEqual(['TOPIC_MISMATCH']);
      expect(replay[0]!.payload).toEqual(utf8(encodeEnvelope(records[0]!)));
      const tamperedRow = (await s.store.quarantined({ code: 'BAD_SIGNATURE' })).find((q) => q.device === dev.id)!;
      expect(tamperedRow).toMatchObject({ seq: 1, topic: deviceTopic(dev.id, 'records'), payload: utf8(encodeEnvelope(tampered)) });

      const alerts = await s.store.alerts({ device: dev.id });
      const byCode = Object.fromEntries(alerts.map((a) => [a.params.code, a.severity]));
      expect(byCode).toEqual({
        WRONG_KEY: 'critical',
        BAD_SIGNATURE: 'critical',
        NOT_UTF8: 'warning',
        MALFORMED_ENVELOPE: 'warning',
        PAYLOAD_TOO_LARGE: 'warning',
        EMPTY_PAYLOAD: 'warning',
      });
      expect((await s.store.alerts({ device: other.id })).map((a) => [a.params.code, a.severity])).toEqual([['TOPIC_MISMATCH', 'critical']]);
      const stats = s.ingest.stats();
      expect(stats.accepted).toBe(3);
      // On an open broker other clients may add their own refusals to the counters.
      if (!getBroker().open) {
        expect(stats.quarantined).toEqual({ WRONG_KEY: 1, BAD_SIGNATURE: 1, TOPIC_MISMATCH: 1, NOT_UTF8: 1, MALFORMED_ENVELOPE: 2, PAYLOAD_TOO_LARGE: 1, EMPTY_PAYLOAD: 1 });
      }
    });

    it('quarantines records of a device the store does not know (UNKNOWN_DEVICE)', async () => {
      const known = new TestDevice(uniqueId('ward'));
      const stranger = new TestDevice(uniqueId('ward'));
      const s = await stack([known], {}, [stranger]);
      const d = await s.connect(stranger);
      await d.publish(stranger.seal(2));
      const rows = await eventually(async () => {
        const q = await s.store.quarantined({ device: stranger.id });
        return q.length === 2 && q;
      }, 'two quarantined records');
      expect(rows.map((q) => [q.code, q.seq])).toEqual([['UNKNOWN_DEVICE', 1], ['UNKNOWN_DEVICE', 2]]);
      await s.ingest.drain();
      const alerts = await s.store.alerts({ device: stranger.id });
      expect(alerts.map((a) => [a.params.code, a.severity, a.institution])).toEqual([['UNKNOWN_DEVICE', 'critical', null]]);
      expect(d.acks).toEqual([]);
    });

    it('quarantines a fork: a different, validly signed record at a stored seq', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      await d.publish(dev.seal(2));
      await eventually(() => d.lastAck()?.seq === 2, 'ack of seq 2');
      // The same key signs other records 1 and 2 (a cloned device, or an outbox that was reset).
      const clone = new TestDevice(dev.id, dev.stations, dev.signer, 7);
      const forks = clone.seal(2);
      await d.publish([forks[1]!]);
      await d.publish([forks[0]!]);
      await eventually(async () => (await s.store.quarantined({ device: dev.id })).length === 2, 'the forks quarantined');
      expect((await s.store.quarantined({ device: dev.id })).map((q) => [q.code, q.seq])).toEqual([['FORK', 2], ['FORK', 1]]);
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2]);
      await s.ingest.drain();
      expect((await s.store.alerts({ device: dev.id })).map((a) => [a.params.code, a.severity])).toEqual([['FORK', 'critical']]);
    });
  });

  describe('the keyring', () => {
    it('takes in a device provisioned after start once the keyring is reloaded', async () => {
      const first = new TestDevice(uniqueId('ward'));
      const late = new TestDevice(uniqueId('ward'));
      const s = await stack([first]);
      await provision(s.store, late);
      getBroker().setKeyring(await s.store.keyring());
      await s.ingest.reloadKeyring();
      const d = await s.connect(late);
      const records = late.seal(2);
      await d.publish(records);
      expect(await eventually(() => d.acks.find((a) => a.seq === 2), 'ack of seq 2')).toMatchObject({ v: 1, seq: 2, hash: records[1]!.hash });
    });

    it('refuses records dated after their key was revoked (KEY_REVOKED)', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      const records = dev.seal(3); // dated 08:00:01, :02 and :03
      expect(await s.store.revokeDeviceKey(dev.id, keyId(dev.signer.publicKeySpki), '2026-03-02T08:00:02.500Z')).toBe(true);
      await s.ingest.reloadKeyring();
      await d.publish(records);
      await eventually(() => d.acks.find((a) => a.seq === 2), 'ack of seq 2');
      const rows = await eventually(async () => {
        const q = await s.store.quarantined({ device: dev.id });
        return q.length > 0 && q;
      }, 'the refused record');
      expect(rows.map((q) => [q.code, q.seq])).toEqual([['KEY_REVOKED', 3]]);
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2]);
    });
  });

  describe('restart', () => {
    it('continues each chain from the store: resends re-acked, forks refused, new records linked', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev]);
      const d = await s.connect(dev);
      const records = dev.seal(4);
      await d.publish(records.slice(0, 3));
      await eventually(() => d.lastAck()?.seq === 3, 'ack of seq 3');
      await s.restart();
      const acksBefore = d.acks.length;
      await d.publish([records[0]!]); // a resend, far behind the head: only the store can tell
      // Re-acknowledged with the resent record's receipt (an ack republished at start may come first, without).
      await eventually(() => receiptsIn(d.acks.slice(acksBefore)).has(1), 'the resend re-acknowledged with its receipt');
      expect(d.lastAck()).toMatchObject({ v: 1, seq: 3, hash: records[2]!.hash });
      expect(receiptsIn(d.acks.slice(acksBefore)).get(1)).toBe((await leavesInStore(s.store, dev.id, [1])).get(1));
      const fork = new TestDevice(dev.id, dev.stations, dev.signer, 7).seal(1)[0]!;
      await d.publish([fork]);
      await d.publish([records[3]!]);
      await eventually(() => d.lastAck()?.seq === 4, 'ack of seq 4');
      await s.ingest.drain();
      expect(storedSeqs(s.store, dev.id)).toEqual([1, 2, 3, 4]);
      expect((await s.store.quarantined({ device: dev.id })).map((q) => [q.code, q.seq])).toEqual([['FORK', 1]]);
      expect(s.ingest.stats().duplicates).toBe(1);
    });
  });

  describe('group commit', () => {
    it('stores many records in few transactions', async () => {
      const dev = new TestDevice(uniqueId('ward'));
      const s = await stack([dev], { batchMs: 50, batchMaxRecords: 500 });
      const d = await s.connect(dev);
      // Each commit that stores records calls the hook once, with what it stored.
      const commits: number[] = [];
      s.ingest.onAccepted((stored) => void commits.push(stored.filter((r) => r.record.device === dev.id).length));
      const records = dev.seal(1000);
      for (let i = 0; i < 1000; i += 100) await d.publish(records.slice(i, i + 100));
      await eventually(() => d.acks.find((a) => a.seq === 1000), 'ack of seq 1000');
      const stats = s.ingest.stats();
      expect(stats.accepted).toBe(1000);
      expect(await s.store.countRecords()).toBe(1000);
      expect(commits.reduce((a, b) => a + b, 0)).toBe(1000);
      // One message is linked as a whole before any commit can run: at most one commit per message.
      expect(commits.filter((n) => n > 0).length).toBeLessThanOrEqual(10);
      expect(stats.largestBatch).toBeGreaterThanOrEqual(100);
    });
  });
}

