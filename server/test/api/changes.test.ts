import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import type { FeedEntry } from '../../src/changes/feed.ts';
import { eventIdOf } from '../../src/interop/epcis.ts';
import { g } from '../manifests/support.ts';
import { BAG_A, BAG_B, BAG_C, bearer, closeApp, commit, D1, H1, H2, openSeededApp, T1, T2, V1, V2, type SeededAlerts, type TestWorld } from './support.ts';

const M1 = 'HZ2026030400051';
const M2 = 'HZ2026030400052';

let w: TestWorld;
let app: ApiInstance;
let ids: SeededAlerts;

beforeAll(async () => {
  ({ w, app, ids } = await openSeededApp());
});
afterAll(async () => closeApp(w, app));

const get = (url: string, user = 'reg-city') => app.inject({ url, headers: bearer(w, user) });
const feed = async (url: string, user = 'reg-city') => {
  const r = await get(url, user);
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as { changes: FeedEntry[]; next: number };
};

describe('GET /api/v1/changes', () => {
  it('lists every record, bag and alert change in order, each with what changed, and pages by cursor', async () => {
    const all = await feed('/api/v1/changes?limit=1000');
    const last = await w.store.lastChangeId();
    expect(all.next).toBe(last);
    // Every change but those of the two seeded manifests: picked up with no issue stored, they name no
    // party, so only the vehicle's transport company sees them (as GET /api/v1/manifests/{n} does).
    const partyless = (await w.store.changesAfter(0, 1000)).filter((c) => c.kind === 'manifest').map((c) => c.id);
    expect(partyless).toHaveLength(2);
    expect(all.changes.map((c) => c.id)).toEqual([...Array(last).keys()].map((i) => i + 1).filter((id) => !partyless.includes(id)));
    const records = all.changes.filter((c) => c.kind === 'record');
    expect(records).toHaveLength(await w.store.countRecords());
    const sealedA = records.find((c) => c.record!.type === 'sealed' && (c.record!.body as { tags: string[] }).tags.includes(BAG_A))!;
    expect(sealedA.record!.events.map((e) => e.eventID)).toEqual([eventIdOf(sealedA.record!.hash)]);
    expect(all.changes.find((c) => c.kind === 'bag' && c.key === BAG_A)!.bag).toMatchObject({ bag: BAG_A, institution: H1, state: 'disposed' });
    expect(all.changes.filter((c) => c.kind === 'alert').map((c) => c.alert!.id)).toEqual([ids.storage, ids.transit, ids.silent]);

    // Page by page, from each answer's `next`: the same changes, none twice.
    const paged: FeedEntry[] = [];
    for (let after = 0, guard = 0; guard < 100; guard++) {
      const page = await feed(`/api/v1/changes?after=${after}&limit=4`);
      if (page.changes.length === 0) {
        expect(page.next).toBe(after);
        break;
      }
      paged.push(...page.changes);
      after = page.next;
    }
    expect(paged).toEqual(all.changes);
  });

  it('tells of a later change after the cursor, and of an alert acknowledged (its revision bumped)', async () => {
    const before = await w.store.lastChangeId();
    const alert = (await w.store.alert(ids.silent))!;
    await w.store.updateAlert({ ...alert, status: 'acknowledged', acknowledgedAt: '2026-03-05T00:00:00.000Z', acknowledgedBy: 'centre-d1' });
    const page = await feed(`/api/v1/changes?after=${before}`);
    expect(page.changes).toHaveLength(1);
    expect(page.changes[0]).toMatchObject({ kind: 'alert', key: String(ids.silent), alert: { id: ids.silent, status: 'acknowledged' } });
  });

  it('shows each role only its scope; the cursor still moves past what it does not see', async () => {
    const h2 = await feed('/api/v1/changes?limit=1000', 'admin-h2');
    expect(h2.next).toBe(await w.store.lastChangeId());
    expect(new Set(h2.changes.filter((c) => c.kind === 'record').map((c) => c.record!.device))).toEqual(new Set([w.devices.h2.id]));
    expect(h2.changes.filter((c) => c.kind === 'bag').map((c) => c.bag!.institution)).not.toContain(H1);
    expect(h2.changes.filter((c) => c.kind === 'alert').map((c) => c.alert!.id)).toEqual([ids.transit]);
    // Transport sees the bags its vehicles carried, and nothing of the hospitals' devices.
    const t2 = await feed('/api/v1/changes?limit=1000', 'crew-t2');
    expect(t2.changes.filter((c) => c.kind === 'bag').map((c) => c.key)).toEqual([BAG_C]);
    expect(t2.changes.filter((c) => c.kind === 'record')).toEqual([]);
    expect((await get('/api/v1/changes', 'citizen')).statusCode).toBe(403);
  });

  it('tells of each transfer manifest as GET /api/v1/manifests/{n} shows it, to the parties that route shows it to', async () => {
    const { h1, h2 } = w.devices;
    const issue = (by: typeof h1, manifest: string, producer: string, transporter: string, vehicle: string, tag: string, time: string) =>
      by.sign({ type: 'manifest-issued', body: { manifest, version: 1, producer, transporter, receiver: D1, vehicle, bags: [{ tag, category: 'infectious', weight: g(900) }], weight: g(900), issuer: 'badge-0303' } }, time);
    const before = await w.store.lastChangeId();
    await commit(w.store, [issue(h1, M1, H1, T1, V1, BAG_B, '2026-03-04T01:00:00.000Z'), issue(h2, M2, H2, T2, V2, BAG_C, '2026-03-04T01:10:00.000Z')]);
    const manifestsIn = async (user: string) => (await feed(`/api/v1/changes?after=${before}&limit=1000&kind=manifest`, user)).changes;

    const city = await manifestsIn('reg-city');
    expect(city.map((c) => c.key)).toEqual([M1, M2]);
    for (const c of city) expect(c.manifest).toEqual((await get(`/api/v1/manifests/${c.key}`)).json());
    expect(city[0]!.manifest).toMatchObject({ manifest: M1, status: 'signed-by-producer', producer: H1, transporter: T1, receiver: D1 });
    // A hospital sees the manifests it issued, not another hospital's; transport its own; disposal as receiver.
    expect((await manifestsIn('admin-h1')).map((c) => c.key)).toEqual([M1]);
    expect((await manifestsIn('admin-h2')).map((c) => c.key)).toEqual([M2]);
    expect((await get(`/api/v1/manifests/${M2}`, 'admin-h1')).statusCode).toBe(403);
    expect((await manifestsIn('crew-t1')).map((c) => c.key)).toEqual([M1]);
    expect((await manifestsIn('crew-t2')).map((c) => c.key)).toEqual([M2]);
    expect((await manifestsIn('centre-d1')).map((c) => c.key)).toEqual([M1, M2]);

    // Written again unchanged (a projection rebuild): no change. Changed: one, after the cursor, to its parties.
    const now = await w.store.lastChangeId();
    const m2 = (await w.store.manifest(M2))!;
    await w.store.upsertManifests([m2]);
    expect(await w.store.lastChangeId()).toBe(now);
    await w.store.upsertManifests([{ ...m2, status: 'received', receivedAt: '2026-03-04T03:00:00.000Z' }]);
    const seen = await feed(`/api/v1/changes?after=${now}`, 'admin-h2');
    expect(seen.changes.map((c) => `${c.kind}:${c.key}`)).toEqual([`manifest:${M2}`]);
    expect(seen.changes[0]!.manifest).toMatchObject({ manifest: M2, status: 'received', receivedAt: '2026-03-04T03:00:00.000Z' });
    expect(await feed(`/api/v1/changes?after=${now}`, 'admin-h1')).toEqual({ changes: [], next: now + 1 });
    await w.store.upsertManifests([m2]);
  });

  it('takes kinds and a language; refuses a cursor it never gave and values it cannot read', async () => {
    const alerts = await feed('/api/v1/changes?limit=1000&kind=alert&lang=zh-CN');
    expect(new Set(alerts.changes.map((c) => c.kind))).toEqual(new Set(['alert']));
    expect(alerts.changes[0]!.alert!.message).toMatch(/[\u4e00-\u9fff]/);
    const ahead = await get(`/api/v1/changes?after=${(await w.store.lastChangeId()) + 1}`);
    expect(ahead.statusCode).toBe(400);
    expect(JSON.parse(ahead.body).error).toMatchObject({ code: 'CURSOR_AHEAD', field: 'query.after' });
    for (const [query, field] of [['after=-1', 'query.after'], ['after=abc', 'query.after'], ['after=1e3', 'query.after'], ['limit=0', 'query.limit'], ['kind=manifests', 'query.kind.0'], ['since=1', 'query.since']] as const) {
      const r = await get(`/api/v1/changes?${query}`);
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error, query).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
  });
});

