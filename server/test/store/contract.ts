/**
 * What every CustodyStore must do, whatever the database: run by sqlite.test.ts and pg.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, keyId, MemoryTree, nodeHashLookup, parseKeyring, proofNodes, recordHash, recordLeafHash, recordLogEntry, toBase64, toHex, treeRoot, utf8 } from '@wastetrail/firmware-protocol';
import type { BagTrail, CustodyStep } from '../../src/custody/index.ts';
import type { AlertFilter, BagFilter, BagSummary, ClimateSampleRow, CustodyStore, NewAlert, NewRecord, NewViolation } from '../../src/store/index.ts';
import type { DrawFrame, DrawResult } from '../../src/supervision/index.ts';
import { buildManifest } from '../../src/manifests/manifest.ts';
import { bagTag, issued, partialRefusal, pickedUp, PLATE } from '../manifests/support.ts';

export interface OpenedStore {
  store: CustodyStore;
  cleanup(): Promise<void>;
}

export async function seedPlaces(s: CustodyStore): Promise<void> {
  await s.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await s.upsertJurisdiction({ id: 'hz-xh', parent: 'hz', level: 'district', name: 'Xihu' });
  await s.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz-xh' });
}

export function record(device: string, seq: number, hash: string, tags: string[] = []): NewRecord {
  return {
    device,
    seq,
    hash,
    prev: '0'.repeat(64),
    kid: '0123456789abcdef',
    deviceTime: '2026-03-02T08:00:00.000Z',
    receivedAt: '2026-03-02T08:00:01.000Z',
    type: 'sealed',
    bytes: utf8(`{"seq":${seq}}`),
    signature: new Uint8Array(64).fill(seq),
    body: { tags },
    tags,
  };
}

export const h = (c: string) => c.repeat(64);

/** A bag summary as the projection would write it: a bag of hz-h001 sealed on 2 March, still sealed. */
const stepRef = (device: string, seq: number) => ({ device, seq, hash: h(String(seq % 10)) });

/** A step with every field CustodyStep has. */
export const STEP_WITH_EVERY_FIELD: CustodyStep = {
  step: 'received',
  record: stepRef('dev-d', 7),
  time: '2026-03-02T10:00:00.000Z',
  institution: 'hz-d01',
  site: 'line-2',
  holder: { kind: 'disposal-centre', id: 'hz-d01' },
  badges: ['badge-1', 'badge-2'],
  grams: 1234,
  handover: { bags: 3 },
  vehicle: 'ZA-A1234',
  manifest: 'HZ2026030200017',
  method: 'incineration',
  batch: 'B-17',
  viaBox: 'box:9',
  amended: { by: stepRef('dev-k', 3), reason: 'weighed again' },
  dwellMs: 0,
};

/** A trail with every field BagTrail has: a step with every field, a bare one, a voided step, an anomaly. */
export function trailWithEveryField(): BagTrail {
  return {
    bag: 'epc:01',
    tags: ['epc:01', 'qr:01'],
    state: 'voided',
    institution: 'hz-h001',
    department: 'ICU',
    category: 'sharps',
    sealedGrams: 900,
    box: 'box:9',
    steps: [
      { step: 'sealed', record: stepRef('dev-a', 1), time: '2026-03-02T08:00:00.000Z', institution: 'hz-h001', holder: { kind: 'department', id: 'ICU' }, badges: [], handover: { bags: 1, grams: 0 } },
      STEP_WITH_EVERY_FIELD,
    ],
    voided: [{ step: STEP_WITH_EVERY_FIELD, by: stepRef('dev-k', 4), reason: 'test bag' }],
    anomalies: [{ kind: 'STEP_REPEATED', record: stepRef('dev-a', 2), message: 'collected twice' }],
  };
}

export function bagSummary(over: Partial<BagSummary> & { bag: string }): BagSummary {
  return {
    tags: [over.bag],
    institution: 'hz-h001',
    department: 'ICU',
    category: 'infectious',
    state: 'sealed',
    sealedAt: '2026-03-02T01:00:00.000Z',
    sealedGrams: 1000,
    sealedDay: '2026-03-02',
    lastStep: 'sealed',
    lastStepAt: '2026-03-02T01:00:00.000Z',
    pickedUpAt: null,
    receivedAt: null,
    receivedGrams: null,
    disposedAt: null,
    vehicle: null,
    manifest: null,
    disposalInstitution: null,
    anomalies: 0,
    ...over,
  };
}

const ALERT_KEY = 'storage-overdue:bag:epc:0a';
/** An open storage-overdue alert of hz-h001 as the alert book would insert it. */
export const alertDraft = (over: Partial<NewAlert> = {}): NewAlert => ({
  rule: 'storage-overdue',
  severity: 'warning',
  currentSeverity: 'warning',
  dedupeKey: ALERT_KEY,
  subject: 'bag:epc:0a',
  title: 'Bag epc:0a has been in storage for 36 h',
  messageKey: 'storage-overdue',
  params: { bag: 'epc:0a', hours: 36 },
  institution: 'hz-h001',
  jurisdiction: 'hz-xh',
  bag: 'epc:0a',
  device: null,
  status: 'open',
  escalationLevel: 1,
  openedAt: '2026-03-03T20:00:00.000Z',
  awaitingAckSince: '2026-03-03T20:00:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  acknowledgeNote: null,
  resolvedAt: null,
  resolvedBy: null,
  note: null,
  since: '2026-03-02T08:00:00.000Z',
  conditionClearedAt: null,
  evidence: [{ device: 'dev-a', seq: 3, hash: h('c') }, { device: 'dev-a', seq: 4 }],
  occurrences: 1,
  lastSeenAt: '2026-03-03T20:00:00.000Z',
  details: { escalations: [{ level: 2, at: '2026-03-04T04:00:00.000Z' }] },
  ...over,
});

