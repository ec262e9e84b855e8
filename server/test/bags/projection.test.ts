/**
 * The bag projection on real stores (SQLite file, PostgreSQL schema): the golden chain projects to
 * exactly what reconstructTrail gives, whatever order and grouping its records arrive in; tags that
 * turn out to be a bag's second tag or a turnover box leave no rows behind; group weights are shared.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@wastetrail/firmware-protocol';
import { BagProjection, summarizeBag } from '../../src/bags/index.ts';
import { reconstructTrail } from '../../src/custody/index.ts';
import type { AcceptedRecord } from '../../src/ingest/index.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { openFreshPg, openTempSqlite, pgReachable, type TestStore } from '../store/open.ts';
import {
  BAG_A,
  BAG_B,
  BOX,
  commit,
  epc,
  goldenChain,
  goldenTrailRecords,
  newRecord,
  packed,
  pickedUp,
  received,
  registerStations,
  registerVectorDevices,
  seal,
  seedWorld,
  stations,
  stored,
} from './support.ts';

const available = await pgReachable();

async function withStore<T>(open: () => Promise<TestStore>, run: (store: CustodyStore) => Promise<T>): Promise<T> {
  const opened = await open();
  try {
    await seedWorld(opened.store);
    return await run(opened.store);
  } finally {
    await opened.cleanup();
  }
}

/** Feeds records as ingest commits them: stored, then projected, batch by batch. */
async function feed(store: CustodyStore, batches: AcceptedRecord[][]): Promise<BagProjection> {
  const projection = new BagProjection({ store });
  for (const batch of batches) await commit(store, batch, (records) => projection.projectAccepted(records));
  return projection;
}

/** Everything the projection holds: every row and every trail. */
async function snapshot(store: CustodyStore) {
  const { bags, total } = await store.searchBags({ limit: 1000 });
  return { total, bags, trails: await Promise.all(bags.map((b) => store.bagTrail(b.bag))) };
}

/** A seeded shuffle, and a seeded split into commits of 1 to 4 records. */
function shuffledBatches(records: readonly AcceptedRecord[], seed: number): AcceptedRecord[][] {
  const random = seededRandom(seed);
  const order = [...records];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const batches: AcceptedRecord[][] = [];
  for (let i = 0; i < order.length; ) {
    const n = 1 + Math.floor(random() * 4);
    batches.push(order.slice(i, i + n));
    i += n;
  }
  return batches;
}

