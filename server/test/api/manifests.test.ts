/**
 * The transfer manifest end to end through the API: each party's station signs its step, the alerting
 * service projects the manifest and runs its rules, and each role reads what it may: issued -> signed by
 * the crew -> received with one bag refused -> closed with the discrepancy, searched, exported as a 联单.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@wastetrail/runtime';
import type { CustodyEvent, DecodedRecord } from '@wastetrail/firmware-protocol';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { startAlerting, type Alerting } from '../../src/alerting/index.ts';
import { tagsOfEvent } from '../../src/custody/index.ts';
import { ruleConfig } from '../../src/rules/index.ts';
import { bearer, commit, D1, H1, NOW, openTestWorld, T1, V1, V2, type TestWorld } from './support.ts';

const M = 'HZ2026030400042';
const X = 'epc:3074257bf7194e4000004201';
const Y = 'epc:3074257bf7194e4000004202';
const Z = 'epc:3074257bf7194e4000004203';
const g = (value: number) => ({ value, unit: 'g' as const });

let w: TestWorld;
let app: ApiInstance;
let alerting: Alerting;

beforeAll(async () => {
  w = await openTestWorld();
  alerting = await startAlerting({ store: w.store, ruleConfig: ruleConfig(), clock: () => w.clock.now, tickMs: 0, logger: silentLogger });
  app = await buildApp(w.deps);
});
afterAll(async () => {
  await alerting.close();
  await app.close();
  await w.cleanup();
});

/** Stores the records as ingest does and hands them to alerting as ingest's hook would. */
async function sign(records: DecodedRecord[]): Promise<void> {
  await commit(w.store, records);
  await alerting.accept(records.map((r) => ({ ...r, receivedAt: r.record.time, tags: tagsOfEvent({ type: r.record.type, body: r.record.body } as CustodyEvent) })));
  await alerting.idle();
}

const get = (url: string, user = 'reg-city') => app.inject({ url, headers: bearer(w, user) });
const manifest = async (user = 'reg-city') => (await get(`/api/v1/manifests/${M}`, user)).json();

