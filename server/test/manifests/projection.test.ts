/**
 * The manifest projection on SQLite and PostgreSQL: whatever order and grouping its records arrive in,
 * the stored manifest is the same; a full rebuild gives it again; the producer's thresholds judge it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptedRecord } from '../../src/ingest/index.ts';
import { ManifestProjection } from '../../src/manifests/index.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { commit, g, registerStations, seedWorld, stations } from '../bags/support.ts';
import { openFreshPg, openTempSqlite, pgReachable, type TestStore } from '../store/open.ts';

const M = 'HZ2026030200099';
const X = 'epc:3074257bf7194e4000006001';
const Y = 'epc:3074257bf7194e4000006002';
const available = await pgReachable();

/** The lifecycle as the four stations sign it: one bag 8 % light at intake (beyond the 2 % tolerance, within 10 %). */
function lifecycle(s: ReturnType<typeof stations>): AcceptedRecord[] {
  return [
    s.store.record({ type: 'manifest-issued', body: { manifest: M, version: 1, producer: 'hz-h001', transporter: 'hz-t001', receiver: 'hz-d001', vehicle: '浙A12345', bags: [{ tag: X, category: 'infectious', weight: g(2000) }, { tag: Y, category: 'sharps', weight: g(1000) }], weight: g(3000), issuer: 'badge-0303' } }, '2026-03-02T02:00:00.000Z'),
    s.crew.record({ type: 'picked-up', body: { bags: [{ tag: X }, { tag: Y }], weight: g(3000), giver: 'badge-0303', crew: 'crew-5501', vehicle: '浙A12345', manifest: M } }, '2026-03-02T02:30:00.000Z'),
    s.line.record({ type: 'manifest-received', body: { manifest: M, vehicle: '浙A12345', accepted: [{ tag: X, weight: g(1840) }, { tag: Y, weight: g(1000) }], refused: [], operator: 'op-7001' } }, '2026-03-02T04:00:00.000Z'),
    s.line.record({ type: 'manifest-closed', body: { manifest: M, outcome: 'processed', operator: 'op-7001' } }, '2026-03-02T05:00:00.000Z'),
  ];
}

for (const [name, open, skip] of [
  ['SQLite', openTempSqlite, false],
  ['PostgreSQL', openFreshPg, !available],
] as const) {
  describe.skipIf(skip)(`the manifest projection on ${name}`, () => {
    let opened: TestStore;
    let store: CustodyStore;
    let records: AcceptedRecord[];
    let signing: ReturnType<typeof stations>;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await seedWorld(store);
      signing = stations();
      records = lifecycle(signing);
      await registerStations(store, signing);
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it('ends the same whatever order and grouping the records arrive in, and a rebuild gives it again', async () => {
      const projection = new ManifestProjection({ store });
      // Closing first, then the receipt and the issue together, the pickup last.
      for (const group of [[records[3]!], [records[2]!, records[0]!], [records[1]!]]) await commit(store, group, (rs) => projection.projectAccepted(rs));
      const shuffled = await store.manifest(M);
      expect(shuffled).toMatchObject({ status: 'processed', acceptance: 'whole', acceptedGrams: 2840, missingSteps: [] });
      expect(shuffled!.signatures.map((s) => `${s.step}@${s.institution}`)).toEqual(['issued@hz-h001', 'picked-up@hz-t001', 'received@hz-d001', 'closed@hz-d001']);
      expect(shuffled!.discrepancies).toEqual([{ kind: 'weight', severity: 'warning', stage: 'receipt', declaredGrams: 3000, receivedGrams: 2840, percent: 5.3 }]);

      const again = new ManifestProjection({ store });
      expect(await again.rebuildAll()).toBe(4);
      expect(await store.manifest(M)).toEqual(shuffled);
      // The same records again (a redelivery): nothing changes.
      await again.projectAccepted(records);
      expect(await store.manifest(M)).toEqual(shuffled);
    });

    it("judges with the producer's thresholds: a 5 % rule makes the same receipt a discrepancy", async () => {
      const projection = new ManifestProjection({ store, thresholdsOf: (i) => (i === 'hz-h001' ? { weightPercent: 5, tolerancePercent: 1 } : { weightPercent: 50, tolerancePercent: 50 }) });
      await commit(store, records, (rs) => projection.projectAccepted(rs));
      expect((await store.manifest(M))!.discrepancies.map((d) => d.severity)).toEqual(['discrepancy']);
      expect((await store.searchManifests({ discrepant: true })).total).toBe(1);
    });

    it('a record of a device the keyring does not know is left out; custody records that name no manifest are none of its business', async () => {
      const projection = new ManifestProjection({ store });
      const unknown = { ...records[2]!, record: { ...records[2]!.record, device: 'hz-d001-unknown' } };
      const seal = signing.ward.record({ type: 'sealed', body: { tags: [X], category: 'infectious', weight: g(2000), department: 'ICU', staff: 'badge-0101' } }, '2026-03-02T01:00:00.000Z');
      expect(await projection.projectAccepted([seal])).toEqual([]);
      expect(await projection.projectAccepted([unknown as AcceptedRecord])).toEqual([]);
      expect(await store.manifest(M)).toBeUndefined();
    });
  });
}
