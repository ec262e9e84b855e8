/** The pending batch: what the next group commit writes and whom it acknowledges. */
import { describe, expect, it } from 'vitest';
import { PendingBatch, recordKey } from '../../src/ingest/pending-batch.ts';
import { TestDevice } from './support.ts';

const a = new TestDevice('hz-h001-pb-a');
const b = new TestDevice('hz-h001-pb-b');
const [a1, a2] = a.seal(2);
const [b1] = b.seal(1);

describe('PendingBatch', () => {
  it('takes an accepted record as a row to store, a record for the hooks, an ack and a receipt', () => {
    const batch = new PendingBatch();
    expect(batch.isEmpty()).toBe(true);
    batch.accept(a1!, '2026-03-02T08:00:01.000Z');
    batch.accept(a2!, '2026-03-02T08:00:02.000Z');
    expect(batch.records.map((r) => [r.device, r.seq, r.hash, r.prev, r.type])).toEqual([
      [a.id, 1, a1!.hash, a1!.record.prev, 'sealed'],
      [a.id, 2, a2!.hash, a1!.hash, 'sealed'],
    ]);
    expect(batch.records[0]!.bytes).toBe(a1!.bytes);
    expect(batch.records[0]!.tags).toEqual(['epc:000000000000000000000001']);
    expect(batch.accepted.map((r) => [r.record.seq, r.receivedAt, r.tags])).toEqual([
      [1, '2026-03-02T08:00:01.000Z', ['epc:000000000000000000000001']],
      [2, '2026-03-02T08:00:02.000Z', ['epc:000000000000000000000002']],
    ]);
    expect([...batch.ack]).toEqual([a.id]);
    expect([...batch.receipts.get(a.id)!]).toEqual([1, 2]);
    // last_seen_at: the newest arrival.
    expect(batch.seen.get(a.id)).toBe('2026-03-02T08:00:02.000Z');
    expect(batch.size).toBe(2);
    expect(batch.isEmpty()).toBe(false);
  });

  it('counts refusals in its size, and is not empty with only an ack or a problem to send', () => {
    const refused = new PendingBatch();
    refused.quarantined({ receivedAt: '2026-03-02T08:00:00.000Z', code: 'NOT_UTF8', message: 'x', payload: new Uint8Array([0xff]), payloadBytes: 1 });
    expect(refused.size).toBe(1);
    const resend = new PendingBatch();
    resend.resent(a.id, 1);
    expect(resend.size).toBe(0);
    expect(resend.isEmpty()).toBe(false);
    expect([...resend.receipts.get(a.id)!]).toEqual([1]);
    const problem = new PendingBatch();
    problem.problem({ device: a.id, code: 'BAD_SIGNATURE', message: 'x', at: '2026-03-02T08:00:00.000Z' });
    expect(problem.isEmpty()).toBe(false);
  });

  it('keeps one problem per device and code: the last one noted', () => {
    const batch = new PendingBatch();
    batch.problem({ device: a.id, code: 'BAD_SIGNATURE', message: 'first', seq: 1, at: '2026-03-02T08:00:00.000Z' });
    batch.problem({ device: a.id, code: 'BAD_SIGNATURE', message: 'second', seq: 2, at: '2026-03-02T08:00:01.000Z' });
    batch.problem({ device: a.id, code: 'WRONG_KEY', message: 'other code', at: '2026-03-02T08:00:01.000Z' });
    batch.problem({ device: b.id, code: 'BAD_SIGNATURE', message: 'other device', at: '2026-03-02T08:00:01.000Z' });
    expect([...batch.problems.values()].map((p) => [p.device, p.code, p.message])).toEqual([
      [a.id, 'BAD_SIGNATURE', 'second'],
      [a.id, 'WRONG_KEY', 'other code'],
      [b.id, 'BAD_SIGNATURE', 'other device'],
    ]);
  });

  it('drops every record, ack and receipt of devices whose commit failed, and keeps the others', () => {
    const batch = new PendingBatch();
    batch.accept(a1!, '2026-03-02T08:00:01.000Z');
    batch.accept(b1!, '2026-03-02T08:00:01.000Z');
    batch.accept(a2!, '2026-03-02T08:00:02.000Z');
    const dropped = batch.dropDevices(new Set([a.id]));
    expect(dropped.map((r) => recordKey(r.device, r.seq))).toEqual([recordKey(a.id, 1), recordKey(a.id, 2)]);
    expect(batch.records.map((r) => r.device)).toEqual([b.id]);
    expect(batch.accepted.map((r) => r.record.device)).toEqual([b.id]);
    expect([...batch.ack]).toEqual([b.id]);
    expect([...batch.receipts.keys()]).toEqual([b.id]);
  });
});
