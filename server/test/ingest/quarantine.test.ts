/** Refusals: the quarantine rows and integrity problems built from what was refused, and where they go. */
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, utf8 } from '@wastetrail/firmware-protocol';
import { PendingBatch } from '../../src/ingest/pending-batch.ts';
import { arrivalRefusal, conflictRefusal, lineRefusal, payloadRefusal, Quarantine } from '../../src/ingest/quarantine.ts';
import { emptyIngestStats } from '../../src/ingest/stats.ts';
import { quiet, TestDevice } from './support.ts';

const dev = new TestDevice('hz-h001-qu-01');
const [r1] = dev.seal(1);
const topic = `wt/v1/dev/${dev.id}/records`;
const origin = { topic, device: dev.id, receivedAt: '2026-03-02T08:00:00.000Z' };

describe('refusals', () => {
  it('a payload refusal keeps the payload and is a problem of the topic device', () => {
    const r = payloadRefusal(origin, { code: 'NOT_UTF8', message: 'payload is not UTF-8 text', payload: new Uint8Array([0xc3, 0x28]), payloadBytes: 2 });
    expect(r.entry).toEqual({ receivedAt: origin.receivedAt, topic, code: 'NOT_UTF8', message: 'payload is not UTF-8 text', device: dev.id, payload: new Uint8Array([0xc3, 0x28]), payloadBytes: 2 });
    expect(r.problem).toEqual({ device: dev.id, code: 'NOT_UTF8', message: 'payload is not UTF-8 text', at: origin.receivedAt });
  });

  it('a line refusal quarantines the line under the device the record claims, the problem goes to the topic device', () => {
    const line = encodeEnvelope(r1!);
    const r = lineRefusal(origin, line, 'TOPIC_MISMATCH', 'another device', 'hz-h001-other', 7);
    expect(r.entry).toMatchObject({ topic, code: 'TOPIC_MISMATCH', device: 'hz-h001-other', seq: 7, payload: utf8(line), payloadBytes: utf8(line).length });
    expect(r.problem).toEqual({ device: dev.id, code: 'TOPIC_MISMATCH', message: 'another device', seq: 7, at: origin.receivedAt });
    expect(lineRefusal(origin, line, 'MALFORMED_RECORD', 'bad', dev.id).entry).not.toHaveProperty('seq');
  });

  it('an arrival refusal names the record by seq and hash; without a device to name there is no problem', () => {
    const arrival = { line: encodeEnvelope(r1!), signed: { bytes: r1!.bytes, signature: r1!.signature }, topic, receivedAt: origin.receivedAt, seq: 1, decoded: r1! };
    const r = arrivalRefusal(arrival, { code: 'BAD_SIGNATURE', message: 'signature does not verify', device: dev.id, seq: 1 });
    expect(r.entry).toMatchObject({ code: 'BAD_SIGNATURE', device: dev.id, seq: 1, topic });
    expect(r.problem).toEqual({ device: dev.id, code: 'BAD_SIGNATURE', message: 'signature does not verify', seq: 1, hash: r1!.hash, at: origin.receivedAt });
    // The device comes from the topic when the error names none.
    expect(arrivalRefusal(arrival, { code: 'MALFORMED_RECORD', message: 'x' }).problem?.device).toBe(dev.id);
    const nowhere = arrivalRefusal({ ...arrival, topic: 'wt/v1/dev/UPPER/records' }, { code: 'MALFORMED_RECORD', message: 'x' });
    expect(nowhere.problem).toBeUndefined();
    expect(nowhere.entry).not.toHaveProperty('device');
  });

  it('a conflict found at commit time is a FORK naming the stored hash', () => {
    const batch = new PendingBatch();
    batch.accept(r1!, origin.receivedAt);
    const r = conflictRefusal(batch.records[0]!, 'ab'.repeat(32));
    expect(r.entry).toMatchObject({ code: 'FORK', device: dev.id, seq: 1, payload: r1!.bytes, payloadBytes: r1!.bytes.length });
    expect(r.entry.message).toContain('abababababababab...');
    expect(r.problem).toMatchObject({ device: dev.id, code: 'FORK', seq: 1 });
  });
});

describe('Quarantine', () => {
  it('counts each refusal by code, puts it and its problem into the pending batch and asks for a commit', () => {
    const counters = emptyIngestStats();
    const pending = new PendingBatch();
    let scheduled = 0;
    const q = new Quarantine(counters, quiet, { pending, schedule: () => scheduled++ });
    q.refuse(payloadRefusal(origin, { code: 'NOT_UTF8', message: 'x', payload: new Uint8Array([0xff]), payloadBytes: 1 }));
    q.refuse(payloadRefusal(origin, { code: 'NOT_UTF8', message: 'y', payload: new Uint8Array([0xfe]), payloadBytes: 1 }));
    q.refuse({ entry: { receivedAt: origin.receivedAt, topic: 'wt/v1/x', code: 'WRONG_TOPIC', message: 'z', payload: new Uint8Array(), payloadBytes: 0 } });
    expect(counters.quarantined).toEqual({ NOT_UTF8: 2, WRONG_TOPIC: 1 });
    expect(pending.quarantine.map((e) => e.code)).toEqual(['NOT_UTF8', 'NOT_UTF8', 'WRONG_TOPIC']);
    expect([...pending.problems.values()].map((p) => p.message)).toEqual(['y']);
    expect(scheduled).toBe(3);
  });
});
