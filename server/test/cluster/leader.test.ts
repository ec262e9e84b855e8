/**
 * The leader lease on a real PostgreSQL: one leader among several processes (here: pools), a clean hand
 * over on close, a dead holder's lease taken within the takeover time, and never two leaders at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { leaseTiming, startLeaderElection, type Leadership } from '../../src/cluster/index.ts';
import { freshSchema, sleep, type TestSchema } from './support.ts';

const TAKEOVER_MS = 1200;

describe('the leader lease', () => {
  const open: Array<Leadership | TestSchema> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await ('isLeader' in x ? x.close() : x.cleanup());
  });

  async function elect(db: TestSchema, holder: string): Promise<Leadership> {
    const l = await startLeaderElection({ pool: db.pool(), takeoverMs: TAKEOVER_MS, holder });
    open.push(l);
    return l;
  }

  it('elects exactly one of three, and never two at once while they keep renewing', async () => {
    const db = await freshSchema();
    open.push(db);
    const all = [await elect(db, 'a'), await elect(db, 'b'), await elect(db, 'c')];
    expect(all.filter((l) => l.isLeader()).map((l) => l.holder)).toEqual(['a']);
    for (let i = 0; i < 20; i++) {
      await sleep(TAKEOVER_MS / 10);
      expect(all.filter((l) => l.isLeader()).length).toBeLessThanOrEqual(1);
    }
    expect(all[0]!.isLeader()).toBe(true);
    const { rows } = await db.pool().query('select holder, term from cluster_leases');
    expect(rows).toEqual([{ holder: 'a', term: '1' }]);
  });

  it('hands over on close: another process leads at its next try, with the next term', async () => {
    const db = await freshSchema();
    open.push(db);
    const a = await elect(db, 'a');
    const b = await elect(db, 'b');
    const changes: boolean[] = [];
    b.onChange((leader) => changes.push(leader));
    await a.close();
    const started = Date.now();
    while (!b.isLeader()) {
      expect(Date.now() - started).toBeLessThan(leaseTiming(TAKEOVER_MS).tryEveryMs * 3);
      await sleep(10);
    }
    expect(changes).toEqual([true]);
    const { rows } = await db.pool().query('select holder, term from cluster_leases');
    expect(rows).toEqual([{ holder: 'b', term: '2' }]);
  });

  it('takes the lease of a holder that died (it stopped renewing) within the takeover time', async () => {
    const db = await freshSchema();
    open.push(db);
    // What a process killed just after renewing leaves behind: a lease running its full length.
    await db.pool().query(`insert into cluster_leases values ('leader', 'dead', 7, now(), now() + $1 * interval '1 millisecond')`, [leaseTiming(TAKEOVER_MS).ttlMs]);
    const died = Date.now();
    const b = await elect(db, 'b');
    expect(b.isLeader()).toBe(false);
    while (!b.isLeader()) await sleep(10);
    expect(Date.now() - died).toBeLessThanOrEqual(TAKEOVER_MS);
    const { rows } = await db.pool().query('select holder, term from cluster_leases');
    expect(rows).toEqual([{ holder: 'b', term: '8' }]);
  });

  it('stops counting itself leader before its lease can be taken, when PostgreSQL stops answering', async () => {
    const db = await freshSchema();
    open.push(db);
    const pool = db.pool();
    const a = await startLeaderElection({ pool, takeoverMs: TAKEOVER_MS, holder: 'a' });
    expect(a.isLeader()).toBe(true);
    const { rows } = await pool.query<{ ms: number }>(`select extract(epoch from expires_at - now()) * 1000 as ms from cluster_leases`);
    // Its pool gone: no renewal gets through any more.
    await pool.end();
    const cut = Date.now();
    while (a.isLeader()) await sleep(5);
    expect(Date.now() - cut).toBeLessThan(Number(rows[0]!.ms));
    await a.close();
  });
});
