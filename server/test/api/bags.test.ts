import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, decodeRecordBytes } from '@wastetrail/firmware-protocol';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { startSession } from '../../src/auth/index.ts';
import { BAG_A, BAG_A_QR, BAG_B, BAG_C, BAG_D, bearer, D1, H1, LABEL_B, NOW, openTestWorld, seedBags, T1, T2, V1, V2, VEHICLE_IDS, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;
const enc = encodeURIComponent;

beforeAll(async () => {
  w = await openTestWorld();
  await seedBags(w);
  app = await buildApp(w.deps);
});
afterAll(async () => {
  await app.close();
  await w.cleanup();
});

const get = (url: string, user = 'reg-city') => app.inject({ url, headers: bearer(w, user) });

describe("a bag's trail", () => {
  it('shows steps, holders, places, weights, dwell times, corrections and every record re-verified', async () => {
    const r = await get(`/api/v1/bags/${enc(BAG_A)}`);
    expect(r.statusCode).toBe(200);
    const t = r.json();
    expect(t).toMatchObject({ bag: BAG_A, tags: [BAG_A, BAG_A_QR], state: 'disposed', institution: H1, department: 'ICU', category: 'infectious', sealedGrams: 1250, currentDwellMs: null });
    expect(t.steps.map((s: { step: string; holder: { kind: string; id: string }; grams?: number; institution: string }) => [s.step, s.holder.kind, s.holder.id, s.grams ?? null, s.institution])).toEqual([
      ['sealed', 'department', 'ICU', 1250, H1],
      ['collected', 'internal-collector', 'badge-0207', 1249, H1],
      ['stored', 'storage-room', 'STORE-1', 1248, H1],
      ['picked-up', 'transport-crew', V1, 1247, H1],
      ['received', 'disposal-centre', D1, 1246, D1],
      ['disposed', 'destroyed', 'KILN2-20260303-01', null, D1],
    ]);
    expect(t.steps[0].badges).toEqual(['badge-0101']);
    expect(t.steps[3]).toMatchObject({ vehicle: V1, manifest: 'HZ2026030300017', badges: ['badge-0303', 'crew-5501'] });
    expect(t.steps[5]).toMatchObject({ method: 'incineration', batch: 'KILN2-20260303-01' });
    expect(t.steps[1].amended).toMatchObject({ reason: 'scale read before the cart settled', by: { device: 'hz-h001-kiosk-01', seq: 5 } });
    expect(t.steps.map((s: { dwellMs?: number }) => s.dwellMs)).toEqual([2 * 3_600_000, 3_600_000, 21 * 3_600_000, 2 * 3_600_000, 2 * 3_600_000, undefined]);
    expect(t.places).toEqual([
      { id: D1, name: '余杭医废处置中心 Yuhang Disposal Centre', kind: 'disposal' },
      { id: H1, name: '市第一人民医院 City Hospital No. 1', kind: 'hospital' },
    ]);
    expect(t.anomalies).toEqual([]);
    // sealed, collected, stored, the correction, picked-up, received, disposed.
    expect(t.verification).toEqual({ records: 7, verified: 7, failed: 0 });
    expect(t.records.map((x: { type: string; verified: boolean }) => `${x.type}:${x.verified}`)).toEqual([
      'sealed:true',
      'collected:true',
      'stored:true',
      'correction:true',
      'picked-up:true',
      'received:true',
      'disposed:true',
    ]);
    expect(t.records[0]).toMatchObject({ device: 'hz-h001-kiosk-01', seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/), kid: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('any tag, and a label, lead to the same bag', async () => {
    const byId = (await get(`/api/v1/bags/${enc(BAG_A)}`)).json();
    expect((await get(`/api/v1/tags/${enc(BAG_A_QR)}`)).json()).toEqual(byId);
    expect((await get(`/api/v1/bags/${enc(BAG_A_QR)}`)).json()).toEqual(byId);
    expect((await get(`/api/v1/labels/${enc('WT-A-SECOND-TAG')}`)).json()).toEqual(byId);
    const b = (await get(`/api/v1/labels/${enc(LABEL_B)}`)).json();
    expect(b).toMatchObject({ bag: BAG_B, state: 'stored', category: 'sharps' });
    // In storage since 2026-03-02T04:00Z; the clock says 2026-03-05T00:00Z.
    expect(b.currentDwellMs).toBe(68 * 3_600_000);
  });

  it('a mistyped label is caught by its check character; an unknown tag is BAG_NOT_FOUND', async () => {
    const swapped = LABEL_B.replace('ICU', 'IUC');
    const r = await get(`/api/v1/labels/${enc(swapped)}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'LABEL_INVALID', field: 'params.label' });
    const missing = await get(`/api/v1/tags/${enc('epc:00112233445566778899aabb')}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('BAG_NOT_FOUND');
  });

  it('a record whose stored bytes were changed shows as unverified, and is left out of the custody shown', async () => {
    const local = await openTestWorld({ users: true });
    await seedBags(local);
    const localApp = await buildApp(local.deps);
    // Read once first: the signatures found valid are remembered, and that must not cover a changed row.
    const before = (await localApp.inject({ url: `/api/v1/bags/${enc(BAG_C)}`, headers: bearer(local, 'reg-city') })).json();
    expect(before.verification).toEqual({ records: 2, verified: 2, failed: 0 });
    // Edit the stored picked-up record of bag C behind the store's back.
    const row = local.store.db.$client.prepare("select device, seq, bytes from records where type = 'picked-up' and device = 'hz-h002-kiosk-01' order by seq limit 1").get() as { device: string; seq: number; bytes: Buffer };
    const forged = Buffer.from(row.bytes.toString('utf8').replace('"value":1998', '"value":1098'));
    local.store.db.$client.prepare('update records set bytes = ? where device = ? and seq = ?').run(forged, row.device, row.seq);
    const t = (await localApp.inject({ url: `/api/v1/bags/${enc(BAG_C)}`, headers: bearer(local, 'reg-city') })).json();
    expect(t.verification).toEqual({ records: 2, verified: 1, failed: 1 });
    expect(t.records.find((x: { seq: number }) => x.seq === row.seq)).toMatchObject({ verified: false, error: { code: 'BAD_SIGNATURE' } });
    expect(t.steps.map((s: { step: string }) => s.step)).toEqual(['sealed']);
    await localApp.close();
    await local.cleanup();
  });
});

describe('bag search', () => {
  const bags = async (query: string, user = 'reg-city') => {
    const r = await get(`/api/v1/bags${query}`, user);
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { bags: { bag: string }[]; total: number; limit: number; offset: number };
  };
  const ids = (r: { bags: { bag: string }[] }) => r.bags.map((b) => b.bag);

  it('newest sealed first, or oldest first, paged', async () => {
    expect(ids(await bags(''))).toEqual([BAG_D, BAG_C, BAG_B, BAG_A]);
    const page = await bags('?limit=2&offset=1');
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(ids(page)).toEqual([BAG_C, BAG_B]);
    expect(ids(await bags('?sort=oldest'))).toEqual([BAG_A, BAG_B, BAG_C, BAG_D]);
    expect(await bags('?sort=oldest&limit=1&offset=3')).toMatchObject({ bags: [{ bag: BAG_D }], total: 4 });
    const bad = await get('/api/v1/bags?sort=heaviest', 'reg-city');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'query.sort' });
  });

  it('by state, category, manifest, institution, disposal centre and vehicle', async () => {
    expect(ids(await bags('?state=stored'))).toEqual([BAG_B]);
    expect(ids(await bags('?state=received&state=disposed'))).toEqual([BAG_D, BAG_A]);
    expect(ids(await bags('?category=pathological'))).toEqual([BAG_C]);
    expect(ids(await bags('?manifest=HZ2026030300017'))).toEqual([BAG_D, BAG_A]);
    expect(ids(await bags(`?institution=${H1}`))).toEqual([BAG_B, BAG_A]);
    expect(ids(await bags(`?disposalInstitution=${D1}`))).toEqual([BAG_D, BAG_A]);
    expect(ids(await bags(`?vehicle=${encodeURIComponent(V1)}`))).toEqual([BAG_D, BAG_A]);
  });

  it("a transport company's scope is its registered vehicles, however long ago they carried the bags", async () => {
    // Sessions made now (a sweep at a later time would end every other test's session) that outlive the jump below.
    const tokens: Record<string, string> = {};
    for (const user of ['crew-t1', 'crew-t2']) tokens[user] = (await startSession(w.store, (await w.store.userByUsername(user))!, w.clock.now, 400 * 86_400_000)).token;
    const crew = async (user: string, query = '') => {
      const r = await app.inject({ url: `/api/v1/bags${query}`, headers: { authorization: `Bearer ${tokens[user]}` } });
      expect(r.statusCode, r.body).toBe(200);
      return ids(r.json());
    };
    const saved = w.clock.now;
    try {
      w.clock.now = NOW + 365 * 86_400_000;
      expect(await crew('crew-t1')).toEqual([BAG_D, BAG_A]);
      expect(await crew('crew-t2')).toEqual([BAG_C]);
      expect(await crew('crew-t1', `?vehicle=${encodeURIComponent(V2)}`)).toEqual([]);
      // A vehicle registered to the company counts at once, with or without bags.
      await w.store.upsertVehicle({ id: 'hz-t001-v9', company: T1, plate: '浙A0001' });
      expect(await crew('crew-t1', `?vehicle=${encodeURIComponent('浙A0001')}`)).toEqual([]);
      await w.store.upsertVehicle({ id: VEHICLE_IDS[V2], company: T1, plate: V2 });
      expect(await crew('crew-t1')).toEqual([BAG_D, BAG_C, BAG_A]);
      expect(await crew('crew-t2')).toEqual([]);
    } finally {
      await w.store.upsertVehicle({ id: VEHICLE_IDS[V2], company: T2, plate: V2 });
      w.clock.now = saved;
    }
  });

  it('by sealing time: local days (Asia/Shanghai by default, `to` inclusive) or instants', async () => {
    // Sealed 2026-03-02 09:00-10:10 in Hangzhou, 01:00-02:10 UTC.
    expect((await bags('?from=2026-03-02&to=2026-03-02')).total).toBe(4);
    expect((await bags('?from=2026-03-03')).total).toBe(0);
    expect((await bags('?to=2026-03-01')).total).toBe(0);
    expect(ids(await bags('?from=2026-03-02T01:30:00Z'))).toEqual([BAG_D, BAG_C]);
    expect(ids(await bags('?to=2026-03-02T09:30:00%2B08:00'))).toEqual([BAG_B, BAG_A]);
    // In UTC the same bags fall on 2026-03-02 too; in Los Angeles, on 2026-03-01.
    expect((await bags('?from=2026-03-01&to=2026-03-01&timeZone=America/Los_Angeles')).total).toBe(4);
  });
});

describe('the audit bundle', () => {
  it("holds the bag's records exactly as stored, and the keys of the devices that signed them", async () => {
    const r = await get(`/api/v1/bags/${enc(BAG_A)}/bundle`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toBe('attachment; filename="wastetrail-bundle-epc_3074257bf7194e4000001a01.json"');
    const bundle = r.json();
    expect(bundle).toMatchObject({ format: 'wastetrail.bundle.v1', bag: BAG_A, generatedAt: '2026-03-05T00:00:00.000Z' });
    expect(Object.keys(bundle.keyring.devices)).toEqual(['hz-d001-line-01', 'hz-h001-kiosk-01']);
    expect(bundle.keyring.format).toBe('wastetrail.keyring.v1');
    expect(bundle.records).toHaveLength(7);
    const stored = w.store.db.$client.prepare('select device, seq, bytes, signature from records').all() as { device: string; seq: number; bytes: Buffer; signature: Buffer }[];
    const order: string[] = [];
    for (const line of bundle.records as string[]) {
      const env = decodeEnvelope(line);
      expect(env.ok).toBe(true);
      if (!env.ok) continue;
      const rec = decodeRecordBytes(env.value.bytes);
      if (!rec.ok) throw new Error(rec.error.message);
      const row = stored.find((s) => s.device === rec.value.device && s.seq === rec.value.seq)!;
      expect(Buffer.from(env.value.bytes).equals(row.bytes)).toBe(true);
      expect(Buffer.from(env.value.signature).equals(row.signature)).toBe(true);
      order.push(`${rec.value.device}#${rec.value.seq}`);
    }
    // By device, then seq.
    expect(order).toEqual(['hz-d001-line-01#1', 'hz-d001-line-01#2', 'hz-h001-kiosk-01#1', 'hz-h001-kiosk-01#3', 'hz-h001-kiosk-01#4', 'hz-h001-kiosk-01#5', 'hz-h001-kiosk-01#6']);
  });
});
