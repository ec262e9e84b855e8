/**
 * What every CustodyStore must do, whatever the database: run by sqlite.test.ts and pg.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, keyId, parseKeyring, toBase64, utf8 } from '@wastetrail/firmware-protocol';
import type { CustodyStore, NewRecord } from '../../src/store/index.ts';

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
      expect(out).toEqual({ stored: 3, duplicates: [], conflicts: [], acks: [{ device: 'dev-a', seq: 2, hash: h('b') }] });

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

    it('stores a thousand records in one call (chunked inserts)', async () => {
      const records = Array.from({ length: 1200 }, (_, i) => record('dev-bulk', i + 1, (i + 1).toString(16).padStart(64, '0'), [`epc:${(i + 1).toString(16).padStart(8, '0')}`]));
      const out = await store.appendRecords({ records, quarantine: [], acks: [] });
      expect(out.stored).toBe(1200);
      expect(await store.countRecords()).toBe(1200);
      expect((await store.recordsForTags(['epc:00000400'])).map((r) => r.seq)).toEqual([1024]);
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

      expect(await store.revokeDeviceKey('hz-h001-ref-01', keyId(k1.publicKeySpki), '2026-03-01T00:00:00.000Z')).toBe(true);
      expect(await store.revokeDeviceKey('hz-h001-ref-01', keyId(k2.publicKeySpki), '2026-03-01T00:00:00.000Z')).toBe(false);
      expect(await store.revokeDeviceKey('nobody', 'x', '2026-03-01T00:00:00.000Z')).toBe(false);
      const keyring = await store.keyring();
      expect(keyring.devices.get('hz-h001-ref-01')!.keys[0]!.revokedAt).toBe('2026-03-01T00:00:00.000Z');
      expect(keyring.devices.get('hz-h001-sto-01')!.stations).toEqual(['storage', 'pickup']);
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
      expect((await store.institutions({ kind: 'transport' })).map((i) => i.id)).toEqual(['hz-t01']);
      expect((await store.jurisdictions()).map((j) => j.id)).toEqual(['hz', 'hz-xh']);
    });
  });

  describe('alerts', () => {
    const raise = (at: string, details: Record<string, unknown> = {}) =>
      store.openAlert({ rule: 'integrity', severity: 'critical', dedupeKey: 'integrity:dev-a:BAD_SIGNATURE', title: 'bad signature', device: 'dev-a', at, details });

    it('deduplicates while open, acknowledges, resolves, then opens a new one', async () => {
      const first = await raise('2026-03-02T08:00:00.000Z', { n: 1 });
      expect(first.created).toBe(true);
      expect(first.alert).toMatchObject({ status: 'open', escalationLevel: 1, occurrences: 1 });
      const second = await raise('2026-03-02T09:00:00.000Z', { n: 2 });
      expect(second.created).toBe(false);
      expect(second.alert).toMatchObject({ id: first.alert.id, occurrences: 2, lastSeenAt: '2026-03-02T09:00:00.000Z', details: { n: 2 } });

      expect(await store.escalateAlert(first.alert.id, 2)).toMatchObject({ escalationLevel: 2 });
      expect(await store.escalateAlert(first.alert.id, 1)).toBeUndefined();
      expect(await store.acknowledgeAlert(first.alert.id, 'admin', '2026-03-02T10:00:00.000Z')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'admin' });
      expect(await store.acknowledgeAlert(first.alert.id, 'admin', '2026-03-02T10:00:00.000Z')).toBeUndefined();
      // Still not resolved: the same key counts on the acknowledged alert.
      expect((await raise('2026-03-02T10:30:00.000Z')).created).toBe(false);
      expect(await store.resolveAlert(first.alert.id, 'admin', '2026-03-02T11:00:00.000Z', 'device replaced')).toMatchObject({ status: 'resolved', note: 'device replaced' });
      const third = await raise('2026-03-02T12:00:00.000Z');
      expect(third.created).toBe(true);
      expect(await store.alerts({ status: ['open', 'acknowledged'] })).toHaveLength(1);
      expect(await store.alerts({ device: 'dev-a' })).toHaveLength(2);
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
      expect(await store.session('b')).toMatchObject({ userId: u.id });
      await store.deleteSession('b');
      expect(await store.session('b')).toBeUndefined();
    });
  });
}
