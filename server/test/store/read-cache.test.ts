import { describe, expect, it } from 'vitest';
import type { Keyring } from '@wastetrail/firmware-protocol';
import { ReadCache } from '../../src/store/read-cache.ts';

const ring = (n: number): Keyring => ({ devices: new Map([[`dev-${n}`, { id: `dev-${n}`, institution: 'h', stations: [], keys: [] }]]) }) as unknown as Keyring;

describe('ReadCache', () => {
  it('reads once per ttl, again after invalidate(), and does not keep a failed read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const cache = new ReadCache<Keyring>(
      async () => {
        reads++;
        if (fail) throw new Error('database gone');
        return ring(reads);
      },
      { ttlMs: 1000, now: () => now },
    );
    const first = await cache.get();
    expect(await cache.get()).toBe(first);
    now = 999;
    expect(await cache.get()).toBe(first);
    expect(reads).toBe(1);
    now = 1000;
    expect([...(await cache.get()).devices.keys()]).toEqual(['dev-2']);
    cache.invalidate();
    expect([...(await cache.get()).devices.keys()]).toEqual(['dev-3']);
    fail = true;
    cache.invalidate();
    await expect(cache.get()).rejects.toThrow('database gone');
    fail = false;
    expect([...(await cache.get()).devices.keys()]).toEqual(['dev-5']);
  });
});