function projectionContract(open: () => Promise<TestStore>): void {
  it('projects the golden chain to what reconstructTrail gives: two bags, every step, no other row', async () => {
    await withStore(open, async (store) => {
      await registerVectorDevices(store);
      await feed(store, goldenChain().map((r) => [r]));
      const all = goldenTrailRecords();
      for (const bag of [BAG_A, BAG_B]) {
        const expected = reconstructTrail(all, bag);
        expect(await store.bagTrail(bag)).toEqual(expected);
        expect(await store.bag(bag)).toEqual(summarizeBag(expected, { timeZone: 'Asia/Shanghai' }));
      }
      expect(await store.bag(BAG_A)).toEqual({
        bag: BAG_A,
        tags: [BAG_A],
        institution: 'hz-h001',
        department: 'ICU',
        category: 'infectious',
        state: 'disposed',
        sealedAt: '2026-03-02T08:10:00.000Z',
        sealedGrams: 1250,
        // 16:10 in Hangzhou.
        sealedDay: '2026-03-02',
        lastStep: 'disposed',
        lastStepAt: '2026-03-02T09:50:00.000Z',
        pickedUpAt: '2026-03-02T09:20:00.000Z',
        receivedAt: '2026-03-02T09:30:00.000Z',
        receivedGrams: 1246,
        disposedAt: '2026-03-02T09:50:00.000Z',
        vehicle: 'ZA-A1234',
        manifest: 'HZ2026030200017',
        disposalInstitution: 'hz-h001',
        anomalies: 0,
      });
      // The amending correction: sealed as infectious, corrected to sharps.
      expect(await store.bag(BAG_B)).toMatchObject({ category: 'sharps', sealedGrams: 830, receivedGrams: 829, state: 'disposed' });
      expect((await store.searchBags({})).total).toBe(2);
      expect(await store.bagByTag(BOX)).toBeUndefined();
      expect(await store.dailyMassBalance('hz-h001', '2026-03-01', '2026-03-03')).toEqual([{ day: '2026-03-02', bags: 2, sealedGrams: 2080, received: 2, receivedGrams: 2075 }]);
    });
  });

  it('ends the same whatever order and grouping the golden chain arrives in', async () => {
    const inOrder = await withStore(open, async (store) => {
      await registerVectorDevices(store);
      await feed(store, [goldenChain()]);
      return snapshot(store);
    });
    expect(inOrder.total).toBe(2);
    for (const seed of [1, 2, 3, 4, 5]) {
      const shuffled = await withStore(open, async (store) => {
        await registerVectorDevices(store);
        await feed(store, shuffledBatches(goldenChain(), seed));
        return snapshot(store);
      });
      expect(shuffled, `seed ${seed}`).toEqual(inOrder);
    }
  });

  it('drops the row of a tag seen before its bag was sealed, or that turned out to be a turnover box', async () => {
    await withStore(open, async (store) => {
      const s = stations();
      await registerStations(store, s);
      const T = Date.parse('2026-03-02T01:00:00.000Z');
      const [A1, A2] = [epc(1), epc(2)];
      const projection = new BagProjection({ store });
      const project = (r: AcceptedRecord) => commit(store, [r], (rs) => projection.projectAccepted(rs));

      // The storage keeper scans the QR label of a bag whose sealing record has not arrived yet.
      const early = await project(s.store.record(stored([{ tag: 'qr:L1' }], 900), T + 3_600_000));
      expect(early.trails.map((t) => [t.bag, t.state, t.anomalies.map((a) => a.kind)])).toEqual([['qr:L1', 'stored', ['NOT_SEALED']]]);
      // The seal comes: the bag is its first tag, the QR label its second.
      const sealed = await project(s.ward.record(seal([A1, 'qr:L1'], 900), T));
      expect(sealed.removed).toEqual(['qr:L1']);
      expect((await store.searchBags({})).bags.map((b) => [b.bag, b.state, b.anomalies])).toEqual([[A1, 'stored', 0]]);
      expect(await store.bagByTag('qr:L1')).toMatchObject({ bag: A1, tags: [A1, 'qr:L1'] });

      // A box is picked up before the record that packed the bag into it arrives.
      await project(s.ward.record(seal([A2], 700), T + 60_000));
      await project(s.crew.record(pickedUp([BOX], 1700), T + 7_200_000));
      expect(await store.bag(BOX)).toMatchObject({ state: 'picked-up', anomalies: 1 });
      const box = await project(s.store.record(packed(BOX, [A1, A2]), T + 5_000_000));
      // Every id found not to be a bag is named (rows deleted where there were any).
      expect(box.removed).toEqual([BOX, 'qr:L1']);
      const rows = (await store.searchBags({})).bags;
      expect(rows.map((b) => [b.bag, b.state, b.vehicle])).toEqual([
        [A2, 'picked-up', 'ZA-A1234'],
        [A1, 'picked-up', 'ZA-A1234'],
      ]);
    });
  });

  it('shares a weight taken of several bags at once over them, in proportion to their sealed weights', async () => {
    await withStore(open, async (store) => {
      const s = stations();
      await registerStations(store, s);
      const T = Date.parse('2026-03-02T01:00:00.000Z');
      const [B1, B2] = [epc(11), epc(12)];
      const projection = new BagProjection({ store });
      await commit(store, [s.ward.record(seal([B1], 1000), T), s.ward.record(seal([B2], 3000), T + 60_000)], (rs) => projection.projectAccepted(rs));
      await commit(store, [s.line.record(received([{ tag: B1 }, { tag: B2 }], 3900), T + 86_400_000)], (rs) => projection.projectAccepted(rs));
      expect((await store.bag(B1))?.receivedGrams).toBe(975);
      expect((await store.bag(B2))?.receivedGrams).toBe(2925);
      expect(await store.dailyMassBalance('hz-h001', '2026-03-02', '2026-03-02')).toEqual([{ day: '2026-03-02', bags: 2, sealedGrams: 4000, received: 2, receivedGrams: 3900 }]);
    });
  });

  it('rebuilds the whole projection from the stored records', async () => {
    await withStore(open, async (store) => {
      await registerVectorDevices(store);
      await store.appendRecords({ records: goldenChain().map(newRecord), quarantine: [], acks: [] });
      expect((await store.searchBags({})).total).toBe(0);
      const read = await new BagProjection({ store }).rebuildAll();
      expect(read).toBe(goldenChain().length);
      expect(await store.bagTrail(BAG_B)).toEqual(reconstructTrail(goldenTrailRecords(), BAG_B));
    });
  });
}

describe('the bag projection on SQLite', () => {
  projectionContract(openTempSqlite);
});

describe('the bag projection on PostgreSQL', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(available)) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (database test): these tests need it, as the README says');
  });
  projectionContract(openFreshPg);
});
