/**
 * The change feed and its webhook subscriptions, as every CustodyStore must keep them: run by
 * sqlite.test.ts and pg.test.ts next to the main contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustodyStore } from '../../src/store/index.ts';
import { buildManifest } from '../../src/manifests/manifest.ts';
import { alertRow } from '../api/support.ts';
import { bagTag, issued, partialRefusal, pickedUp } from '../manifests/support.ts';
import { bagSummary, h, record, seedPlaces, type OpenedStore } from './contract.ts';

export function changeFeedContract(open: () => Promise<OpenedStore>): void {
  describe('the change feed', () => {
    let opened: OpenedStore;
    let store: CustodyStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await seedPlaces(store);
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const feed = async (after = 0) => (await store.changesAfter(after, 1000)).map((c) => `${c.kind}:${c.key}`);

    it('notes each stored record, each bag write that changes the bag, its removal, and alert writes that bump the revision, in commit order', async () => {
      expect(await store.lastChangeId()).toBe(0);
      // A heartbeat (seq 3) is no change: not custody, and most of what devices send.
      await store.appendRecords({ records: [record('dev-a', 1, h('1'), ['epc:00000001']), record('dev-a', 2, h('2')), { ...record('dev-a', 3, h('3')), type: 'heartbeat', body: { uptime: 5, backlog: 0 } }], quarantine: [], acks: [] });
      // The same records again (a resend) store nothing and note nothing.
      await store.appendRecords({ records: [record('dev-a', 1, h('1'), ['epc:00000001'])], quarantine: [], acks: [] });
      const [r1, r2, beat] = await store.recordsAfter(0, 10);
      expect(beat!.type).toBe('heartbeat');
      await store.upsertBags([bagSummary({ bag: 'epc:00000001' })]);
      // Written again unchanged (a projection rebuild): no change.
      await store.upsertBags([bagSummary({ bag: 'epc:00000001' })]);
      await store.upsertBags([bagSummary({ bag: 'epc:00000001', state: 'collected', lastStep: 'collected' })]);
      const alert = (await store.insertAlert(alertRow({ rule: 'device-silent', dedupeKey: 'device-silent:device:dev-a', subject: 'device:dev-a', institution: 'hz-h001' })))!;
      // Sightings bump no revision: an evaluation that found the condition again is not news.
      await store.recordAlertSightings([alert.id], '2026-03-04T01:00:00.000Z');
      await store.updateAlert({ ...alert, status: 'acknowledged', acknowledgedAt: '2026-03-04T02:00:00.000Z', acknowledgedBy: 'someone' });
      await store.upsertBags([], { remove: ['epc:00000001'] });
      expect(await feed()).toEqual([`record:${r1!.id}`, `record:${r2!.id}`, 'bag:epc:00000001', 'bag:epc:00000001', `alert:${alert.id}`, `alert:${alert.id}`, 'bag:epc:00000001']);

      const all = await store.changesAfter(0, 1000);
      expect(all.map((c) => c.id)).toEqual([...all.map((c) => c.id)].sort((a, b) => a - b));
      expect(await store.lastChangeId()).toBe(all.at(-1)!.id);
      // A cursor skips what came before it, a limit pages.
      expect(await store.changesAfter(all[1]!.id, 2)).toEqual(all.slice(2, 4));
      expect(await store.changesAfter(all.at(-1)!.id, 10)).toEqual([]);
      expect(await store.recordById(r2!.id)).toEqual(r2);
      expect(await store.recordById(r2!.id + 1000)).toBeUndefined();
    });

    it('notes each manifest the projection stores and each write that changes it, not one that rewrites it as it was', async () => {
      const issuedOnly = buildManifest('M-1', [issued('M-1', '2026-03-02T02:00:00.000Z', [{ tag: bagTag(1), grams: 1000 }])])!;
      const whole = buildManifest('M-1', partialRefusal('M-1'))!;
      const other = buildManifest('M-2', [pickedUp('M-2', '2026-03-03T02:00:00.000Z', [bagTag(8)], 300)])!;
      await store.upsertManifests([issuedOnly, other]);
      // A projection rebuild writes them again as they were: no change.
      await store.upsertManifests([issuedOnly, other]);
      await store.upsertManifests([whole]);
      // A change in the manifest alone (not a column drawn from it) is a change too.
      await store.upsertManifests([{ ...whole, missingSteps: ['picked-up'] }]);
      expect(await feed()).toEqual(['manifest:M-1', 'manifest:M-2', 'manifest:M-1', 'manifest:M-1']);
    });

    it('keeps subscriptions: what was acknowledged never moves back, failures back off, one deliverer holds the lease', async () => {
      const user = await store.createUser({ username: 'province', passwordHash: 'x', role: 'regulator', scope: 'hz', createdAt: '2026-03-04T00:00:00.000Z' });
      const s = await store.insertSubscription({ userId: user.id, url: 'https://platform.example/hook', secret: 'k'.repeat(43), kinds: ['record', 'alert'], createdAt: '2026-03-04T00:00:00.000Z', deliveredThrough: 7 });
      expect(s).toEqual({ id: s.id, userId: user.id, url: 'https://platform.example/hook', secret: 'k'.repeat(43), kinds: ['record', 'alert'], createdAt: '2026-03-04T00:00:00.000Z', deliveredThrough: 7, failures: 0, nextAttemptAt: '2026-03-04T00:00:00.000Z', lastError: null });
      expect(await store.subscriptions({ userId: user.id })).toEqual([s]);
      expect(await store.subscriptions({ userId: user.id + 1 })).toEqual([]);

      expect(await store.leaseSubscription(s.id, '2026-03-04T00:00:00.000Z', '2026-03-04T00:01:00.000Z')).toBe(true);
      expect(await store.leaseSubscription(s.id, '2026-03-04T00:00:30.000Z', '2026-03-04T00:01:30.000Z')).toBe(false);
      await store.recordDelivery(s.id, { failures: 1, nextAttemptAt: '2026-03-04T00:00:02.000Z', lastError: 'HTTP 500' });
      expect(await store.subscription(s.id)).toMatchObject({ deliveredThrough: 7, failures: 1, nextAttemptAt: '2026-03-04T00:00:02.000Z', lastError: 'HTTP 500' });
      // The outcome released the lease; an expired lease is free too.
      expect(await store.leaseSubscription(s.id, '2026-03-04T00:00:03.000Z', '2026-03-04T00:01:03.000Z')).toBe(true);
      expect(await store.leaseSubscription(s.id, '2026-03-04T00:01:04.000Z', '2026-03-04T00:02:04.000Z')).toBe(true);
      await store.releaseSubscription(s.id);
      expect(await store.leaseSubscription(s.id, '2026-03-04T00:01:05.000Z', '2026-03-04T00:02:05.000Z')).toBe(true);
      await store.recordDelivery(s.id, { deliveredThrough: 12 });
      await store.recordDelivery(s.id, { deliveredThrough: 9 });
      expect(await store.subscription(s.id)).toMatchObject({ deliveredThrough: 12, failures: 0, lastError: null });

      expect(await store.deleteSubscription(s.id)).toBe(true);
      expect(await store.deleteSubscription(s.id)).toBe(false);
      expect(await store.subscription(s.id)).toBeUndefined();
    });
  });
}