describe('a transfer manifest through its lifecycle', () => {
  it('issued by the hospital: signed by the producer, three bags declared', async () => {
    const { h1 } = w.devices;
    await sign([
      h1.sign({ type: 'sealed', body: { tags: [X], category: 'infectious', weight: g(1000), department: 'ICU', staff: 'badge-0101' } }, '2026-03-04T00:00:00.000Z'),
      h1.sign({ type: 'sealed', body: { tags: [Y], category: 'infectious', weight: g(800), department: 'ICU', staff: 'badge-0101' } }, '2026-03-04T00:05:00.000Z'),
      h1.sign({ type: 'sealed', body: { tags: [Z], category: 'sharps', weight: g(1200), department: 'ICU', staff: 'badge-0101' } }, '2026-03-04T00:10:00.000Z'),
      h1.sign(
        {
          type: 'manifest-issued',
          body: {
            manifest: M,
            version: 1,
            producer: H1,
            transporter: T1,
            receiver: D1,
            vehicle: V1,
            bags: [
              { tag: X, category: 'infectious', weight: g(1000) },
              { tag: Y, category: 'infectious', weight: g(800) },
              { tag: Z, category: 'sharps', weight: g(1200) },
            ],
            weight: g(3000),
            issuer: 'badge-0303',
          },
        },
        '2026-03-04T01:00:00.000Z',
      ),
    ]);
    const m = await manifest();
    expect(m).toMatchObject({ manifest: M, status: 'signed-by-producer', version: 1, producer: H1, transporter: T1, receiver: D1, vehicle: V1, declaredBags: 3, declaredGrams: 3000, discrepancies: [] });
    expect(m.signatures.map((s: { step: string }) => s.step)).toEqual(['issued']);
  });

  it('signed by the transport crew at pickup: sent', async () => {
    await sign([w.devices.h1.sign({ type: 'picked-up', body: { bags: [{ tag: X }, { tag: Y }, { tag: Z }], weight: g(3000), giver: 'badge-0303', crew: 'crew-5501', vehicle: V1, manifest: M } }, '2026-03-04T01:30:00.000Z')]);
    const m = await manifest();
    expect(m.status).toBe('sent');
    expect(m.signatures.map((s: { step: string; badge: string }) => `${s.step}:${s.badge}`)).toEqual(['issued:badge-0303', 'picked-up:crew-5501']);
  });

  it('received at the disposal centre, one bag refused: received, partial acceptance', async () => {
    const { d1 } = w.devices;
    await sign([
      d1.sign({ type: 'received', body: { bags: [{ tag: X, weight: g(1004) }, { tag: Y, weight: g(797) }], weight: g(1801), operator: 'op-7001', vehicle: V1, manifest: M } }, '2026-03-04T03:00:00.000Z'),
      d1.sign(
        { type: 'manifest-received', body: { manifest: M, vehicle: V1, accepted: [{ tag: X, weight: g(1004) }, { tag: Y, weight: g(797) }], refused: [{ tag: Z, weight: g(1190), reason: 'container leaking' }], operator: 'op-7001' } },
        '2026-03-04T03:01:00.000Z',
      ),
    ]);
    const m = await manifest();
    expect(m).toMatchObject({ status: 'received', acceptance: 'partial', acceptedBags: 2, acceptedGrams: 1801, refusedBags: 1, refusedGrams: 1190 });
    expect(m.bags.map((b: { tag: string; outcome: string; receivedGrams: number }) => [b.tag, b.outcome, b.receivedGrams])).toEqual([
      [X, 'accepted', 1004],
      [Y, 'accepted', 797],
      [Z, 'refused', 1190],
    ]);
    expect(m.bags[2].refusalReason).toBe('container leaking');
  });

  it('closed by disposal: processed, with the refusal as a discrepancy and an alert filed under the hospital', async () => {
    await sign([w.devices.d1.sign({ type: 'manifest-closed', body: { manifest: M, outcome: 'processed', operator: 'op-7001' } }, '2026-03-04T05:00:00.000Z')]);
    const m = await manifest();
    expect(m.status).toBe('processed');
    expect(m.signatures.map((s: { step: string; party: string; institution: string }) => `${s.step}/${s.party}/${s.institution}`)).toEqual([
      `issued/producer/${H1}`,
      `picked-up/transporter/${H1}`,
      `received/receiver/${D1}`,
      `closed/receiver/${D1}`,
    ]);
    expect(m.discrepancies).toEqual([{ kind: 'refusal', severity: 'discrepancy', stage: 'receipt', refused: [Z], declaredGrams: 1200, receivedGrams: 1190 }]);
    const alerts = (await get('/api/v1/alerts?rule=manifest-discrepancy&lang=zh-CN')).json();
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({ subject: `manifest:${M}`, severity: 'warning', institution: H1 });
    expect(alerts.alerts[0].message).toContain(`转移联单 ${M}`);
    expect(alerts.alerts[0].message).toContain('拒收 1 袋（1.2 千克）');
  });

  it('the manifest is not closed late: a tick past the limit raises nothing for it', async () => {
    w.clock.now = Date.parse('2026-03-10T00:00:00.000Z');
    const report = await alerting.tick();
    expect(report.notices.filter((n) => n.alert.rule === 'manifest-unclosed')).toEqual([]);
    w.clock.now = NOW;
  });
});

