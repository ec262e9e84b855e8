/** Chain linking: records into their device chains in arrival order, and what that puts into the pending batch. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEnvelope } from '@wastetrail/firmware-protocol';
import { linking, storeDirectly } from './linking.ts';
import { openTestStore, provision, TestDevice, type TestStore } from './support.ts';

let t: TestStore;
let dev: TestDevice;
beforeEach(async () => {
  t = await openTestStore();
  dev = new TestDevice('hz-h001-cl-01');
  await provision(t.store, dev);
});
afterEach(async () => {
  await t.cleanup();
});

const seqs = (records: Array<{ seq: number }>) => records.map((r) => r.seq);

describe('ChainLinker', () => {
  it('links a message in chain order into the pending batch, seeding the chain from the store once', async () => {
    const l = await linking(t.store);
    const records = dev.seal(3);
    await l.linker.link(l.message(dev.id, records));
    expect(seqs(l.batch.pending.records)).toEqual([1, 2, 3]);
    expect([...l.batch.pending.ack]).toEqual([dev.id]);
    expect(l.linker.ackHead(dev.id)).toEqual({ seq: 3, hash: records[2]!.hash });
    expect(l.rebuilt).toEqual([dev.id]);
    expect(l.pushed).toHaveLength(3);
    expect(l.refused).toEqual([]);
  });

  it('holds records behind a gap and links them in chain order when the missing one comes', async () => {
    const l = await linking(t.store);
    const records = dev.seal(3);
    await l.linker.link(l.message(dev.id, [records[2]!, records[1]!]));
    expect(l.batch.pending.records).toEqual([]);
    expect(l.linker.heldCount()).toBe(2);
    await l.linker.link(l.message(dev.id, [records[0]!]));
    expect(seqs(l.batch.pending.records)).toEqual([1, 2, 3]);
    expect(l.linker.heldCount()).toBe(0);
    l.gaps.close();
  });

  it("refuses a record on another device's topic as the topic device's problem, and strangers without making them a chain", async () => {
    const l = await linking(t.store);
    const other = new TestDevice('hz-h001-cl-02');
    await provision(t.store, other);
    const stranger = new TestDevice('hz-h001-cl-stranger');
    const l2 = await linking(t.store);
    await l2.linker.link(l2.message(dev.id, other.seal(1)));
    expect(l2.refused.map((r) => [r.entry.code, r.entry.device, r.problem?.device])).toEqual([['TOPIC_MISMATCH', dev.id, dev.id]]);
    await l.linker.link(l.message(stranger.id, stranger.seal(1)));
    expect(l.refused.map((r) => [r.entry.code, r.entry.device])).toEqual([['UNKNOWN_DEVICE', stranger.id]]);
    expect(l.linker.chain(stranger.id)).toBeUndefined();
    expect(l.batch.pending.records).toEqual([]);
  });

  it('refuses a forged record (signed with another key: WRONG_KEY) with its code and hash, and keeps linking the next good one', async () => {
    const l = await linking(t.store);
    const forger = new TestDevice(dev.id);
    const good = dev.seal(2);
    await l.linker.link(l.message(dev.id, [forger.seal(1)[0]!, good[0]!, good[1]!]));
    expect(l.refused.map((r) => [r.entry.code, r.problem?.hash])).toEqual([['WRONG_KEY', forger.record(1).hash]]);
    expect(seqs(l.batch.pending.records)).toEqual([1, 2]);
  });

  it('re-acknowledges a resend of an accepted record, with its receipt, and stores it once', async () => {
    const l = await linking(t.store);
    const records = dev.seal(2);
    await l.linker.link(l.message(dev.id, records));
    l.batch.pending.receipts.clear();
    await l.linker.link(l.message(dev.id, [records[0]!]));
    expect(l.counters.duplicates).toBe(1);
    expect(seqs(l.batch.pending.records)).toEqual([1, 2]);
    expect([...l.batch.pending.receipts.get(dev.id)!]).toEqual([1]);
  });

  it('continues from the store: a resend far behind is re-acknowledged, another record there is a FORK', async () => {
    await storeDirectly(t.store, dev.seal(3));
    const l = await linking(t.store);
    const twin = new TestDevice(dev.id, dev.stations, dev.signer, 1);
    twin.seal(3);
    await l.linker.link(l.message(dev.id, [dev.record(2), twin.record(2), ...dev.seal(1)]));
    expect(l.counters.duplicates).toBe(1);
    expect(l.refused.map((r) => [r.entry.code, r.entry.seq])).toEqual([['FORK', 2]]);
    expect(seqs(l.batch.pending.records)).toEqual([4]);
    expect([...l.batch.pending.receipts.get(dev.id)!]).toEqual([2, 4]);
  });

  it('tells a resend of a record linked but not yet committed from the store, and forgets it once committed', async () => {
    const l = await linking(t.store, { maxHeldPerDevice: 1024 });
    const records = dev.seal(70);
    await l.linker.link(l.message(dev.id, records));
    // Seq 1 is out of the chain's window (64) now, and not in the store: the uncommitted map knows it.
    await l.linker.link(l.message(dev.id, [records[0]!]));
    expect(l.counters.duplicates).toBe(1);
    expect(l.refused).toEqual([]);
    l.linker.forget(l.batch.pending.records);
    // Forgotten and not stored (the commit was lost): behind the head and never stored.
    await l.linker.link(l.message(dev.id, [records[0]!]));
    expect(l.refused.map((r) => r.entry.code)).toEqual(['OUT_OF_ORDER']);
  });

  it('rebuilds a poisoned chain from the store before its next record, and acknowledges nothing meanwhile', async () => {
    const l = await linking(t.store);
    const records = dev.seal(3);
    await l.linker.link(l.message(dev.id, records.slice(0, 2)));
    // The commit of 1-2 failed: the store has nothing.
    l.linker.poison(dev.id);
    expect(l.linker.ackHead(dev.id)).toBeUndefined();
    l.batch.pending.dropDevices(new Set([dev.id]));
    await l.linker.link(l.message(dev.id, [records[2]!]));
    // The new chain starts from the (empty) store: 3 waits behind the gap 1-2.
    expect(l.rebuilt).toEqual([dev.id, dev.id]);
    expect(l.batch.pending.records).toEqual([]);
    expect(l.linker.chain(dev.id)?.missing()).toEqual({ from: 1, to: 2 });
    l.gaps.close();
  });

  it('quarantines a line whose record is not canonical under the device it claims', async () => {
    const l = await linking(t.store);
    const [r] = dev.seal(1);
    const message = l.message(dev.id, [r!]);
    const bytes = new Uint8Array([...r!.bytes, 0x20]);
    message.envelopes = [{ line: encodeEnvelope({ ...r!, bytes }), signed: { bytes, signature: r!.signature } }];
    await l.linker.link(message);
    expect(l.refused).toHaveLength(1);
    expect(l.refused[0]!.problem?.device).toBe(dev.id);
    expect(l.batch.pending.records).toEqual([]);
  });
});
