import Database from 'better-sqlite3';
import { join } from 'node:path';
import { GENESIS_PREV, nodeEd25519Verify, verifyChain, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, OutboxError } from '../../src/outbox/outbox.ts';
import { tempDir, testIdentity } from '../support/identity.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(stations: Parameters<typeof testIdentity>[0] = ['department']) {
  const id = testIdentity(stations);
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'outbox.sqlite');
  let clock = Date.parse('2026-03-02T08:00:00.000Z');
  const open = () => {
    const o = new Outbox(file, { deviceId: id.deviceId, signer: id.signer, clock: () => (clock += 1000) });
    cleanups.push(() => o.close());
    return o;
  };
  return { id, file, open };
}

const sealed = (tag: string, grams = 1250): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [tag], category: 'infectious', weight: { value: grams, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});
const tag = (i: number) => `epc:30${i.toString(16).padStart(22, '0')}`;

describe('outbox', () => {
  it('numbers, chains and signs records that the one verifier accepts', () => {
    const { id, open } = setup();
    const o = open();
    expect(o.head()).toEqual({ seq: 0, hash: GENESIS_PREV });
    const a = o.append(sealed(tag(1)));
    const b = o.append({ type: 'heartbeat', body: { uptime: 60, backlog: 1 } });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(JSON.parse(Buffer.from(b.bytes).toString())).toMatchObject({ seq: 2, prev: a.hash, device: id.deviceId, time: '2026-03-02T08:00:02.000Z', kid: id.kid });
    const report = verifyChain(o.iterate(), { keyring: id.keyring, ed25519Verify: nodeEd25519Verify });
    expect(report.failures).toEqual([]);
    expect(report.accepted).toBe(2);
    expect(o.head()).toEqual({ seq: 2, hash: b.hash });
    expect(o.backlog()).toBe(2);
  });

  it('runs in WAL mode: the file says so to any connection', () => {
    const { file, open } = setup();
    open().append(sealed(tag(1)));
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('reopened, it continues the same chain', () => {
    const { id, open } = setup();
    const first = open();
    first.appendMany([sealed(tag(1)), sealed(tag(2))]);
    first.close();
    const again = open();
    const c = again.append(sealed(tag(3)));
    expect(c.seq).toBe(3);
    expect(verifyChain(again.iterate(), { keyring: id.keyring, ed25519Verify: nodeEd25519Verify }).failures).toEqual([]);
  });

  it('two connections on one file continue one chain: the head is read inside each transaction', () => {
    const { id, open } = setup();
    const x = open();
    const y = open();
    for (let i = 0; i < 20; i++) (i % 2 ? x : y).append(sealed(tag(i)));
    const report = verifyChain(x.iterate(), { keyring: id.keyring, ed25519Verify: nodeEd25519Verify });
    expect(report.failures).toEqual([]);
    expect(report.accepted).toBe(20);
  });

  it('belongs to one device: another id is refused', () => {
    const { file, open } = setup();
    open().append(sealed(tag(1)));
    const other = testIdentity();
    expect(() => new Outbox(file, { deviceId: other.deviceId, signer: other.signer })).toThrow(OutboxError);
  });

  it('a record that the server would reject is never committed', () => {
    const { open } = setup();
    const o = open();
    const bad = { type: 'sealed', body: { tags: [], category: 'infectious', weight: { value: 1, unit: 'g' }, department: 'ICU', staff: 'x' } } as CustodyEvent;
    expect(() => o.appendMany([sealed(tag(1)), bad])).toThrow(/refusing to sign/);
    // The whole transaction rolled back: not even the good record before it is there.
    expect(o.head().seq).toBe(0);
    expect(o.append(sealed(tag(2))).seq).toBe(1);
  });

  it('applies server acks only when the hash is ours, and keeps them across restarts', () => {
    const { open } = setup();
    const o = open();
    const recs = o.appendMany([sealed(tag(1)), sealed(tag(2)), sealed(tag(3))]);
    expect(o.acknowledge(2, recs[1]!.hash)).toEqual({ kind: 'advanced', seq: 2 });
    expect(o.acknowledge(1, recs[0]!.hash)).toEqual({ kind: 'stale', seq: 1 });
    expect(o.acknowledge(3, recs[1]!.hash)).toEqual({ kind: 'mismatch', seq: 3, ours: recs[2]!.hash, theirs: recs[1]!.hash });
    expect(o.acknowledge(9, recs[2]!.hash)).toEqual({ kind: 'beyond-head', seq: 9, head: 3 });
    expect(o.ackedSeq()).toBe(2);
    expect(o.backlog()).toBe(1);
    o.close();
    expect(open().ackedSeq()).toBe(2);
  });

  it('keeps receipts of acknowledged records only, never moves one, and lists those no audit proved yet', () => {
    const { open } = setup();
    const o = open();
    const recs = o.appendMany([sealed(tag(1)), sealed(tag(2)), sealed(tag(3))]);
    o.acknowledge(2, recs[1]!.hash);
    // seq 3 is not acknowledged, seq 9 is not ours: neither is kept.
    expect(o.addReceipts([{ seq: 1, index: 10 }, { seq: 2, index: 11 }, { seq: 3, index: 12 }, { seq: 9, index: 13 }])).toBe(2);
    expect(o.addReceipts([{ seq: 1, index: 99 }])).toBe(0);
    expect(o.receipt(1)).toEqual({ leaf: 10, checkpointSize: null });
    expect(o.receipt(3)).toBeUndefined();
    expect(o.unprovenReceipts(10).map((r) => [r.record.seq, r.leaf])).toEqual([[1, 10], [2, 11]]);
    o.markProven([1], 12);
    o.close();
    const again = open();
    expect(again.receipt(1)).toEqual({ leaf: 10, checkpointSize: 12 });
    expect(again.unprovenReceipts(10).map((r) => r.record.seq)).toEqual([2]);
  });

  it('answers what this station already recorded for a tag', () => {
    const { open } = setup(['storage']);
    const o = open();
    const bags = [{ tag: tag(1) }, { tag: tag(2) }];
    o.append({ type: 'stored', body: { bags, weight: { value: 10, unit: 'g' }, keeper: 'k1', room: 'R1' } });
    o.append({ type: 'picked-up', body: { bags: [{ tag: tag(1) }], weight: { value: 5, unit: 'g' }, giver: 'k1', crew: 'c1', vehicle: 'V1', manifest: 'M1' } });
    expect(o.tagHistory(tag(1))).toEqual(['stored', 'picked-up']);
    expect(o.tagHistory(tag(2))).toEqual(['stored']);
    expect(o.tagHistory(tag(3))).toEqual([]);
  });

  it('reads ranges in order with a limit, and lists custody records without heartbeats', () => {
    const { open } = setup();
    const o = open();
    o.appendMany([sealed(tag(1)), { type: 'heartbeat', body: { uptime: 1, backlog: 0 } }, sealed(tag(2)), sealed(tag(3))]);
    expect(o.range(2, 10, 2).map((r) => r.seq)).toEqual([2, 3]);
    expect(o.range(2, 2, 10).map((r) => r.seq)).toEqual([2]);
    expect(o.recentCustody(2).map((r) => r.seq)).toEqual([4, 3]);
    expect(o.recentCustody(10).map((r) => r.type)).toEqual(['sealed', 'sealed', 'sealed']);
  });

  it('without the key it can be read but not written', () => {
    const { id, file, open } = setup();
    open().append(sealed(tag(1)));
    const reader = new Outbox(file, { deviceId: id.deviceId });
    cleanups.push(() => reader.close());
    expect(reader.head().seq).toBe(1);
    expect(() => reader.append(sealed(tag(2)))).toThrow(/without the device key/);
  });
});