describe('searching and scope', () => {
  it('each party sees its own manifest; others are refused; the public sees none', async () => {
    for (const user of ['reg-city', 'reg-g01', 'reg-yuhang', 'admin-h1', 'crew-t1', 'centre-d1']) expect((await get(`/api/v1/manifests/${M}`, user)).statusCode, user).toBe(200);
    for (const user of ['admin-h2', 'crew-t2']) {
      const r = await get(`/api/v1/manifests/${M}`, user);
      expect(r.statusCode, user).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
      expect((await get('/api/v1/manifests', user)).json()).toMatchObject({ manifests: [], total: 0 });
    }
    expect((await get('/api/v1/manifests', 'citizen')).statusCode).toBe(403);
    expect((await get(`/api/v1/manifests/${M}`, 'citizen')).statusCode).toBe(403);
    expect((await get('/api/v1/manifests/NO-SUCH')).json().error.code).toBe('MANIFEST_NOT_FOUND');
  });

  it('names its parties to each party: the disposal centre and the crew see the producing hospital by name, not only the institutions of their own scope', async () => {
    const world = await w.store.institutions();
    const nameOf = (id: string) => world.find((i) => i.id === id)!.name;
    for (const user of ['centre-d1', 'crew-t1', 'admin-h1']) {
      const one = await manifest(user);
      expect(one.partyNames, user).toEqual({ [H1]: nameOf(H1), [T1]: nameOf(T1), [D1]: nameOf(D1) });
      const listed = (await get('/api/v1/manifests', user)).json().manifests.find((m: { manifest: string }) => m.manifest === M);
      expect(listed.partyNames, user).toEqual(one.partyNames);
    }
    // The institutions route stays scoped: the disposal centre is not given the city's list.
    expect((await get('/api/v1/institutions', 'centre-d1')).json().institutions.map((i: { id: string }) => i.id)).not.toContain(H1);
  });

  it("the crew's day: by vehicle and local day; filters by status, discrepancy and openness; a page at a time", async () => {
    const ids = async (q: string, user = 'crew-t1') => {
      const r = (await get(`/api/v1/manifests?${q}`, user)).json();
      return [r.manifests.map((m: { manifest: string }) => m.manifest), r.total];
    };
    expect(await ids(`vehicle=${encodeURIComponent(V1)}&from=2026-03-04&to=2026-03-05`)).toEqual([[M], 1]);
    expect(await ids(`vehicle=${encodeURIComponent(V1)}&from=2026-03-05&to=2026-03-06`)).toEqual([[], 0]);
    expect(await ids(`vehicle=${encodeURIComponent(V2)}`)).toEqual([[], 0]);
    expect(await ids('status=processed&discrepant=true&open=false')).toEqual([[M], 1]);
    expect(await ids('status=sent')).toEqual([[], 0]);
    expect(await ids('limit=1&offset=1')).toEqual([[], 1]);
    expect((await get('/api/v1/manifests?status=lost')).statusCode).toBe(400);
    expect((await get('/api/v1/manifests?open=maybe')).statusCode).toBe(400);
    expect(await ids('sort=oldest')).toEqual([[M], 1]);
    const badSort = await get('/api/v1/manifests?sort=heaviest');
    expect([badSort.statusCode, badSort.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('exports the 联单 as CSV: parties, HW01 codes by category, quantities, weights, vehicle, signature times', async () => {
    const r = await get(`/api/v1/manifests/${M}/export.csv`, 'centre-d1');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = r.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(header).toContain('联单编号 / Manifest number');
    expect(header).toContain('废物代码 / Waste code');
    expect(rows).toHaveLength(2);
    const cells = rows.map((row) => row.split(','));
    expect(cells[0]!.slice(0, 2)).toEqual([M, '1']);
    expect(rows[0]).toContain('HW01 医疗废物,841-001-01,感染性废物 infectious,2,1.800,2,1.801,0,0.000');
    expect(rows[1]).toContain('HW01 医疗废物,841-002-01,损伤性废物 sharps,1,1.200,0,0.000,1,1.190,container leaking');
    expect(rows[0]).toContain('crew-5501 2026-03-04 09:30:00');
    expect(rows[0]).toContain('市第一人民医院 City Hospital No. 1 (hz-h001)');
    expect(rows[0]).toContain(V1);
    expect((await get(`/api/v1/manifests/${M}/export.csv`, 'admin-h2')).statusCode).toBe(403);
  });
});
