/**
 * Webhook subscriptions to the change feed, on the real server: a subscriber (a local HTTP server)
 * registered through the API receives each change once across a server restart, gets the batch it
 * refused with a 500 again, and can verify every delivery's HMAC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '@wastetrail/gateway';
import { silentLogger } from '@wastetrail/runtime';
import { startSession } from '../../src/auth/index.ts';
import { startChangeDelivery, type ChangeDelivery } from '../../src/changes/webhooks.ts';
import type { Subscription } from '../../src/store/index.ts';
import { parseServerConfig } from '../../src/config/index.ts';
import { verifySignature } from '../../src/notify/index.ts';
import { startServer } from '../../src/server.ts';
import { alertRow, BAG_B, CITY, commit, D1, H1, H2, openTestWorld, seedBags, T1, TestDevice, V1 } from '../api/support.ts';
import { seedWorld } from '../bags/support.ts';
import { webhookReceiver } from '../notify/support.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const g = (value: number) => ({ value, unit: 'g' as const });
const device = new TestDevice('hz-h001-kiosk-07', 'hz-h001', ['department'], 21);

const seal = (n: number) => device.sign({ type: 'sealed', body: { tags: [`epc:3074257bf7194e40000030${String(n).padStart(2, '0')}`], category: 'infectious', weight: g(1000 + n), department: 'ICU', staff: 'badge-0101' } }, `2026-03-02T01:${String(n).padStart(2, '0')}:00.000Z`);

async function until(what: string, pred: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhook subscriptions to the change feed', () => {
  it('deliver each change once across a restart, retry after a 500, and sign every delivery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-changes-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The second delivery is refused once with a 500; everything else is accepted.
    const hook = await webhookReceiver([200, 500, 200]);
    cleanups.push(hook.close);
    const config = parseServerConfig(JSON.stringify({ mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 }, alerting: { tickMs: 3600_000 } }), dir);

    let server = await startServer(config, { logger: silentLogger });
    let running = true;
    cleanups.push(() => (running ? server.close() : undefined));
    await seedWorld(server.store);
    await server.store.registerDevice({ id: device.id, institution: 'hz-h001', stations: ['department'], keys: [{ publicKey: device.publicKey }] });
    const user = await server.store.createUser({ username: 'province', passwordHash: await hashPassword('correct horse battery'), role: 'regulator', scope: 'hz', createdAt: new Date().toISOString() });
    const { token } = await startSession(server.store, user, Date.now());

    // Registered through the API, from the start of the feed; the secret comes back once.
    const res = await fetch(new URL('/api/v1/subscriptions', server.httpUrl), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: hook.url, after: 0 }) });
    expect(res.status).toBe(201);
    const { id, secret } = (await res.json()) as { id: number; secret: string };

    // Changes before the restart: three records (one commit at a time, each projecting its bag) and an alert.
    for (const n of [1, 2, 3]) await commit(server.store, [seal(n)]);
    await server.store.insertAlert(alertRow({ rule: 'device-silent', dedupeKey: `device-silent:device:${device.id}`, subject: `device:${device.id}`, institution: 'hz-h001', jurisdiction: 'hz-xh-g01', device: device.id }));
    const before = await server.store.lastChangeId();
    await until('the changes before the restart acknowledged', async () => (await server.store.subscription(id))!.deliveredThrough === before);
    await server.close();
    running = false;

    // The restart: nothing of the feed's state but the database survives.
    server = await startServer(config, { logger: silentLogger });
    running = true;
    for (const n of [4, 5]) await commit(server.store, [seal(n)]);
    const after = await server.store.lastChangeId();
    expect(after).toBeGreaterThan(before);
    await until('the changes after the restart acknowledged', async () => (await server.store.subscription(id))!.deliveredThrough === after);
    await server.close();
    running = false;

    // Every delivery is signed with the subscription's secret over the raw body; a wrong secret fails.
    for (const r of hook.received) {
      expect(verifySignature(secret, r.body, r.headers['x-wastetrail-signature'] as string, Date.now() / 1000)).toMatchObject({ ok: true });
      expect(r.headers['x-wastetrail-event']).toBe('changes');
    }
    expect(verifySignature('another secret', hook.received[0]!.body, hook.received[0]!.headers['x-wastetrail-signature'] as string, Date.now() / 1000)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });

    const bodies = hook.received.map((r) => JSON.parse(r.body) as ChangeDelivery);
    // The refused (500) batch came again, from the same cursor; each acknowledged change came exactly once.
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    expect(bodies[2]!.changes[0]!.id).toBe(bodies[1]!.changes[0]!.id);
    const acknowledged = bodies.filter((_, i) => i !== 1).flatMap((b) => b.changes.map((c) => c.id));
    expect(acknowledged).toEqual([...Array(after).keys()].map((i) => i + 1));
    expect(bodies.every((b) => b.subscription === id && b.next === b.changes.at(-1)!.id)).toBe(true);
    const kinds = bodies.filter((_, i) => i !== 1).flatMap((b) => b.changes.map((c) => c.kind));
    expect(kinds.filter((k) => k === 'record')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'alert')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'bag')).toHaveLength(5);
    const s = await (async () => {
      const reopened = await startServer(config, { logger: silentLogger });
      try {
        return await reopened.store.subscription(id);
      } finally {
        await reopened.close();
      }
    })();
    expect(s).toMatchObject({ deliveredThrough: after, failures: 0, lastError: null });
  }, 60_000);

  it('two deliverers on one database (two server processes) send each change once, in order, even from a stale list', async () => {
    const w = await openTestWorld({ users: false });
    cleanups.push(() => w.cleanup());
    const hook = await webhookReceiver([200]);
    cleanups.push(hook.close);
    const user = await w.store.createUser({ username: 'province', passwordHash: 'x', role: 'regulator', scope: CITY, createdAt: '2026-03-05T00:00:00.000Z' });
    const sub = await w.store.insertSubscription({ userId: user.id, url: hook.url, secret: 's'.repeat(43), kinds: ['record', 'bag', 'alert'], createdAt: '2026-03-05T00:00:00.000Z', deliveredThrough: 0 });
    await seedBags(w);
    const settings = { pollMs: 3_600_000, batchSize: 3, batchesPerPoll: 1 };
    const a = startChangeDelivery({ store: w.store, settings });
    // B lists the subscriptions before A delivers, and takes the lease only after A released it.
    let stale: Subscription[] = [];
    const slowLister = new Proxy(w.store, { get: (target, key) => (key === 'subscriptions' ? async () => stale : Reflect.get(target, key, target)) });
    const b = startChangeDelivery({ store: slowLister, settings });
    cleanups.push(() => a.close(), () => b.close());
    for (let i = 0; i < 20 && (await w.store.subscription(sub.id))!.deliveredThrough < (await w.store.lastChangeId()); i++) {
      stale = await w.store.subscriptions();
      await a.deliverDue();
      await b.deliverDue();
      await Promise.all([a.deliverDue(), b.deliverDue()]);
    }
    const ids = hook.received.flatMap((r) => (JSON.parse(r.body) as ChangeDelivery).changes.map((c) => c.id));
    // Every change of the kinds subscribed to (the seeded manifests' changes are not among them).
    expect(ids).toEqual((await w.store.changesAfter(0, 1000)).filter((c) => c.kind !== 'manifest').map((c) => c.id));
  });

  it('delivers a transfer manifest change once, to a subscriber its scope covers, with the manifest as the API shows it', async () => {
    const w = await openTestWorld({ users: false });
    cleanups.push(() => w.cleanup());
    const hook = await webhookReceiver([200]);
    cleanups.push(hook.close);
    const user = await w.store.createUser({ username: 'h1-records', passwordHash: 'x', role: 'institution_admin', scope: H1, createdAt: '2026-03-05T00:00:00.000Z' });
    const sub = await w.store.insertSubscription({ userId: user.id, url: hook.url, secret: 's'.repeat(43), kinds: ['manifest'], createdAt: '2026-03-05T00:00:00.000Z', deliveredThrough: 0 });
    const { h1, h2 } = w.devices;
    const issue = (by: TestDevice, manifest: string, producer: string, time: string) =>
      by.sign({ type: 'manifest-issued', body: { manifest, version: 1, producer, transporter: T1, receiver: D1, vehicle: V1, bags: [{ tag: BAG_B, category: 'sharps', weight: g(830) }], weight: g(830), issuer: 'badge-0303' } }, time);
    // H1's manifest and H2's: only H1's reaches H1's subscriber.
    await commit(w.store, [issue(h1, 'HZ2026030500001', H1, '2026-03-05T01:00:00.000Z'), issue(h2, 'HZ2026030500002', H2, '2026-03-05T01:05:00.000Z')]);
    const delivery = startChangeDelivery({ store: w.store, settings: { pollMs: 3_600_000 } });
    cleanups.push(() => delivery.close());
    await delivery.deliverDue();
    // Nothing new: a second round sends nothing again.
    await delivery.deliverDue();
    const bodies = hook.received.map((r) => JSON.parse(r.body) as ChangeDelivery);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.changes.map((c) => `${c.kind}:${c.key}`)).toEqual(['manifest:HZ2026030500001']);
    expect(bodies[0]!.changes[0]!.manifest).toEqual({ ...(await w.store.manifest('HZ2026030500001')), partyNames: expect.any(Object) }); // the names' content: api/manifests.test.ts
    expect(bodies[0]!.changes[0]!.manifest).toMatchObject({ status: 'signed-by-producer', producer: H1, transporter: T1, receiver: D1, declaredGrams: 830 });
    expect(await w.store.subscription(sub.id)).toMatchObject({ deliveredThrough: await w.store.lastChangeId(), failures: 0 });
  });
});
