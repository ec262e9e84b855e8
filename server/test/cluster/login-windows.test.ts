/** The login limit's windows in PostgreSQL: two processes count the same attempts, and a window ends. */
import { afterEach, describe, expect, it } from 'vitest';
import { pgLoginWindows } from '../../src/cluster/index.ts';
import { freshSchema, type TestSchema } from './support.ts';

describe('login windows shared in PostgreSQL', () => {
  const schemas: TestSchema[] = [];
  afterEach(async () => {
    for (const s of schemas.splice(0)) await s.cleanup();
  });

  it('counts attempts at two processes as one, concurrently, and starts a new window after it ends', async () => {
    const db = await freshSchema();
    schemas.push(db);
    const a = pgLoginWindows(db.pool());
    const b = pgLoginWindows(db.pool());
    const at = 1_700_000_000_000;
    const counts = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).incr('10.0.0.1\nalice', at, 60_000)));
    expect(counts.map((c) => c.count).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await b.read('10.0.0.1\nalice', at + 10, 60_000)).toEqual({ count: 6, startedMs: at });
    expect(await a.read('10.0.0.1\nbob', at + 10, 60_000)).toBeUndefined();
    expect(await a.incr('10.0.0.1\nalice', at + 60_000, 60_000)).toEqual({ count: 1, startedMs: at + 60_000 });
  });
});
