/** After a commit: integrity findings to the alerting hook or the alert book, and the onAccepted hooks. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AfterCommit } from '../../src/ingest/after-commit.ts';
import type { IntegrityFinding } from '../../src/ingest/integrity.ts';
import { PendingBatch } from '../../src/ingest/pending-batch.ts';
import { emptyIngestStats } from '../../src/ingest/stats.ts';
import { openTestStore, provision, quiet, TestDevice, type TestStore } from './support.ts';

const dev = new TestDevice('hz-h001-ac-01');
const now = Date.parse('2026-03-02T09:00:00.000Z');
let t: TestStore;

beforeEach(async () => {
  t = await openTestStore();
  await provision(t.store, dev);
});
afterEach(async () => {
  await t.cleanup();
});

const problems = () => {
  const batch = new PendingBatch();
  batch.problem({ device: dev.id, code: 'BAD_SIGNATURE', message: 'signature does not verify', seq: 3, at: '2026-03-02T08:59:00.000Z' });
  batch.problem({ device: 'hz-h001-stranger', code: 'UNKNOWN_DEVICE', message: 'not in the keyring', at: '2026-03-02T08:59:00.000Z' });
  return batch.problems;
};

describe('AfterCommit', () => {
  it('hands findings to the alerting hook, with the institution and jurisdiction of devices the keyring knows', async () => {
    const counters = emptyIngestStats();
    const keyring = await t.store.keyring();
    const after = new AfterCommit({ store: t.store, keyring: () => keyring, counters, log: quiet, now: () => now });
    const seen: IntegrityFinding[][] = [];
    after.onIntegrity((found) => {
      seen.push(found);
    });
    await after.integrity(problems());
    expect(seen).toHaveLength(1);
    expect(seen[0]!.map((f) => [f.device, f.code, f.institution, f.jurisdiction, f.seq])).toEqual([
      [dev.id, 'BAD_SIGNATURE', 'hz-h001', 'hz', 3],
      ['hz-h001-stranger', 'UNKNOWN_DEVICE', undefined, undefined, undefined],
    ]);
    expect(counters.integrityAlerts).toBe(2);
    // The hook decides: nothing was filed behind its back.
    expect(await t.store.unresolvedAlerts()).toEqual([]);
  });

  it('files the findings into the alert book itself when no hook is registered', async () => {
    const keyring = await t.store.keyring();
    const after = new AfterCommit({ store: t.store, keyring: () => keyring, counters: emptyIngestStats(), log: quiet, now: () => now });
    await after.integrity(problems());
    const alerts = await t.store.unresolvedAlerts();
    expect(alerts.map((a) => [a.rule, a.device, a.institution, a.jurisdiction]).sort()).toEqual([
      ['integrity', dev.id, 'hz-h001', 'hz'],
      ['integrity', 'hz-h001-stranger', null, null],
    ]);
  });

  it('runs the onAccepted hooks one after another, awaiting each; a failing hook does not stop the next', async () => {
    const keyring = await t.store.keyring();
    const after = new AfterCommit({ store: t.store, keyring: () => keyring, counters: emptyIngestStats(), log: quiet, now: () => now });
    const order: string[] = [];
    after.onAccepted(async (records) => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(`slow ${records.length}`);
    });
    after.onAccepted(() => {
      order.push('throws');
      throw new Error('custody is down');
    });
    const off = after.onAccepted((records) => {
      order.push(`last ${records.map((r) => r.record.seq).join(',')}`);
    });
    const batch = new PendingBatch();
    for (const r of dev.seal(2)) batch.accept(r, '2026-03-02T08:59:00.000Z');
    await after.accepted(batch.accepted);
    expect(order).toEqual(['slow 2', 'throws', 'last 1,2']);
    off();
    await after.accepted([]);
    await after.accepted(batch.accepted.slice(0, 1));
    expect(order.slice(3)).toEqual(['slow 1', 'throws']);
  });
});
