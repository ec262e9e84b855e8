/** Gaps: resend requests, giving a gap up after its timeout, and (in a group) continuing from the store. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linking, storeDirectly, type Linking } from './linking.ts';
import { openTestStore, provision, TestDevice, type TestStore } from './support.ts';

let t: TestStore;
let dev: TestDevice;
let l: Linking | undefined;
beforeEach(async () => {
  t = await openTestStore();
  dev = new TestDevice('hz-h001-gw-01');
  await provision(t.store, dev);
});
afterEach(async () => {
  l?.gaps.close();
  await t.cleanup();
});

const seqs = (records: Array<{ seq: number }>) => records.map((r) => r.seq);

describe('GapWatch', () => {
  it('asks the device once per gap, not again while the gap narrows, and anew for the next gap', async () => {
    l = await linking(t.store);
    const records = dev.seal(8);
    await l.linker.link(l.message(dev.id, [records[0]!, records[4]!]));
    expect(l.resends).toEqual([{ device: dev.id, from: 2, to: 4 }]);
    // 3 arrives: the first gap is 2 now, within what was asked.
    await l.linker.link(l.message(dev.id, [records[2]!]));
    expect(l.linker.chain(dev.id)?.gap).toMatchObject({ from: 2, to: 2 });
    expect(l.resends).toHaveLength(1);
    // The missing ones come: no gap is left.
    await l.linker.link(l.message(dev.id, [records[1]!, records[3]!]));
    expect(seqs(l.batch.pending.records)).toEqual([1, 2, 3, 4, 5]);
    expect(l.linker.chain(dev.id)?.gap).toBeUndefined();
    // 8 arrives: a new gap, 6-7, is asked for.
    await l.linker.link(l.message(dev.id, [records[7]!]));
    expect(l.resends).toEqual([
      { device: dev.id, from: 2, to: 4 },
      { device: dev.id, from: 6, to: 7 },
    ]);
  });

  it('gives a gap up after gapTimeoutMs: a SEQUENCE_GAP problem, and the held records are stored', async () => {
    l = await linking(t.store, { gapTimeoutMs: 60_000 });
    const records = dev.seal(4);
    await l.linker.link(l.message(dev.id, [records[0]!, records[2]!, records[3]!]));
    // Before the timeout a check only waits longer.
    l.clock.now += 59_999;
    await l.gaps.check(dev.id);
    expect(seqs(l.batch.pending.records)).toEqual([1]);
    l.clock.now += 1;
    await l.gaps.check(dev.id);
    expect(seqs(l.batch.pending.records)).toEqual([1, 3, 4]);
    expect([...l.batch.pending.problems.values()].map((p) => [p.code, p.seq])).toEqual([['SEQUENCE_GAP', 2]]);
    expect(l.counters.gapsGivenUp).toBe(1);
    expect(l.linker.chain(dev.id)?.gap).toBeUndefined();
    // The record that was given up still arrives, late: quarantined, not linked.
    await l.linker.link(l.message(dev.id, [records[1]!]));
    expect(l.refused.map((r) => r.entry.code)).toEqual(['OUT_OF_ORDER']);
  });

  it('runs the check through the linking queue when its timer fires', async () => {
    l = await linking(t.store, { gapTimeoutMs: 20 });
    const records = dev.seal(3);
    await l.linker.link(l.message(dev.id, [records[0]!, records[2]!]));
    expect(l.checks).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(l.checks).toHaveLength(1);
    l.clock.now += 20;
    await l.runChecks();
    expect(seqs(l.batch.pending.records)).toEqual([1, 3]);
  });

  it('in a group, looks at the store before asking the device, and continues from the store when it is ahead', async () => {
    l = await linking(t.store, { sharedGroup: 'ingest', gapRecheckMs: 1000 });
    const records = dev.seal(4);
    await l.linker.link(l.message(dev.id, [records[2]!, records[3]!]));
    // No resend yet: the other process may have 1-2. The store is looked at at once.
    expect(l.resends).toEqual([]);
    await new Promise((r) => setTimeout(r, 10));
    expect(l.checks).toHaveLength(1);
    // The other process stored 1-2 meanwhile.
    await storeDirectly(t.store, records.slice(0, 2));
    await l.runChecks();
    expect(l.counters.resyncs).toBe(1);
    expect(seqs(l.batch.pending.records)).toEqual([3, 4]);
    expect(l.resends).toEqual([]);
    expect(l.linker.chain(dev.id)?.gap).toBeUndefined();
  });

  it('in a group, asks the device once the store did not have the records after gapRecheckMs', async () => {
    l = await linking(t.store, { sharedGroup: 'ingest', gapRecheckMs: 1000 });
    const records = dev.seal(3);
    await l.linker.link(l.message(dev.id, [records[2]!]));
    await l.gaps.check(dev.id);
    expect(l.resends).toEqual([]);
    l.clock.now += 1000;
    await l.gaps.check(dev.id);
    expect(l.resends).toEqual([{ device: dev.id, from: 1, to: 2 }]);
  });

  it("looks at the store at once when another process's ack covers the gap, not for an ack below it", async () => {
    l = await linking(t.store, { sharedGroup: 'ingest' });
    const records = dev.seal(5);
    await l.linker.link(l.message(dev.id, [records[0]!, records[3]!]));
    l.checks.splice(0);
    l.gaps.peerAck(dev.id, 1);
    expect(l.checks).toHaveLength(0);
    l.gaps.peerAck(dev.id, 3);
    expect(l.checks).toHaveLength(1);
    l.gaps.peerAck('hz-h001-gw-unknown', 3);
    expect(l.checks).toHaveLength(1);
  });
});