export function storeContract(open: () => Promise<OpenedStore>): void {
  let opened: OpenedStore;
  let store: CustodyStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it('enforces references between places', async () => {
    await expect(store.upsertInstitution({ id: 'x', name: 'X', kind: 'clinic', jurisdiction: 'nowhere' })).rejects.toThrow();
  });

  describe('records', () => {
    it('appends a batch in one transaction, idempotent on (device, seq), and indexes tags', async () => {
      const out = await store.appendRecords({
        records: [record('dev-a', 1, h('a'), ['epc:00112233']), record('dev-a', 2, h('b'), ['epc:00112233', 'qr:X1']), record('dev-b', 1, h('c'))],
        quarantine: [],
        acks: [{ device: 'dev-a', seq: 2, hash: h('b') }],
        seen: [{ device: 'dev-a', at: '2026-03-02T08:00:01.000Z' }],
      });
      expect(out).toEqual({ stored: 3, duplicates: [], conflicts: [], acks: [{ device: 'dev-a', seq: 2, hash: h('b') }], leaves: [{ device: 'dev-a', seq: 1, index: 0 }, { device: 'dev-a', seq: 2, index: 1 }, { device: 'dev-b', seq: 1, index: 2 }] });

      const again = await store.appendRecords({
        records: [record('dev-a', 2, h('b')), record('dev-a', 3, h('d')), { ...record('dev-b', 1, h('e')) }],
        quarantine: [],
        // dev-b's ack names a hash that is not the stored one: not recorded.
        acks: [{ device: 'dev-b', seq: 1, hash: h('e') }],
      });
      expect(again.stored).toBe(1);
      expect(again.duplicates).toEqual([{ device: 'dev-a', seq: 2 }]);
      expect(again.conflicts).toEqual([{ device: 'dev-b', seq: 1, hash: h('e'), storedHash: h('c') }]);
      expect(again.acks).toEqual([]);

      expect(await store.headOf('dev-a')).toEqual({ seq: 3, hash: h('d') });
      expect(await store.headOf('nobody')).toBeUndefined();
      expect((await store.recordsForTags(['epc:00112233'])).map((r) => r.seq)).toEqual([1, 2]);
      expect((await store.recordsForTags(['qr:X1', 'epc:00112233'])).map((r) => r.seq)).toEqual([1, 2]);
      // The projection's read: the same records in the same order, without bytes and signature.
      const events = await store.eventsForTags(['qr:X1', 'epc:00112233']);
      const { bytes: _b, signature: _s, prev: _p, kid: _k, receivedAt: _r, ...event } = (await store.recordsForTags(['epc:00112233']))[1]!;
      expect(events.map((r) => r.seq)).toEqual([1, 2]);
      expect(events[1]).toEqual(event);
      expect(await store.eventsForTags([])).toEqual([]);
      expect((await store.recordsOfDevice('dev-a', 2, 10)).map((r) => r.seq)).toEqual([2, 3]);
      const all = await store.recordsAfter(0, 10);
      expect(all.map((r) => `${r.device}#${r.seq}`)).toEqual(['dev-a#1', 'dev-a#2', 'dev-b#1', 'dev-a#3']);
      expect((await store.recordsAfter(all[1]!.id, 1)).map((r) => r.seq)).toEqual([1]);

      const stored = (await store.recordAt('dev-a', 2))!;
      expect(stored.bytes).toEqual(utf8('{"seq":2}'));
      expect(stored.signature).toEqual(new Uint8Array(64).fill(2));
      expect(stored.body).toEqual({ tags: ['epc:00112233', 'qr:X1'] });
      expect(await store.deviceStatus('dev-a')).toMatchObject({ ackedSeq: 2, ackedHash: h('b'), lastSeenAt: '2026-03-02T08:00:01.000Z' });
    });

    it('records the acks and sightings of many devices in one batch, each as it alone would be', async () => {
      const devices = Array.from({ length: 30 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
      const hx = (i: number, k: number) => (i * 16 + k).toString(16).padStart(64, '0');
      await store.appendRecords({ records: devices.flatMap((d, i) => [record(d, 1, hx(i, 1)), record(d, 2, hx(i, 2))]), quarantine: [], acks: devices.map((d, i) => ({ device: d, seq: 2, hash: hx(i, 2) })) });
      const acks = devices.flatMap((d, i) =>
        // every third acks an older record (never recorded: the ack does not move back), every fifth a hash not stored
        i % 5 === 0 ? [{ device: d, seq: 2, hash: hx(i, 3) }] : i % 3 === 0 ? [{ device: d, seq: 1, hash: hx(i, 1) }] : [{ device: d, seq: 2, hash: hx(i, 2) }],
      );
      const seen = devices.filter((_, i) => i % 2 === 0).map((d) => ({ device: d, at: '2026-03-02T09:00:00.000Z' }));
      const out = await store.appendRecords({ records: [], quarantine: [], acks: [...acks, { device: 'dev-none', seq: 1, hash: h('x') }], seen: [...seen, { device: 'dev-new', at: '2026-03-02T09:00:00.000Z' }] });
      expect(out.acks).toEqual(acks.filter((_, i) => i % 5 !== 0 && i % 3 !== 0));
      for (const [i, d] of devices.entries()) {
        expect(await store.deviceStatus(d)).toMatchObject({ ackedSeq: 2, ackedHash: hx(i, 2), lastSeenAt: i % 2 === 0 ? '2026-03-02T09:00:00.000Z' : null });
      }
      expect(await store.deviceStatus('dev-new')).toMatchObject({ ackedSeq: null, lastSeenAt: '2026-03-02T09:00:00.000Z' });
      expect(await store.deviceStatus('dev-none')).toBeUndefined();
    });

    it('stores a thousand records in one call (chunked inserts)', async () => {
      const records = Array.from({ length: 1200 }, (_, i) => record('dev-bulk', i + 1, (i + 1).toString(16).padStart(64, '0'), [`epc:${(i + 1).toString(16).padStart(8, '0')}`]));
      const out = await store.appendRecords({ records, quarantine: [], acks: [] });
      expect(out.stored).toBe(1200);
      expect(await store.countRecords()).toBe(1200);
      expect((await store.recordsForTags(['epc:00000400'])).map((r) => r.seq)).toEqual([1024]);
      // More tags than one statement takes, some twice: every record once, in acceptance order.
      const tags = records.flatMap((r) => r.tags);
      expect((await store.eventsForTags([...tags.slice(600), ...tags.slice(0, 700)])).map((r) => r.seq)).toEqual(records.map((r) => r.seq));
    });
  });

  describe('the verifiable log', () => {
    /** A record whose bytes, and so whose leaf, no other record shares. */
    const distinct = (device: string, seq: number) => {
      const bytes = utf8(`{"device":"${device}","seq":${seq}}`);
      // The log takes the stored hash, which ingest computes from the bytes: so do the fixtures.
      return { ...record(device, seq, recordHash(bytes)), bytes };
    };
    const rootOf = async (size: number) => toHex(treeRoot(size, nodeHashLookup(await store.logNodes(proofNodes([{ start: 0, end: size }])))));

    it('appends one leaf per stored record, dense and in commit order; duplicates and forks add none; roots match the tree in memory', async () => {
      const committed = [distinct('dev-a', 1), distinct('dev-a', 2), distinct('dev-b', 1)];
      const first = await store.appendRecords({ records: committed, quarantine: [], acks: [] });
      // The append names the leaf it gave each record (ingest's ack receipts come from it).
      expect(first.leaves).toEqual([
        { device: 'dev-a', seq: 1, index: 0 },
        { device: 'dev-a', seq: 2, index: 1 },
        { device: 'dev-b', seq: 1, index: 2 },
      ]);
      // A duplicate (same record again) and a fork (another record at dev-b#1) are not stored, so not logged.
      const fork = { ...distinct('dev-b', 1), hash: h('f'), bytes: utf8('{"fork":true}') };
      const second = [distinct('dev-a', 2), fork, distinct('dev-c', 1)];
      const out = await store.appendRecords({ records: second, quarantine: [], acks: [] });
      expect(out.stored).toBe(1);
      expect(out.leaves).toEqual([{ device: 'dev-c', seq: 1, index: 3 }]);
      committed.push(distinct('dev-c', 1));
      // Past a full tile of 256 leaves and into the next one.
      const many = Array.from({ length: 300 }, (_, i) => distinct('dev-d', i + 1));
      const third = await store.appendRecords({ records: many, quarantine: [], acks: [] });
      expect(third.leaves.map((l) => `${l.device}#${l.seq}@${l.index}`)).toEqual(many.map((r, i) => `dev-d#${r.seq}@${4 + i}`));
      committed.push(...many);

      expect(await store.logSize()).toBe(304);
      expect(await store.logIndexes([{ device: 'dev-c', seq: 1 }, { device: 'dev-a', seq: 1 }, { device: 'dev-d', seq: 300 }, { device: 'nobody', seq: 1 }])).toEqual([3, 0, 303, undefined]);
      const entries = await store.logEntries(0, 304);
      expect(entries.map(toHex)).toEqual(committed.map((r) => toHex(recordLogEntry(r))));

      const tree = new MemoryTree();
      for (const r of committed) tree.append(recordLeafHash(r));
      for (const size of [1, 3, 4, 255, 256, 257, 304]) expect(await rootOf(size)).toBe(toHex(tree.root(size)));
      // Tile rows: leaf hashes, and the level-8 node of the first full tile; nothing incomplete.
      expect((await store.logNodeRow(0, 250, 260)).map(toHex)).toEqual(Array.from({ length: 10 }, (_, i) => toHex(tree.node({ level: 0, index: 250 + i }))));
      expect((await store.logNodeRow(8, 0, 256)).map(toHex)).toEqual([toHex(tree.node({ level: 8, index: 0 }))]);
      expect((await store.logNodes([{ level: 1, index: 152 }, { level: 3, index: 38 }])).size).toBe(0);
    });

    it('keeps every signed checkpoint, one per tree size, and gives the largest', async () => {
      expect(await store.latestCheckpoint()).toBeUndefined();
      expect(await store.addCheckpoint({ size: 3, note: 'three\n', signedAt: '2026-03-02T08:00:00.000Z' })).toBe(true);
      expect(await store.addCheckpoint({ size: 7, note: 'seven\n', signedAt: '2026-03-02T08:00:10.000Z' })).toBe(true);
      expect(await store.addCheckpoint({ size: 7, note: 'seven again\n', signedAt: '2026-03-02T08:00:11.000Z' })).toBe(false);
      expect(await store.latestCheckpoint()).toEqual({ size: 7, note: 'seven\n', signedAt: '2026-03-02T08:00:10.000Z' });
    });

    it('keeps one cosignature per witness and checkpoint, only for a checkpoint it holds', async () => {
      await store.addCheckpoint({ size: 3, note: 'three\n', signedAt: '2026-03-02T08:00:00.000Z' });
      const w1 = { size: 3, witness: 'w1+00000001+AQ==', line: '— w1 AAAA\n', addedAt: '2026-03-02T08:00:01.000Z' };
      const w2 = { size: 3, witness: 'w2+00000002+AQ==', line: '— w2 BBBB\n', addedAt: '2026-03-02T08:00:02.000Z' };
      expect(await store.addCosignature(w1)).toBe(true);
      expect(await store.addCosignature({ ...w1, line: '— w1 CCCC\n' })).toBe(false);
      expect(await store.addCosignature(w2)).toBe(true);
      expect((await store.cosignaturesOf(3)).map((c) => c.line).sort()).toEqual([w1.line, w2.line]);
      expect(await store.cosignaturesOf(7)).toEqual([]);
      await expect(store.addCosignature({ ...w1, size: 99 })).rejects.toThrow();
    });

    it('finds the largest checkpoint cosigned by a quorum of the given witnesses, counting no one else', async () => {
      for (const size of [3, 5, 8]) await store.addCheckpoint({ size, note: `cp ${size}\n`, signedAt: '2026-03-02T08:00:00.000Z' });
      const line = (witness: string, size: number) => ({ size, witness, line: `— ${witness} AAAA\n`, addedAt: '2026-03-02T08:00:01.000Z' });
      // w1 and w2 cosigned 3; w1 and w3 cosigned 5; w1 alone cosigned 8.
      for (const [w, size] of [['w1', 3], ['w2', 3], ['w1', 5], ['w3', 5], ['w1', 8]] as const) await store.addCosignature(line(w, size));
      const sizeOf = async (witnesses: string[], quorum: number) => (await store.latestCheckpointCosignedBy(witnesses, quorum))?.size;
      expect(await sizeOf(['w1', 'w2', 'w3'], 1)).toBe(8);
      expect(await sizeOf(['w1', 'w2', 'w3'], 2)).toBe(5);
      expect(await sizeOf(['w1', 'w2'], 2)).toBe(3);
      expect(await store.latestCheckpointCosignedBy(['w2', 'w3'], 2)).toBeUndefined();
      expect(await store.latestCheckpointCosignedBy(['w1', 'w2', 'w3'], 3)).toBeUndefined();
      expect(await store.latestCheckpointCosignedBy(['w2'], 1)).toEqual({ size: 3, note: 'cp 3\n', signedAt: '2026-03-02T08:00:00.000Z' });
      expect(await store.latestCheckpointCosignedBy([], 1)).toBeUndefined();
    });
  });

  describe('quarantine', () => {
    it('keeps what was refused, truncating huge payloads but recording their size', async () => {
      const big = new Uint8Array(200_000).fill(0xff);
      await store.quarantine([
        { receivedAt: '2026-03-02T08:00:00.000Z', topic: 'wt/v1/dev/dev-a/records', code: 'NOT_UTF8', message: 'not UTF-8', device: 'dev-a', payload: big, payloadBytes: big.length },
        { receivedAt: '2026-03-02T08:00:00.000Z', code: 'BAD_SIGNATURE', message: 'bad', device: 'dev-a', seq: 4, payload: utf8('{"record":"..."}'), payloadBytes: 16 },
      ]);
      const rows = await store.quarantined({ device: 'dev-a' });
      expect(rows.map((r) => r.code)).toEqual(['NOT_UTF8', 'BAD_SIGNATURE']);
      expect(rows[0]!.payload.length).toBe(64 * 1024);
      expect(rows[0]!.payloadBytes).toBe(200_000);
      expect(rows[1]).toMatchObject({ seq: 4, payload: utf8('{"record":"..."}') });
      expect(await store.quarantined({ code: 'BAD_SIGNATURE' })).toHaveLength(1);
    });
  });

  describe('devices and the keyring', () => {
    it('registers devices, exports the keyring JSON, and revokes keys', async () => {
      await seedPlaces(store);
      const k1 = generateEd25519KeyPair();
      const k2 = generateEd25519KeyPair();
      await store.registerDevice({ id: 'hz-h001-ref-01', institution: 'hz-h001', stations: ['department'], site: 'ICU', keys: [{ publicKey: toBase64(k1.publicKeySpki) }] });
      await store.registerDevice({ id: 'hz-h001-sto-01', institution: 'hz-h001', stations: ['storage', 'pickup'], keys: [{ publicKey: toBase64(k2.publicKeySpki) }] });

      const json = await store.exportKeyring();
      const parsed = parseKeyring(json);
      expect(parsed.ok).toBe(true);
      expect(json).toMatchObject({ format: 'wastetrail.keyring.v1', devices: { 'hz-h001-ref-01': { institution: 'hz-h001', stations: ['department'], site: 'ICU' } } });

      // The store keeps the keyring it read for a moment: its own writes must show at once all the same.
      expect((await store.keyring()).devices.get('hz-h001-ref-01')!.keys[0]!.revokedAt).toBeUndefined();
      expect(await store.revokeDeviceKey('hz-h001-ref-01', keyId(k1.publicKeySpki), '2026-03-01T00:00:00.000Z')).toBe(true);
      expect(await store.revokeDeviceKey('hz-h001-ref-01', keyId(k2.publicKeySpki), '2026-03-01T00:00:00.000Z')).toBe(false);
      expect(await store.revokeDeviceKey('nobody', 'x', '2026-03-01T00:00:00.000Z')).toBe(false);
      const keyring = await store.keyring();
      expect(keyring.devices.get('hz-h001-ref-01')!.keys[0]!.revokedAt).toBe('2026-03-01T00:00:00.000Z');
      expect(keyring.devices.get('hz-h001-sto-01')!.stations).toEqual(['storage', 'pickup']);
      await store.registerDevice({ id: 'hz-h001-sto-02', institution: 'hz-h001', stations: ['storage'], keys: [{ publicKey: toBase64(generateEd25519KeyPair().publicKeySpki) }] });
      expect((await store.keyring()).devices.has('hz-h001-sto-02')).toBe(true);
    });

    it('refuses a device the keyring would refuse', async () => {
      await seedPlaces(store);
      await expect(store.registerDevice({ id: 'Bad Id', institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: 'AAAA' }] })).rejects.toThrow(/cannot register device/);
      await expect(store.registerDevice({ id: 'dev-x', institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: 'AAAA' }] })).rejects.toThrow(/Ed25519/);
    });
  });

  describe('reference data', () => {
    it('keeps departments, badges, transport companies and vehicles', async () => {
      await seedPlaces(store);
      await store.upsertInstitution({ id: 'hz-t01', name: 'Clean Transport', kind: 'transport', jurisdiction: 'hz' });
      await store.upsertDepartment({ institution: 'hz-h001', code: 'ICU', name: 'Intensive care' });
      await store.upsertDepartment({ institution: 'hz-h001', code: 'ICU', name: 'Intensive care unit' });
      await store.upsertStaffBadge({ badge: 'badge-0101', institution: 'hz-h001', name: 'Li Na', role: 'nurse' });
      await store.upsertTransportCompany({ id: 'hz-t01', licence: 'ZJ-MW-0001' });
      await store.upsertVehicle({ id: 'veh-1', company: 'hz-t01', plate: 'ZheA-12345' });
      expect(await store.departments('hz-h001')).toEqual([{ institution: 'hz-h001', code: 'ICU', name: 'Intensive care unit' }]);
      expect(await store.staffBadge('badge-0101')).toMatchObject({ name: 'Li Na' });
      expect(await store.vehicle('veh-1')).toEqual({ id: 'veh-1', company: 'hz-t01', plate: 'ZheA-12345' });
      expect(await store.vehicle('veh-9')).toBeUndefined();
      expect((await store.institutions({ kind: 'transport' })).map((i) => i.id)).toEqual(['hz-t01']);
      expect((await store.jurisdictions()).map((j) => j.id)).toEqual(['hz', 'hz-xh']);
    });

    it("keeps an institution's staff registry: listed by name, a badge moved or withdrawn, looked up by badges", async () => {
      await seedPlaces(store);
      await store.upsertInstitution({ id: 'hz-t01', name: 'Clean Transport', kind: 'transport', jurisdiction: 'hz' });
      await store.upsertStaffBadge({ badge: 'giai:1.2', institution: 'hz-h001', name: 'Zhang Wei', role: 'keeper' });
      await store.upsertStaffBadge({ badge: 'giai:1.1', institution: 'hz-h001', name: 'Li Na', role: 'staff' });
      await store.upsertStaffBadge({ badge: 'giai:9.1', institution: 'hz-t01', name: 'Wang Qiang', role: 'crew' });
      expect((await store.staffOf('hz-h001')).map((b) => [b.badge, b.name, b.active, b.updatedAt])).toEqual([
        ['giai:1.1', 'Li Na', true, null],
        ['giai:1.2', 'Zhang Wei', true, null],
      ]);
      await store.upsertStaffBadge({ badge: 'giai:1.2', institution: 'hz-h001', name: 'Zhang Wei', role: 'keeper', active: false, updatedAt: '2026-03-02T08:00:00.000Z' });
      expect(await store.staffBadge('giai:1.2')).toEqual({ badge: 'giai:1.2', institution: 'hz-h001', name: 'Zhang Wei', role: 'keeper', active: false, updatedAt: '2026-03-02T08:00:00.000Z' });
      expect((await store.staffByBadges(['giai:9.1', 'giai:1.2', 'giai:0.0'])).map((b) => [b.badge, b.institution, b.active])).toEqual([
        ['giai:1.2', 'hz-h001', false],
        ['giai:9.1', 'hz-t01', true],
      ]);
      expect(await store.staffByBadges([])).toEqual([]);
      expect(await store.staffOf('hz-t01')).toHaveLength(1);
    });

    it('lists vehicles, all or of one company, in id order', async () => {
      await seedPlaces(store);
      await store.upsertInstitution({ id: 'hz-t01', name: 'Clean Transport', kind: 'transport', jurisdiction: 'hz' });
      await store.upsertInstitution({ id: 'hz-t02', name: 'Swift Transport', kind: 'transport', jurisdiction: 'hz' });
      await store.upsertTransportCompany({ id: 'hz-t01', licence: 'ZJ-MW-0001' });
      await store.upsertTransportCompany({ id: 'hz-t02', licence: 'ZJ-MW-0002' });
      expect(await store.vehicles()).toEqual([]);
      expect(await store.vehicles({ company: 'hz-t01' })).toEqual([]);
      await store.upsertVehicle({ id: 'veh-2', company: 'hz-t01', plate: 'ZheA-22222' });
      await store.upsertVehicle({ id: 'veh-1', company: 'hz-t01', plate: 'ZheA-11111' });
      await store.upsertVehicle({ id: 'veh-3', company: 'hz-t02', plate: 'ZheB-33333' });
      expect(await store.vehicles()).toEqual([
        { id: 'veh-1', company: 'hz-t01', plate: 'ZheA-11111' },
        { id: 'veh-2', company: 'hz-t01', plate: 'ZheA-22222' },
        { id: 'veh-3', company: 'hz-t02', plate: 'ZheB-33333' },
      ]);
      expect(await store.vehicles({ company: 'hz-t01' })).toEqual([
        { id: 'veh-1', company: 'hz-t01', plate: 'ZheA-11111' },
        { id: 'veh-2', company: 'hz-t01', plate: 'ZheA-22222' },
      ]);
      expect(await store.vehicles({ company: 'hz-t03' })).toEqual([]);
      // A vehicle sold to another company moves with it.
      await store.upsertVehicle({ id: 'veh-2', company: 'hz-t02', plate: 'ZheA-22222' });
      expect((await store.vehicles({ company: 'hz-t01' })).map((v) => v.id)).toEqual(['veh-1']);
      expect((await store.vehicles({ company: 'hz-t02' })).map((v) => v.id)).toEqual(['veh-2', 'veh-3']);
    });

    it('shows its own writes to places and vehicles at once, and a caller changing a list it got changes nothing', async () => {
      await seedPlaces(store);
      const before = await store.institutions();
      before.length = 0;
      expect((await store.institutions()).map((i) => i.id)).toEqual(['hz-h001']);
      await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1 (renamed)', kind: 'hospital', jurisdiction: 'hz-xh' });
      expect((await store.institutions())[0]!.name).toBe('City Hospital No. 1 (renamed)');
      await store.upsertJurisdiction({ id: 'hz-sc', parent: 'hz', level: 'district', name: 'Shangcheng' });
      expect((await store.jurisdictions()).map((j) => j.id)).toContain('hz-sc');
    });

    it('keeps routes and geofences, and refuses a route for an unregistered vehicle', async () => {
      await seedPlaces(store);
      await store.upsertInstitution({ id: 'hz-t01', name: 'Clean Transport', kind: 'transport', jurisdiction: 'hz' });
      await store.upsertTransportCompany({ id: 'hz-t01', licence: 'ZJ-MW-0001' });
      await store.upsertVehicle({ id: 'veh-1', company: 'hz-t01', plate: '浙A27819' });
      await store.upsertVehicleRoute({ vehicle: 'veh-1', line: [[120.195, 30.225], [120.155, 30.225]] });
      await store.upsertVehicleRoute({ vehicle: 'veh-1', line: [[120.195, 30.225], [120.155, 30.225], [120.155, 30.265]] });
      expect(await store.vehicleRoutes()).toEqual([{ vehicle: 'veh-1', plate: '浙A27819', line: [[120.195, 30.225], [120.155, 30.225], [120.155, 30.265]] }]);
      await expect(store.upsertVehicleRoute({ vehicle: 'veh-9', line: [[120.1, 30.2], [120.2, 30.2]] })).rejects.toThrow();
      const ring: [number, number][] = [[120.1, 30.2], [120.101, 30.2], [120.101, 30.201], [120.1, 30.2]];
      await store.upsertGeofence({ id: 'h001-yard', institution: 'hz-h001', kind: 'hospital', ring });
      await store.upsertGeofence({ id: 'depot', institution: 'hz-t01', kind: 'depot', ring });
      expect(await store.geofences()).toEqual([
        { id: 'depot', institution: 'hz-t01', kind: 'depot', ring },
        { id: 'h001-yard', institution: 'hz-h001', kind: 'hospital', ring },
      ]);
      await expect(store.upsertGeofence({ id: 'x', institution: 'hz-h001', kind: 'car-park' as never, ring })).rejects.toThrow();
    });
  });

  describe('vehicle tracks', () => {
    const fix = (at: string) => ({ at, lat: 30_250_000, lon: 120_160_000, speed: 300, quality: 'gps', satellites: 9 });
    const vehicleRecord = (device: string, seq: number, type: 'track' | 'door', body: unknown): NewRecord => ({ ...record(device, seq, h(String(seq % 10))), type, body, tags: [] });

    it('finds the track and door records of a vehicle that cover a time window, in acceptance order', async () => {
      await store.appendRecords({
        records: [
          vehicleRecord('t01-v1', 1, 'track', { vehicle: '浙A27819', fixes: [fix('2026-03-02T08:00:00.000Z'), fix('2026-03-02T08:00:59.000Z')], temperatures: [], noFix: 0 }),
          vehicleRecord('t01-v1', 2, 'door', { vehicle: '浙A27819', action: 'open', at: '2026-03-02T08:01:30.000Z', position: { lat: 30_250_000, lon: 120_160_000 } }),
          vehicleRecord('t01-v1', 3, 'track', { vehicle: '浙A27819', fixes: [fix('2026-03-02T08:01:00.000Z'), fix('2026-03-02T08:01:59.000Z')], temperatures: [], noFix: 0 }),
          // A span of nothing but a tunnel: found by the record's own time.
          { ...vehicleRecord('t01-v1', 4, 'track', { vehicle: '浙A27819', fixes: [], temperatures: [], noFix: 60 }), deviceTime: '2026-03-02T08:03:00.000Z' },
          vehicleRecord('t01-v2', 1, 'track', { vehicle: '浙A00002', fixes: [fix('2026-03-02T08:00:30.000Z')], temperatures: [], noFix: 0 }),
          record('h01-icu', 1, h('e'), ['epc:00000001']),
        ],
        quarantine: [],
        acks: [],
      });
      const seqs = async (f: Parameters<CustodyStore['vehicleRecords']>[0]) => (await store.vehicleRecords(f)).map((r) => `${r.device}/${r.seq}`);
      expect(await seqs({ vehicles: ['浙A27819'], from: '2026-03-02T08:00:00.000Z', to: '2026-03-02T09:00:00.000Z' })).toEqual(['t01-v1/1', 't01-v1/2', 't01-v1/3', 't01-v1/4']);
      // The window's edges are inclusive; a record spanning into the window is found.
      expect(await seqs({ vehicles: ['浙A27819'], from: '2026-03-02T08:00:59.000Z', to: '2026-03-02T08:01:00.000Z' })).toEqual(['t01-v1/1', 't01-v1/3']);
      expect(await seqs({ vehicles: ['浙A27819'], from: '2026-03-02T08:01:30.000Z', to: '2026-03-02T08:01:30.000Z' })).toEqual(['t01-v1/2', 't01-v1/3']);
      expect(await seqs({ from: '2026-03-02T08:00:30.000Z', to: '2026-03-02T08:00:30.000Z' })).toEqual(['t01-v1/1', 't01-v2/1']);
      expect(await seqs({ vehicles: [], from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' })).toEqual([]);
      expect(await seqs({ vehicles: ['浙A27819'], from: '2026-03-02T09:00:00.000Z', to: '2026-03-02T10:00:00.000Z' })).toEqual([]);
      const [first] = await store.vehicleRecords({ vehicles: ['浙A27819'], from: '2026-03-02T08:00:00.000Z', to: '2026-03-02T08:00:00.000Z' });
      expect(first).toMatchObject({ type: 'track', body: { vehicle: '浙A27819', fixes: [fix('2026-03-02T08:00:00.000Z'), fix('2026-03-02T08:00:59.000Z')] } });
    });
  });

  describe("vehicles' latest tracks", () => {
    const fix = (at: string) => ({ at, lat: 30_250_000, lon: 120_160_000, speed: 300, quality: 'gps', satellites: 9 });
    const track = (device: string, seq: number, vehicle: string, fixes: string[], deviceTime = '2026-03-02T08:00:00.000Z'): NewRecord => ({ ...record(device, seq, h(String(seq % 10))), deviceTime, type: 'track', body: { vehicle, fixes: fixes.map(fix), temperatures: [], noFix: fixes.length > 0 ? 0 : 60 }, tags: [] });

    it("gives each vehicle's track record whose span ends last, whatever order they came in, and no door record", async () => {
      await store.appendRecords({
        records: [
          track('t01-v1', 1, '浙A27819', ['2026-03-02T08:00:00.000Z', '2026-03-02T08:00:59.000Z']),
          // Signed late, after a tunnel: it arrives after seq 3 but ends first.
          track('t01-v1', 3, '浙A27819', ['2026-03-02T08:02:00.000Z', '2026-03-02T08:02:59.000Z']),
          track('t01-v1', 2, '浙A27819', ['2026-03-02T08:01:00.000Z', '2026-03-02T08:01:59.000Z']),
          { ...record('t01-v1', 4, h('4')), type: 'door', body: { vehicle: '浙A27819', action: 'open', at: '2026-03-02T08:05:00.000Z' }, tags: [] },
          track('t01-v2', 1, '浙A00002', ['2026-03-02T07:00:00.000Z']),
          // A span with no fix is found by the record's own time.
          track('t01-v2', 2, '浙A00002', [], '2026-03-02T07:30:00.000Z'),
          track('t01-v3', 1, '浙A00003', ['2026-03-02T06:00:00.000Z']),
        ],
        quarantine: [],
        acks: [],
      });
      const latest = async (vehicles: string[]) => (await store.latestVehicleTracks(vehicles)).map((r) => `${(r.body as { vehicle: string }).vehicle} ${r.device}/${r.seq}`);
      expect(await latest(['浙A00002', '浙A00003', '浙A27819'])).toEqual(['浙A00002 t01-v2/2', '浙A00003 t01-v3/1', '浙A27819 t01-v1/3']);
      expect(await latest(['浙A27819', '浙Z99999'])).toEqual(['浙A27819 t01-v1/3']);
      expect(await latest([])).toEqual([]);
    });
  });

  describe("the dashboard's daily figures", () => {
    const query = {
      institutions: ['hz-h001'],
      jurisdictions: ['hz-xh'],
      fromDay: '2026-03-02',
      toDay: '2026-03-04',
      utcOffsetMinutes: 480,
      nowIso: '2026-03-04T02:00:00.000Z',
      handoverHours: 48,
      // A fraction, which PostgreSQL must not take for an integer.
      weightTolerance: { percent: 10.5, minGrams: 50 },
      alertCloseHours: 24,
    };

    it('counts bags by sealing day: handed over in time (pickup or else receipt), weights within the tolerance; voided, other and out-of-window bags left out', async () => {
      await store.upsertBags([
        bagSummary({ bag: 'b1', pickedUpAt: '2026-03-03T01:00:00.000Z', receivedAt: '2026-03-03T03:00:00.000Z', receivedGrams: 960 }),
        // Picked up after 49 h; 110 g off 1000 g is more than 10.5 %.
        bagSummary({ bag: 'b2', sealedAt: '2026-03-02T02:00:00.000Z', pickedUpAt: '2026-03-04T03:00:00.000Z', receivedAt: '2026-03-04T04:00:00.000Z', receivedGrams: 890 }),
        // Sealed 47 h before now and still waiting: not due yet.
        bagSummary({ bag: 'b3', sealedAt: '2026-03-02T03:00:00.000Z', sealedGrams: 500 }),
        bagSummary({ bag: 'b4', state: 'voided' }),
        bagSummary({ bag: 'b5', institution: 'hz-h002' }),
        bagSummary({ bag: 'b6', sealedAt: '2026-03-05T01:00:00.000Z', sealedDay: '2026-03-05' }),
        // Received with no pickup recorded: the receipt is the handover; 105 g off 1000 g is within 10.5 %.
        bagSummary({ bag: 'b7', sealedAt: '2026-03-03T00:00:00.000Z', sealedDay: '2026-03-03', receivedAt: '2026-03-03T10:00:00.000Z', receivedGrams: 1105 }),
      ]);
      const { bags } = await store.dailyFigures(query);
      expect(bags).toEqual([
        { institution: 'hz-h001', day: '2026-03-02', bags: 3, sealedGrams: 2500, received: 2, receivedGrams: 1850, handoverDue: 2, handedOverInTime: 1, weighed: 2, reconciled: 1 },
        { institution: 'hz-h001', day: '2026-03-03', bags: 1, sealedGrams: 1000, received: 1, receivedGrams: 1105, handoverDue: 1, handedOverInTime: 1, weighed: 1, reconciled: 1 },
      ]);
      expect((await store.dailyFigures({ ...query, institutions: [] })).bags).toEqual([]);
    });

    it('counts alerts by the local day they were opened and severity when opened, closed in time or not, those of the jurisdictions under institution null', async () => {
      const alert = (key: string, over: Partial<NewAlert>) => store.insertAlert(alertDraft({ dedupeKey: key, ...over }));
      // 23:59 local on 2 March, resolved after 18 h.
      await alert('a1', { severity: 'critical', openedAt: '2026-03-02T15:59:00.000Z', status: 'resolved', resolvedAt: '2026-03-03T10:00:00.000Z' });
      // Midnight local: 3 March; resolved after 32 h.
      await alert('a2', { openedAt: '2026-03-02T16:00:00.000Z', status: 'resolved', resolvedAt: '2026-03-04T00:00:00.000Z' });
      // Open for 30 h: late. Raised to critical since: counted as opened.
      await alert('a3', { openedAt: '2026-03-02T20:00:00.000Z', currentSeverity: 'critical' });
      // Routed to the district only, open for 6 h: not due yet.
      await alert('a4', { severity: 'info', institution: null, openedAt: '2026-03-03T20:00:00.000Z' });
      await alert('a5', { openedAt: '2026-03-01T15:00:00.000Z' });
      await alert('a6', { institution: 'hz-h002', jurisdiction: 'elsewhere', openedAt: '2026-03-03T01:00:00.000Z' });
      const { alerts } = await store.dailyFigures(query);
      const sorted = [...alerts].sort((a, b) => `${a.institution ?? ''}${a.day}`.localeCompare(`${b.institution ?? ''}${b.day}`));
      expect(sorted).toEqual([
        { institution: null, day: '2026-03-04', critical: 0, warning: 0, info: 1, closeDue: 0, closedInTime: 0 },
        { institution: 'hz-h001', day: '2026-03-02', critical: 1, warning: 0, info: 0, closeDue: 1, closedInTime: 1 },
        { institution: 'hz-h001', day: '2026-03-03', critical: 0, warning: 2, info: 0, closeDue: 2, closedInTime: 0 },
      ]);
    });
  });

  describe('alerts', () => {
    const KEY = ALERT_KEY;
    const draft = alertDraft;

    it('keeps every field of an alert the book decided, and refuses a second unresolved one per key', async () => {
      const a = (await store.insertAlert(draft()))!;
      expect(a).toEqual({ ...draft(), id: a.id, revision: 0 });
      expect(await store.alert(a.id)).toEqual(a);
      expect(await store.insertAlert(draft({ severity: 'critical' }))).toBeUndefined();
      expect(await store.alert(a.id + 1000)).toBeUndefined();
    });

    it('writes back only over the revision it read; sightings count without a revision', async () => {
      const a = (await store.insertAlert(draft()))!;
      const raised = (await store.updateAlert({ ...a, severity: 'critical', currentSeverity: 'critical', details: { raised: [{ at: '2026-03-04T08:00:00.000Z', from: 'warning', to: 'critical' }] } }))!;
      expect(raised).toMatchObject({ id: a.id, revision: 1, severity: 'critical', details: { raised: [{ from: 'warning' }] } });
      // A writer that read revision 0 is too late.
      expect(await store.updateAlert({ ...a, status: 'acknowledged', acknowledgedBy: 'keeper-7' })).toBeUndefined();
      await store.recordAlertSightings([a.id], '2026-03-04T09:00:00.000Z');
      await store.recordAlertSightings([a.id], '2026-03-04T08:30:00.000Z');
      const seen = (await store.alert(a.id))!;
      expect(seen).toMatchObject({ revision: 1, occurrences: 3, lastSeenAt: '2026-03-04T09:00:00.000Z' });
      // Writing back never undoes a sighting.
      const acked = (await store.updateAlert({ ...seen, status: 'acknowledged', acknowledgedBy: 'keeper-7', acknowledgedAt: '2026-03-04T09:10:00.000Z', acknowledgeNote: 'on it', occurrences: 1 }))!;
      expect(acked).toMatchObject({ revision: 2, status: 'acknowledged', acknowledgeNote: 'on it', occurrences: 3 });
    });

    it('finds the latest alert per key (the unresolved one first) and unresolved alerts by rule and subject', async () => {
      const first = (await store.insertAlert(draft()))!;
      await store.updateAlert({ ...first, status: 'resolved', resolvedBy: 'head-1', resolvedAt: '2026-03-04T10:00:00.000Z', note: 'picked up late' });
      const second = (await store.insertAlert(draft({ openedAt: '2026-03-05T20:00:00.000Z' })))!;
      const other = (await store.insertAlert(draft({ dedupeKey: 'device-silent:device:dev-a', rule: 'device-silent', subject: 'device:dev-a', bag: null, device: 'dev-a' })))!;
      const resolvedOnly = (await store.insertAlert(draft({ dedupeKey: 'cloned-tag:bag:epc:0b', rule: 'cloned-tag', subject: 'bag:epc:0b' })))!;
      await store.updateAlert({ ...resolvedOnly, status: 'resolved', resolvedBy: 'r', resolvedAt: '2026-03-04T10:00:00.000Z', note: 'n' });

      expect((await store.latestAlerts([KEY, 'cloned-tag:bag:epc:0b', 'nothing:here'])).map((a) => a.id)).toEqual([second.id, resolvedOnly.id]);
      await store.updateAlert({ ...(await store.alert(second.id))!, status: 'resolved', resolvedBy: 'r', resolvedAt: '2026-03-06T10:00:00.000Z', note: 'n' });
      expect((await store.latestAlerts([KEY])).map((a) => a.id)).toEqual([second.id]);

      expect((await store.unresolvedAlerts()).map((a) => a.id)).toEqual([other.id]);
      expect((await store.unresolvedAlerts({ rules: ['device-silent'], subjects: ['device:dev-a', 'device:dev-b'] })).map((a) => a.id)).toEqual([other.id]);
      expect(await store.unresolvedAlerts({ rules: ['storage-overdue'] })).toEqual([]);
      expect(await store.unresolvedAlerts({ subjects: [] })).toEqual([]);
    });

    it('lists alerts by status, severity, rule, place, bag and device, a page at a time', async () => {
      await seedPlaces(store);
      const a = (await store.insertAlert(draft()))!;
      const b = (await store.insertAlert(draft({ dedupeKey: 'integrity:device:dev-a/BAD_SIGNATURE', rule: 'integrity', severity: 'critical', currentSeverity: 'critical', subject: 'device:dev-a/BAD_SIGNATURE', bag: null, device: 'dev-a', institution: null, jurisdiction: null })))!;
      const c = (await store.insertAlert(draft({ dedupeKey: 'x:1', institution: 'hz-h002', jurisdiction: 'hz' })))!;
      const ids = async (f: AlertFilter) => (await store.alerts(f)).map((x) => x.id);
      expect(await ids({})).toEqual([a.id, b.id, c.id]);
      expect(await ids({ severity: 'critical' })).toEqual([b.id]);
      expect(await ids({ severity: ['warning'], status: ['open', 'acknowledged'] })).toEqual([a.id, c.id]);
      expect(await ids({ rule: 'integrity', device: 'dev-a' })).toEqual([b.id]);
      expect(await ids({ bag: 'epc:0a' })).toEqual([a.id, c.id]);
      expect(await ids({ institutions: ['hz-h001', 'hz-h002'] })).toEqual([a.id, c.id]);
      expect(await ids({ institutions: [] })).toEqual([]);
      expect(await ids({ jurisdictions: ['hz'] })).toEqual([c.id]);
      expect(await ids({ institution: 'hz-h001', jurisdiction: 'hz-xh', subject: 'bag:epc:0a' })).toEqual([a.id]);
      expect(await ids({ limit: 1, offset: 1 })).toEqual([b.id]);
    });

    it('orders alerts worst first (by the severity now), oldest first or newest first, and counts them whatever the page', async () => {
      const a = (await store.insertAlert(draft()))!;
      const b = (await store.insertAlert(draft({ dedupeKey: 'x:b', severity: 'critical', currentSeverity: 'critical' })))!;
      // Raised to critical once, eased to info since: worst first reads it as info.
      const c = (await store.insertAlert(draft({ dedupeKey: 'x:c', severity: 'critical', currentSeverity: 'info' })))!;
      const d = (await store.insertAlert(draft({ dedupeKey: 'x:d', severity: 'critical', currentSeverity: 'critical', status: 'resolved' })))!;
      const ids = async (f: AlertFilter) => (await store.alerts(f)).map((x) => x.id);
      expect(await ids({ order: 'oldest' })).toEqual([a.id, b.id, c.id, d.id]);
      expect(await ids({ order: 'newest' })).toEqual([d.id, c.id, b.id, a.id]);
      expect(await ids({ order: 'worst' })).toEqual([b.id, d.id, a.id, c.id]);
      expect(await ids({ order: 'worst', limit: 2, offset: 1 })).toEqual([d.id, a.id]);
      expect(await ids({ order: 'worst', status: ['open', 'acknowledged'] })).toEqual([b.id, a.id, c.id]);
      expect(await store.countAlerts()).toBe(4);
      expect(await store.countAlerts({ status: ['open', 'acknowledged'], limit: 1, offset: 3 })).toBe(3);
      expect(await store.countAlerts({ severity: 'critical' })).toBe(3);
      expect(await store.countAlerts({ institutions: [] })).toBe(0);
      expect(await store.countAlerts({ jurisdictions: ['hz-xh'], rule: 'storage-overdue' })).toBe(4);
    });
  });

  describe('the bag projection', () => {
    const BAG_A = 'epc:3074257bf7194e4000001a85';
    const BAG_B = 'qr:WT1-HZH001-ICU-I-260302-0042';

    it('keeps summaries and trails, finds a bag by any tag, and replaces or removes bags', async () => {
      const trail = { bag: BAG_A, tags: [BAG_A, 'qr:A2'], state: 'sealed', steps: [], voided: [], anomalies: [] } as BagTrail;
      await store.upsertBags([{ ...bagSummary({ bag: BAG_A, tags: [BAG_A, 'qr:A2'] }), trail }, bagSummary({ bag: 'qr:A2', tags: ['qr:A2'], sealedAt: null, sealedDay: null, institution: null })]);
      expect(await store.bag(BAG_A)).toEqual(bagSummary({ bag: BAG_A, tags: [BAG_A, 'qr:A2'] }));
      expect(await store.bagTrail(BAG_A)).toEqual(trail);
      expect(await store.bagTrail('qr:A2')).toBeUndefined();
      // Two rows name qr:A2: the one whose id it is comes first.
      expect((await store.bagByTag('qr:A2'))?.bag).toBe('qr:A2');
      expect((await store.bagByTag(BAG_A))?.bag).toBe(BAG_A);
      expect(await store.bagByTag('qr:nothing')).toBeUndefined();

      // qr:A2 turns out to be bag A's second tag: its own row goes, in the same write; a summary
      // without a trail keeps the trail stored.
      await store.upsertBags([bagSummary({ bag: BAG_A, tags: [BAG_A, 'qr:A2'], state: 'collected', lastStep: 'collected' })], { remove: ['qr:A2', BAG_A] });
      expect(await store.bag('qr:A2')).toBeUndefined();
      expect(await store.bagByTag('qr:A2')).toMatchObject({ bag: BAG_A, state: 'collected' });
      expect(await store.bagTrail(BAG_A)).toEqual(trail);
      // Tags are replaced, not added to.
      await store.upsertBags([bagSummary({ bag: BAG_A, tags: [BAG_A] })]);
      expect(await store.bagByTag('qr:A2')).toBeUndefined();
    });

    it('searches by institution, disposal centre, vehicle, sealing time, state, category and manifest, newest sealed first', async () => {
      await store.upsertBags([
        bagSummary({ bag: 'epc:01', sealedAt: '2026-03-02T01:00:00.000Z', vehicle: 'ZA-A1234', manifest: 'M1', state: 'disposed', disposalInstitution: 'hz-d001' }),
        bagSummary({ bag: 'epc:02', sealedAt: '2026-03-02T03:00:00.000Z', vehicle: 'ZA-A1234', manifest: 'M1', state: 'received', disposalInstitution: 'hz-d001', category: 'sharps' }),
        bagSummary({ bag: 'epc:03', sealedAt: '2026-03-03T03:00:00.000Z', state: 'stored' }),
        bagSummary({ bag: 'epc:04', institution: 'hz-h002', sealedAt: '2026-03-03T04:00:00.000Z', vehicle: 'ZA-B9999', manifest: 'M2', state: 'picked-up' }),
        bagSummary({ bag: 'epc:05', institution: null, sealedAt: null, sealedDay: null, state: 'received', disposalInstitution: 'hz-d001' }),
      ]);
      const bags = async (f: BagFilter) => (await store.searchBags(f)).bags.map((b) => b.bag);
      expect(await store.searchBags({})).toMatchObject({ total: 5 });
      expect(await bags({})).toEqual(['epc:04', 'epc:03', 'epc:02', 'epc:01', 'epc:05']);
      expect(await bags({ institutions: ['hz-h001'] })).toEqual(['epc:03', 'epc:02', 'epc:01']);
      expect(await bags({ institutions: [] })).toEqual([]);
      expect(await bags({ disposalInstitution: 'hz-d001' })).toEqual(['epc:02', 'epc:01', 'epc:05']);
      expect(await bags({ vehicles: ['ZA-A1234', 'ZA-B9999'] })).toEqual(['epc:04', 'epc:02', 'epc:01']);
      expect(await bags({ from: '2026-03-02T03:00:00.000Z', to: '2026-03-03T04:00:00.000Z' })).toEqual(['epc:03', 'epc:02']);
      expect(await bags({ states: ['received', 'disposed'] })).toEqual(['epc:02', 'epc:01', 'epc:05']);
      expect(await bags({ category: 'sharps' })).toEqual(['epc:02']);
      expect(await bags({ manifest: 'M1', institutions: ['hz-h001'] })).toEqual(['epc:02', 'epc:01']);
      const page = await store.searchBags({ limit: 2, offset: 1 });
      expect({ bags: page.bags.map((b) => b.bag), total: page.total }).toEqual({ bags: ['epc:03', 'epc:02'], total: 5 });
      // Oldest first keeps the never-sealed bag last too.
      expect(await bags({ order: 'oldest' })).toEqual(['epc:01', 'epc:02', 'epc:03', 'epc:04', 'epc:05']);
      expect(await bags({ order: 'newest', limit: 2, offset: 3 })).toEqual(['epc:01', 'epc:05']);
      expect(await bags({ order: 'oldest', institutions: ['hz-h001'], limit: 2 })).toEqual(['epc:01', 'epc:02']);
    });

    it('adds up each local sealing day: bags, grams sealed, bags and grams received (voided bags left out)', async () => {
      await store.upsertBags([
        bagSummary({ bag: 'epc:11', sealedDay: '2026-03-01', sealedGrams: 1000, receivedAt: '2026-03-02T02:00:00.000Z', receivedGrams: 990 }),
        bagSummary({ bag: 'epc:12', sealedDay: '2026-03-02', sealedGrams: 1200, receivedAt: '2026-03-03T02:00:00.000Z', receivedGrams: 1190 }),
        bagSummary({ bag: 'epc:13', sealedDay: '2026-03-02', sealedGrams: 800, receivedAt: '2026-03-03T02:00:00.000Z', receivedGrams: null }),
        bagSummary({ bag: 'epc:14', sealedDay: '2026-03-02', sealedGrams: 500 }),
        bagSummary({ bag: 'epc:15', sealedDay: '2026-03-02', sealedGrams: 700, state: 'voided' }),
        bagSummary({ bag: 'epc:16', sealedDay: '2026-03-03', sealedGrams: 2000 }),
        bagSummary({ bag: 'epc:17', sealedDay: '2026-03-02', sealedGrams: 9000, institution: 'hz-h002' }),
      ]);
      expect(await store.dailyMassBalance('hz-h001', '2026-03-02', '2026-03-03')).toEqual([
        { day: '2026-03-02', bags: 3, sealedGrams: 2500, received: 2, receivedGrams: 1190 },
        { day: '2026-03-03', bags: 1, sealedGrams: 2000, received: 0, receivedGrams: 0 },
      ]);
      expect(await store.dailyMassBalance('hz-h001', '2026-03-05', '2026-03-09')).toEqual([]);
    });

    it('gives the time rules every bag still in custody, and the rest within the lookback', async () => {
      const trail = (bag: string) => ({ bag, tags: [bag], state: 'sealed', steps: [], voided: [], anomalies: [] }) as BagTrail;
      await store.upsertBags([
        { ...bagSummary({ bag: 'epc:21', state: 'stored', lastStepAt: '2026-01-01T00:00:00.000Z', sealedAt: '2026-01-01T00:00:00.000Z' }), trail: trail('epc:21') },
        { ...bagSummary({ bag: 'epc:22', state: 'disposed', lastStepAt: '2026-01-02T00:00:00.000Z', sealedAt: '2026-01-01T00:00:00.000Z' }), trail: trail('epc:22') },
        { ...bagSummary({ bag: 'epc:23', state: 'disposed', lastStepAt: '2026-03-02T00:00:00.000Z', sealedAt: '2026-03-01T00:00:00.000Z' }), trail: trail('epc:23') },
        { ...bagSummary({ bag: 'epc:24', state: 'voided', lastStepAt: null, sealedAt: '2026-02-01T00:00:00.000Z' }), trail: trail('epc:24') },
      ]);
      const inPlay = async (since: string) => {
        const seen: BagTrail[] = [];
        const visited = await store.eachBagTrailInPlay(since, (trail) => seen.push(trail));
        expect(visited).toBe(seen.length);
        return seen.map((t) => t.bag).sort();
      };
      expect(await inPlay('2026-02-15T00:00:00.000Z')).toEqual(['epc:21', 'epc:23']);
      expect(await inPlay('2026-01-15T00:00:00.000Z')).toEqual(['epc:21', 'epc:23', 'epc:24']);
    });

    it('gives back a trail with steps whole, from the bag and from the time rules\' stream', async () => {
      const trail = { ...trailWithEveryField(), bag: 'epc:31', tags: ['epc:31', 'qr:31'] };
      await store.upsertBags([{ ...bagSummary({ bag: 'epc:31', tags: trail.tags, state: 'voided', lastStepAt: '2026-03-02T10:00:00.000Z', sealedAt: '2026-03-02T08:00:00.000Z' }), trail }]);
      expect(await store.bagTrail('epc:31')).toEqual(trail);
      const streamed: BagTrail[] = [];
      await store.eachBagTrailInPlay('2026-03-01T00:00:00.000Z', (t) => streamed.push(t));
      expect(streamed).toEqual([trail]);
    });

    it('gives every bag in play exactly once, however many reads that takes', async () => {
      const bags = Array.from({ length: 2_500 }, (_, i) => `epc:${String(i).padStart(5, '0')}`);
      await store.upsertBags(
        bags.map((bag, i) => ({
          ...bagSummary({ bag, state: i % 2 === 0 ? 'stored' : 'disposed', lastStepAt: '2026-01-01T00:00:00.000Z', sealedAt: '2026-01-01T00:00:00.000Z' }),
          trail: { bag, tags: [bag], state: 'stored', steps: [], voided: [], anomalies: [] } as BagTrail,
        })),
      );
      const seen: string[] = [];
      // Other work (an API request) gets its turn while a city's trails stream: the read does not hold the event loop.
      let turns = 0;
      const other = setInterval(() => turns++, 0);
      let turnsBeforeLast = 0;
      try {
        expect(
          await store.eachBagTrailInPlay('2026-02-01T00:00:00.000Z', (t) => {
            seen.push(t.bag);
            if (seen.length === 1_250) turnsBeforeLast = turns;
          }),
        ).toBe(1_250);
      } finally {
        clearInterval(other);
      }
      expect(seen.sort()).toEqual(bags.filter((_, i) => i % 2 === 0));
      expect(turnsBeforeLast).toBeGreaterThan(0);
    });

    it('finds the corrections of records, which name no tag', async () => {
      const correction = (seq: number, target: { device: string; seq: number }): NewRecord => ({
        ...record('dev-c', seq, h(String(seq))),
        type: 'correction',
        body: { target: { ...target, hash: h('a') }, action: 'void', reason: 'test bag', authorisedBy: 'badge-0001' },
      });
      await store.appendRecords({ records: [record('dev-a', 1, h('a'), [BAG_B]), correction(1, { device: 'dev-a', seq: 1 }), correction(2, { device: 'dev-b', seq: 9 }), correction(3, { device: 'dev-a', seq: 1 })], quarantine: [], acks: [] });
      expect((await store.correctionsFor([{ device: 'dev-a', seq: 1 }])).map((r) => `${r.device}#${r.seq}`)).toEqual(['dev-c#1', 'dev-c#3']);
      expect((await store.correctionsFor([{ device: 'dev-b', seq: 9 }, { device: 'dev-a', seq: 2 }])).map((r) => r.seq)).toEqual([2]);
      expect(await store.correctionsFor([])).toEqual([]);
      const events = await store.correctionEventsFor([{ device: 'dev-a', seq: 1 }]);
      expect(events.map((r) => `${r.device}#${r.seq}`)).toEqual(['dev-c#1', 'dev-c#3']);
      expect(events[0]).toEqual({ id: expect.any(Number), device: 'dev-c', seq: 1, hash: h('1'), deviceTime: expect.any(String), type: 'correction', body: expect.objectContaining({ action: 'void' }) });
      expect(await store.correctionEventsFor([])).toEqual([]);
      // More targets than one statement takes: the ones with corrections are found in any chunk.
      const many = [...Array.from({ length: 1200 }, (_, i) => ({ device: 'dev-x', seq: i + 1 })), { device: 'dev-a', seq: 1 }, { device: 'dev-b', seq: 9 }];
      expect((await store.correctionEventsFor(many)).map((r) => `${r.device}#${r.seq}`)).toEqual(['dev-c#1', 'dev-c#2', 'dev-c#3']);
    });
  });

  describe('the manifest projection', () => {
    const issuedOnly = (m: string, time: string) => buildManifest(m, [issued(m, time, [{ tag: bagTag(7), grams: 500 }])])!;

    it('keeps a manifest whole, replaces it by number, and finds it again', async () => {
      const m = buildManifest('M-1', partialRefusal('M-1'))!;
      await store.upsertManifests([issuedOnly('M-1', '2026-03-02T02:00:00.000Z')]);
      expect((await store.manifest('M-1'))?.status).toBe('signed-by-producer');
      await store.upsertManifests([m]);
      expect(await store.manifest('M-1')).toEqual(m);
      expect(await store.manifest('M-2')).toBeUndefined();
      await store.upsertManifests([]);
    });

    it('stores more manifests in one call than one multi-row insert takes, each once, all or none', async () => {
      const many = Array.from({ length: 100 }, (_, i) => issuedOnly(`M-${String(i).padStart(3, '0')}`, '2026-03-02T02:00:00.000Z'));
      await store.upsertManifests([...many].reverse());
      await store.upsertManifests(many.slice(40, 60));
      const kept = await store.searchManifests({ limit: 1000 });
      expect(kept.total).toBe(100);
      expect(kept.manifests.map((m) => m.manifest)).toEqual(many.map((m) => m.manifest));
      // A manifest the schema refuses (a status outside its CHECK) fails the whole call: the first chunk is not left behind.
      const refused = { ...issuedOnly('M-900', '2026-03-02T02:00:00.000Z'), status: 'lost' as never };
      const batch = [...Array.from({ length: 60 }, (_, i) => issuedOnly(`M-5${String(i).padStart(2, '0')}`, '2026-03-02T02:00:00.000Z')), refused];
      await expect(store.upsertManifests(batch)).rejects.toThrow();
      expect((await store.searchManifests({ limit: 1000 })).total).toBe(100);
    });

    it('searches by party, scope, vehicle, status, time, discrepancy and openness, newest first (or oldest, or by number), a page at a time', async () => {
      const closedPartial = buildManifest('M-1', partialRefusal('M-1'))!;
      const open = issuedOnly('M-2', '2026-03-03T02:00:00.000Z');
      const sentNoIssue = buildManifest('M-3', [pickedUp('M-3', '2026-03-04T02:00:00.000Z', [bagTag(8)], 300)])!;
      await store.upsertManifests([closedPartial, open, sentNoIssue]);
      const ids = async (f: Parameters<CustodyStore['searchManifests']>[0]) => {
        const r = await store.searchManifests(f);
        return [r.manifests.map((m) => m.manifest), r.total];
      };
      expect(await ids({})).toEqual([['M-3', 'M-2', 'M-1'], 3]);
      expect(await ids({ producer: 'hz-h001' })).toEqual([['M-2', 'M-1'], 2]);
      expect(await ids({ receiver: 'hz-d01', transporter: 'hz-t01' })).toEqual([['M-2', 'M-1'], 2]);
      expect(await ids({ parties: { institutions: ['hz-d01'], vehicles: [] } })).toEqual([['M-2', 'M-1'], 2]);
      // A manifest not issued yet is found by its vehicle.
      expect(await ids({ parties: { institutions: ['nobody'], vehicles: [PLATE] } })).toEqual([['M-3', 'M-2', 'M-1'], 3]);
      expect(await ids({ parties: { institutions: [], vehicles: [] } })).toEqual([[], 0]);
      expect(await ids({ vehicle: PLATE, statuses: ['processed', 'sent'] })).toEqual([['M-3', 'M-1'], 2]);
      expect(await ids({ statuses: [] })).toEqual([[], 0]);
      expect(await ids({ from: '2026-03-03T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' })).toEqual([['M-2'], 1]);
      expect(await ids({ discrepant: true })).toEqual([['M-1'], 1]);
      expect(await ids({ discrepant: false, open: true })).toEqual([['M-3', 'M-2'], 2]);
      expect(await ids({ open: false })).toEqual([['M-1'], 1]);
      expect(await ids({ manifest: 'M-2' })).toEqual([['M-2'], 1]);
      expect(await ids({ limit: 1, offset: 1 })).toEqual([['M-2'], 3]);
      expect(await ids({ order: 'oldest' })).toEqual([['M-1', 'M-2', 'M-3'], 3]);
      expect(await ids({ order: 'oldest', limit: 1, offset: 1 })).toEqual([['M-2'], 3]);
      expect(await ids({ order: 'number', producer: 'hz-h001' })).toEqual([['M-1', 'M-2'], 2]);
    });

    it('gives the rules every open manifest, and closed ones signed within the lookback', async () => {
      await store.upsertManifests([buildManifest('M-1', partialRefusal('M-1'))!, issuedOnly('M-2', '2026-02-01T02:00:00.000Z')]);
      expect((await store.manifestsInPlay('2026-03-01T00:00:00.000Z')).map((m) => m.manifest)).toEqual(['M-1', 'M-2']);
      expect((await store.manifestsInPlay('2026-03-05T00:00:00.000Z')).map((m) => m.manifest)).toEqual(['M-2']);
    });
  });

  describe('supervision', () => {
    const alertRow = (over: Partial<NewAlert> & { rule: string; dedupeKey: string }): NewAlert => ({
      severity: 'warning',
      currentSeverity: 'warning',
      subject: `test:${over.dedupeKey}`,
      title: 'an alert',
      messageKey: over.rule,
      params: {},
      institution: null,
      jurisdiction: null,
      bag: null,
      device: null,
      status: 'open',
      escalationLevel: 1,
      openedAt: '2026-03-03T00:00:00.000Z',
      awaitingAckSince: '2026-03-03T00:00:00.000Z',
      acknowledgedAt: null,
      acknowledgedBy: null,
      acknowledgeNote: null,
      resolvedAt: null,
      resolvedBy: null,
      note: null,
      since: '2026-03-03T00:00:00.000Z',
      conditionClearedAt: null,
      evidence: [],
      occurrences: 1,
      lastSeenAt: '2026-03-03T00:00:00.000Z',
      details: {},
      ...over,
    });
    const violation = (over: Partial<NewViolation> = {}): NewViolation => ({
      institution: 'hz-h001',
      violation: 'storage-overdue',
      points: 2,
      alertId: null,
      note: 'seen on site',
      confirmedBy: 'reg',
      confirmedAt: '2026-03-04T00:00:00.000Z',
      evidence: { bags: ['epc:01'], records: [{ device: 'dev-a', seq: 1, hash: h('a') }, { device: 'dev-a', seq: 2 }] },
      ...over,
    });
    const frame: DrawFrame = {
      version: 1,
      jurisdiction: 'hz',
      period: '2026-Q2',
      ratio: 0.125,
      inspectorsPerInstitution: 1,
      institutions: [{ id: 'hz-h001', riskClass: 'B', weight: 2 }],
      inspectors: [{ id: 'i1', conflicts: [] }],
    };

    it('keeps one confirmed violation per alert, with its evidence, newest first', async () => {
      await seedPlaces(store);
      const a = await store.insertAlert(alertRow({ rule: 'storage-overdue', dedupeKey: 'k1', institution: 'hz-h001' }));
      const first = await store.insertViolation(violation({ alertId: a!.id }));
      expect(first).toEqual({ ...violation({ alertId: a!.id }), id: first!.id, inspectionId: null });
      expect(await store.insertViolation(violation({ alertId: a!.id, violation: 'integrity' }))).toBeUndefined();
      expect(await store.violationOfAlert(a!.id)).toEqual(first);
      expect(await store.violationOfAlert(a!.id + 1)).toBeUndefined();
      const later = await store.insertViolation(violation({ confirmedAt: '2026-03-05T00:00:00.000Z', institution: 'hz-h002' }));
      expect((await store.violations()).map((v) => v.id)).toEqual([later!.id, first!.id]);
      expect((await store.violations({ institutions: ['hz-h001'] })).map((v) => v.id)).toEqual([first!.id]);
      expect((await store.violations({ from: '2026-03-04T12:00:00.000Z' })).map((v) => v.id)).toEqual([later!.id]);
      expect((await store.violations({ to: '2026-03-04T12:00:00.000Z' })).map((v) => v.id)).toEqual([first!.id]);
      expect(await store.violations({ institutions: [] })).toEqual([]);
    });

    it('stores an inspection with its findings as violations, in one go', async () => {
      const { inspection, violations } = await store.insertInspection(
        { institution: 'hz-h001', drawId: null, inspectors: ['i1', 'i2'], date: '2026-03-04', outcome: 'violations', findings: [{ violation: 'inspection-finding', points: 3, note: 'no log' }], recordedBy: 'reg', recordedAt: '2026-03-04T09:00:00.000Z' },
        [violation({ violation: 'inspection-finding', points: 3, evidence: { bags: [], records: [] } })],
      );
      expect(inspection).toMatchObject({ institution: 'hz-h001', inspectors: ['i1', 'i2'], findings: [{ violation: 'inspection-finding', points: 3, note: 'no log' }] });
      expect(violations).toEqual([expect.objectContaining({ inspectionId: inspection.id, alertId: null, points: 3 })]);
      const { id: _id, ...fields } = inspection;
      const pass = (await store.insertInspection({ ...fields, date: '2026-03-05', outcome: 'pass', findings: [] }, [])).inspection;
      expect((await store.inspections()).map((i) => i.id)).toEqual([pass.id, inspection.id]);
      expect(await store.inspections({ institutions: ['hz-h002'] })).toEqual([]);
      expect(await store.inspections({ drawId: 5 })).toEqual([]);
      // Paged: the newest first, the total of all that match.
      const third = (await store.insertInspection({ ...fields, institution: 'hz-h002', date: '2026-03-06', outcome: 'pass', findings: [] }, [])).inspection;
      expect(await store.searchInspections({ limit: 2, offset: 0 })).toEqual({ inspections: [third, pass], total: 3 });
      expect(await store.searchInspections({ limit: 2, offset: 2 })).toEqual({ inspections: [inspection], total: 3 });
      expect(await store.searchInspections({ outcome: 'pass', institutions: ['hz-h001'], limit: 10, offset: 0 })).toEqual({ inspections: [pass], total: 1 });
      expect(await store.searchInspections({ outcome: 'violations', limit: 10, offset: 0 })).toEqual({ inspections: [inspection], total: 1 });
      expect(await store.searchInspections({ institutions: [], limit: 10, offset: 0 })).toEqual({ inspections: [], total: 0 });
      expect(await store.searchInspections({ limit: 10, offset: 5 })).toEqual({ inspections: [], total: 3 });
      await expect(store.insertInspection({ ...fields, outcome: 'nonsense' as 'pass' }, [])).rejects.toThrow();
    });

    it('keeps the inspector pool, and draws that are drawn once', async () => {
      await store.upsertInspector({ id: 'i2', name: 'Li', jurisdiction: 'hz-xh', conflicts: ['hz-h001'] });
      await store.upsertInspector({ id: 'i1', name: 'Zhang', jurisdiction: 'hz', conflicts: [] });
      await store.upsertInspector({ id: 'i2', name: 'Li Hua', jurisdiction: 'hz-xh', conflicts: [] });
      expect(await store.inspectors()).toEqual([
        { id: 'i1', name: 'Zhang', jurisdiction: 'hz', conflicts: [] },
        { id: 'i2', name: 'Li Hua', jurisdiction: 'hz-xh', conflicts: [] },
      ]);
      expect((await store.inspectors({ jurisdictions: ['hz-xh'] })).map((i) => i.id)).toEqual(['i2']);
      expect(await store.inspector('i3')).toBeUndefined();

      const d = await store.insertDraw({ jurisdiction: 'hz', period: '2026-Q2', ratio: 0.125, seed: 'seed', announcedAt: '2026-03-04T00:00:00.000Z', announcedBy: 'reg', frame, frameHash: h('f') });
      expect(d).toMatchObject({ status: 'announced', ratio: 0.125, frame, drawnAt: null, result: null, resultHash: null });
      const other = await store.insertDraw({ jurisdiction: 'hz-xh', period: '2026-Q2', ratio: 0.125, seed: 'seed', announcedAt: '2026-03-04T00:00:00.000Z', announcedBy: 'reg', frame, frameHash: h('f') });
      expect((await store.draws()).map((x) => x.id)).toEqual([other.id, d.id]);
      expect((await store.draws({ jurisdictions: ['hz'] })).map((x) => x.id)).toEqual([d.id]);
      const result: DrawResult = { version: 1, frameHash: h('f'), seed: 'seed', picks: [{ institution: 'hz-h001', inspectors: ['i1'] }] };
      const drawn = await store.completeDraw(d.id, result, h('r'), '2026-03-05T00:00:00.000Z');
      expect(drawn).toMatchObject({ id: d.id, status: 'drawn', result, resultHash: h('r'), drawnAt: '2026-03-05T00:00:00.000Z' });
      expect(await store.completeDraw(d.id, { ...result, seed: 'other' }, h('s'), '2026-03-06T00:00:00.000Z')).toBeUndefined();
      expect(await store.draw(d.id)).toEqual(drawn);
      expect(await store.completeDraw(9999, result, h('r'), '2026-03-05T00:00:00.000Z')).toBeUndefined();
    });

    it('counts alerts per institution and sums sealed bags for the disclosure', async () => {
      await store.insertAlert(alertRow({ rule: 'a', dedupeKey: 'a', institution: 'hz-h001', openedAt: '2026-03-01T00:00:00.000Z' }));
      await store.insertAlert(alertRow({ rule: 'b', dedupeKey: 'b', institution: 'hz-h001', openedAt: '2026-03-03T00:00:00.000Z' }));
      await store.insertAlert(alertRow({ rule: 'c', dedupeKey: 'c', institution: 'hz-h002', openedAt: '2026-03-03T00:00:00.000Z' }));
      await store.insertAlert(alertRow({ rule: 'd', dedupeKey: 'd', institution: null, openedAt: '2026-03-03T00:00:00.000Z' }));
      expect(await store.alertsOpenedPerInstitution('2026-03-02T00:00:00.000Z', '2026-03-04T00:00:00.000Z')).toEqual(new Map([['hz-h001', 1], ['hz-h002', 1]]));

      const sealed = '2026-03-02T01:00:00.000Z';
      await store.upsertBags([
        // Picked up after 47 h and disposed of.
        bagSummary({ bag: 'b1', sealedAt: sealed, sealedGrams: 1000, state: 'disposed', pickedUpAt: '2026-03-04T00:00:00.000Z', receivedGrams: 990, disposedAt: '2026-03-04T05:00:00.000Z' }),
        // Picked up after exactly 48 h, received, not yet disposed of.
        bagSummary({ bag: 'b2', sealedAt: sealed, sealedGrams: 500, state: 'received', pickedUpAt: '2026-03-04T01:00:00.000Z', receivedGrams: 480 }),
        // Picked up after 49 h.
        bagSummary({ bag: 'b3', sealedAt: sealed, sealedGrams: 250, state: 'picked-up', pickedUpAt: '2026-03-04T02:00:00.000Z' }),
        bagSummary({ bag: 'b4', sealedAt: sealed, sealedGrams: 100, state: 'stored' }),
        bagSummary({ bag: 'b5', sealedAt: sealed, sealedGrams: 100, state: 'voided' }),
        bagSummary({ bag: 'b6', sealedAt: '2026-04-01T01:00:00.000Z', sealedDay: '2026-04-01', sealedGrams: 100 }),
        bagSummary({ bag: 'b7', institution: 'hz-h002', sealedGrams: 300 }),
      ]);
      expect(await store.sealedTotals('2026-03-01', '2026-03-31')).toEqual([
        { institution: 'hz-h001', bags: 4, sealedGrams: 1850, disposedBags: 1, disposedGrams: 990, handedOverWithin48h: 2 },
        { institution: 'hz-h002', bags: 1, sealedGrams: 300, disposedBags: 0, disposedGrams: 0, handedOverWithin48h: 0 },
      ]);
      expect(await store.sealedTotals('2026-02-01', '2026-02-28')).toEqual([]);
    });
  });

  describe('storage climate', () => {
    const sample = (seq: number, i: number, time: string, temperature: number, over: Partial<ClimateSampleRow> = {}): ClimateSampleRow => ({
      device: 'hz-h001-store-01',
      seq,
      sample: i,
      hash: h(seq.toString(16)),
      institution: 'hz-h001',
      room: 'R1',
      time,
      temperature,
      humidity: 550,
      outdoor: null,
      ...over,
    });

    it('keeps samples once, answers a room over a window oldest first, the rules\' window, and each room\'s newest', async () => {
      const a = [sample(1, 0, '2026-07-20T14:00:00.000Z', 181), sample(1, 1, '2026-07-20T14:10:00.000Z', -52, { outdoor: 318 }), sample(2, 0, '2026-07-20T14:20:00.000Z', 235)];
      await store.addClimateSamples(a);
      // Delivered again (a resend after a lost ack): kept once, unchanged.
      await store.addClimateSamples([sample(1, 0, '2026-07-20T14:00:00.000Z', 999)]);
      await store.addClimateSamples([sample(1, 0, '2026-07-20T13:00:00.000Z', 170, { device: 'hz-h002-store-01', institution: 'hz-h002' })]);
      await store.addClimateSamples([]);
      expect(await store.climateSamples({ institution: 'hz-h001', room: 'R1', from: '2026-07-20T00:00:00.000Z', to: '2026-07-21T00:00:00.000Z', limit: 100 })).toEqual(a);
      expect(await store.climateSamples({ institution: 'hz-h001', room: 'R1', from: '2026-07-20T14:10:00.000Z', to: '2026-07-20T14:20:00.000Z', limit: 100 })).toEqual([a[1]]);
      expect(await store.climateSamples({ institution: 'hz-h001', room: 'R1', from: '2026-07-20T00:00:00.000Z', to: '2026-07-21T00:00:00.000Z', limit: 2 })).toEqual(a.slice(0, 2));
      expect(await store.climateSamples({ institution: 'hz-h001', room: 'R2', from: '2026-07-20T00:00:00.000Z', to: '2026-07-21T00:00:00.000Z', limit: 100 })).toEqual([]);
      expect((await store.climateSince('2026-07-20T13:00:00.000Z')).map((r) => [r.institution, r.temperature])).toEqual([
        ['hz-h001', 181],
        ['hz-h001', -52],
        ['hz-h001', 235],
        ['hz-h002', 170],
      ]);
      expect(await store.climateSince('2026-07-20T14:15:00.000Z')).toEqual([a[2]]);
      expect(await store.climateRooms()).toEqual([
        { institution: 'hz-h001', room: 'R1', lastTime: '2026-07-20T14:20:00.000Z' },
        { institution: 'hz-h002', room: 'R1', lastTime: '2026-07-20T13:00:00.000Z' },
      ]);
    });
  });

  describe('users and sessions', () => {
    it('creates users and sessions, and forgets expired sessions', async () => {
      const u = await store.createUser({ username: 'reg', passwordHash: '$scrypt$...', role: 'regulator', scope: 'hz', createdAt: '2026-03-01T00:00:00.000Z' });
      expect(await store.userByUsername('reg')).toEqual(u);
      expect(await store.userById(u.id)).toEqual(u);
      await expect(store.createUser({ username: 'reg', passwordHash: 'x', role: 'public', createdAt: '2026-03-01T00:00:00.000Z' })).rejects.toThrow();
      await store.createSession({ tokenHash: 'a', userId: u.id, createdAt: '2026-03-01T00:00:00.000Z', expiresAt: '2026-03-02T00:00:00.000Z' });
      await store.createSession({ tokenHash: 'b', userId: u.id, createdAt: '2026-03-01T00:00:00.000Z', expiresAt: '2026-03-04T00:00:00.000Z' });
      expect(await store.deleteExpiredSessions('2026-03-03T00:00:00.000Z')).toBe(1);
      expect(await store.session('a')).toBeUndefined();
      expect(await store.session('b')).toEqual({ tokenHash: 'b', userId: u.id, createdAt: '2026-03-01T00:00:00.000Z', expiresAt: '2026-03-04T00:00:00.000Z', user: u });
      await store.deleteSession('b');
      expect(await store.session('b')).toBeUndefined();
    });
  });
}
