/** Group commit: one transaction per batch, acks only after it, forks and failures handled. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReceiptRange } from '@wastetrail/firmware-protocol';
import { GroupCommit } from '../../src/ingest/group-commit.ts';
import type { AcceptedRecord } from '../../src/ingest/pending-batch.ts';
import type { Refusal } from '../../src/ingest/quarantine.ts';
import { emptyIngestStats } from '../../src/ingest/stats.ts';
import type { CustodyStore, DeviceAck } from '../../src/store/index.ts';
import { linking, storeDirectly, type Linking } from './linking.ts';
import { eventually, openTestStore, provision, quiet, TestDevice, type TestStore } from './support.ts';

let t: TestStore;
let dev: TestDevice;
beforeEach(async () => {
  t = await openTestStore();
  dev = new TestDevice('hz-h001-gc-01');
  await provision(t.store, dev);
});
afterEach(async () => {
  await t.cleanup();
});

interface Committing {
  commit: GroupCommit;
  l: Linking;
  counters: ReturnType<typeof emptyIngestStats>;
  acks: Array<{ ack: DeviceAck; leaves?: readonly ReceiptRange[] }>;
  resends: Array<{ device: string; from: number }>;
  refused: Refusal[];
  stored: AcceptedRecord[][];
}

async function committing(store: CustodyStore = t.store): Promise<Committing> {
  const out = { counters: emptyIngestStats(), acks: [] as Committing['acks'], resends: [] as Committing['resends'], refused: [] as Refusal[], stored: [] as AcceptedRecord[][] };
  const holder: { l?: Linking } = {};
  const commit = new GroupCommit({
    store,
    batchMs: 5,
    counters: out.counters,
    log: quiet,
    linker: {
      ackHead: (d) => holder.l!.linker.ackHead(d),
      committed: (d, h) => holder.l!.linker.committed(d, h),
      poison: (d) => holder.l!.linker.poison(d),
      forget: (r) => holder.l!.linker.forget(r),
    },
    replies: { ack: (ack, leaves) => out.acks.push({ ack, ...(leaves ? { leaves } : {}) }), resend: (device, from) => out.resends.push({ device, from }) },
    refuse: (r) => out.refused.push(r),
    after: {
      integrity: async () => {},
      accepted: async (records) => {
        if (records.length > 0) out.stored.push(records);
      },
    },
  });
  holder.l = await linking(t.store, {}, commit);
  return { commit, l: holder.l, ...out };
}

const seqs = (records: Array<{ record: { seq: number } }>) => records.map((r) => r.record.seq);

describe('GroupCommit', () => {
  it('writes the batch in one commit, then acks each device at its head with the receipts of its records, then runs the hooks', async () => {
    const c = await committing();
    const records = dev.seal(3);
    await c.l.linker.link(c.l.message(dev.id, records));
    await c.commit.commit();
    expect(await t.store.headOf(dev.id)).toEqual({ seq: 3, hash: records[2]!.hash });
    expect(c.acks).toEqual([{ ack: { device: dev.id, seq: 3, hash: records[2]!.hash }, leaves: [{ seq: 1, count: 3, index: 0 }] }]);
    expect((await t.store.deviceStatus(dev.id))?.ackedSeq).toBe(3);
    expect(c.stored.map(seqs)).toEqual([[1, 2, 3]]);
    expect([c.counters.batches, c.counters.accepted, c.counters.largestBatch]).toEqual([1, 3, 3]);
    expect(c.commit.pending.isEmpty()).toBe(true);
    // Nothing pending: no commit, no ack.
    await c.commit.commit();
    expect(c.counters.batches).toBe(1);
    expect(c.acks).toHaveLength(1);
  });

  it('commits batchMs after the first pending item without being asked', async () => {
    const c = await committing();
    await c.l.linker.link(c.l.message(dev.id, dev.seal(2)));
    c.commit.schedule();
    await eventually(() => c.acks.length === 1, 'the ack of the scheduled commit');
    expect((await t.store.headOf(dev.id))?.seq).toBe(2);
  });

  it('a record another process stored first is a duplicate: counted and acked, not handed to the hooks again', async () => {
    const c = await committing();
    const records = dev.seal(2);
    await c.l.linker.link(c.l.message(dev.id, records));
    await storeDirectly(t.store, records);
    await c.commit.commit();
    expect(c.counters.duplicates).toBe(2);
    expect(c.counters.accepted).toBe(0);
    expect(c.acks.map((a) => a.ack.seq)).toEqual([2]);
    // Their receipts are read from the store: the other process's commit gave them their leaves.
    expect(c.acks[0]!.leaves).toEqual([{ seq: 1, count: 2, index: 0 }]);
    expect(c.stored).toEqual([]);
  });

  it('a different record another process stored at a seq is a FORK: quarantined, nothing acked, the chain rebuilt', async () => {
    const c = await committing();
    await c.l.linker.link(c.l.message(dev.id, dev.seal(1)));
    const twin = new TestDevice(dev.id, dev.stations, dev.signer, 1);
    await storeDirectly(t.store, twin.seal(1));
    await c.commit.commit();
    expect(c.refused.map((r) => [r.entry.code, r.entry.seq, r.problem?.code])).toEqual([['FORK', 1, 'FORK']]);
    expect(c.acks).toEqual([]);
    expect(c.stored).toEqual([]);
    expect(c.l.linker.ackHead(dev.id)).toBeUndefined();
  });

  it('a failed commit acks nothing, drops what its devices linked since, and asks them to resend from the store head', async () => {
    await storeDirectly(t.store, dev.seal(2));
    let fail!: () => void;
    const gate = new Promise<void>((resolve) => (fail = resolve));
    // The real store, whose commit fails (as a full disk would) once the test lets it.
    const failing = Object.assign(Object.create(t.store) as CustodyStore, {
      appendRecords: async () => {
        await gate;
        throw new Error('SQLITE_FULL: database or disk is full');
      },
    });
    const c = await committing(failing);
    const more = dev.seal(3);
    await c.l.linker.link(c.l.message(dev.id, more.slice(0, 2)));
    const committed = c.commit.commit();
    // While the commit of 3-4 runs, 5 is linked into the next batch.
    await c.l.linker.link(c.l.message(dev.id, [more[2]!]));
    expect(c.commit.pending.records.map((r) => r.seq)).toEqual([5]);
    fail();
    await committed;
    expect(c.counters.commitFailures).toBe(1);
    expect(c.acks).toEqual([]);
    expect(c.stored).toEqual([]);
    expect(c.commit.pending.isEmpty()).toBe(true);
    expect(c.resends).toEqual([{ device: dev.id, from: 3 }]);
    // The chain is rebuilt from the store (head 2): 5 waits for 3-4 again.
    await c.l.linker.link(c.l.message(dev.id, [more[2]!]));
    expect(c.commit.pending.records).toEqual([]);
    expect(c.l.linker.chain(dev.id)?.missing()).toEqual({ from: 3, to: 4 });
    c.l.gaps.close();
  });
});