describe('/api/v1/subscriptions', () => {
  it('registers a webhook for its owner, shows the secret once, lists and ends only the owner\'s', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: bearer(w, 'reg-city'), payload: { url: 'https://platform.example/hooks/wastetrail', kinds: ['record', 'alert'] } });
    expect(created.statusCode, created.body).toBe(201);
    const s = JSON.parse(created.body) as { id: number; secret: string; deliveredThrough: number; kinds: string[] };
    expect(s.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.deliveredThrough).toBe(await w.store.lastChangeId());
    const list = JSON.parse((await get('/api/v1/subscriptions')).body) as { subscriptions: Array<Record<string, unknown>> };
    expect(list.subscriptions).toEqual([expect.objectContaining({ id: s.id, url: 'https://platform.example/hooks/wastetrail', kinds: ['record', 'alert'] })]);
    expect(list.subscriptions[0]).not.toHaveProperty('secret');
    expect(JSON.parse((await get('/api/v1/subscriptions', 'reg-xihu')).body).subscriptions).toEqual([]);
    const other = await app.inject({ method: 'DELETE', url: `/api/v1/subscriptions/${s.id}`, headers: bearer(w, 'reg-xihu') });
    expect(other.statusCode).toBe(404);
    expect(JSON.parse(other.body).error.code).toBe('SUBSCRIPTION_NOT_FOUND');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/subscriptions/${s.id}`, headers: bearer(w, 'reg-city') })).statusCode).toBe(204);
    expect((await get(`/api/v1/subscriptions/${s.id}`)).statusCode).toBe(404);
  });

  it('refuses a URL that is not http(s), unknown kinds, a cursor ahead, and the public', async () => {
    const post = (payload: unknown, user = 'reg-city') => app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: bearer(w, user), payload: payload as object });
    for (const [payload, code, field] of [
      [{ url: 'ftp://platform.example/x' }, 'VALIDATION_FAILED', 'body.url'],
      [{ url: 'https://platform.example/x', kinds: ['bags'] }, 'VALIDATION_FAILED', 'body.kinds.0'],
      [{ url: 'https://platform.example/x', kinds: [] }, 'VALIDATION_FAILED', 'body.kinds'],
      [{ url: 'https://platform.example/x', after: '3' }, 'VALIDATION_FAILED', 'body.after'],
      [{ url: 'https://platform.example/x', secret: 'mine' }, 'VALIDATION_FAILED', 'body.secret'],
      [{ url: 'https://platform.example/x', after: 1_000_000 }, 'CURSOR_AHEAD', 'body.after'],
    ] as const) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.parse(r.body).error, JSON.stringify(payload)).toMatchObject({ code, field });
    }
    expect((await post({ url: 'https://platform.example/x' }, 'citizen')).statusCode).toBe(403);
  });
});
