import { describe, expect, it } from 'vitest';
import { TagPresence } from '../../src/devices/tag-presence.ts';

describe('tag presence', () => {
  it('reports arrivals once and departures after lostAfterMs without a read', () => {
    const p = new TagPresence(300);
    expect(p.inventory(['a', 'b'], 0)).toEqual({ arrived: ['a', 'b'], left: [] });
    expect(p.inventory(['a', 'b'], 100)).toEqual({ arrived: [], left: [] });
    expect(p.inventory(['a'], 350)).toEqual({ arrived: [], left: [] });
    expect(p.inventory(['a'], 400)).toEqual({ arrived: [], left: ['b'] });
    // Seen again after leaving: a new arrival.
    expect(p.inventory(['a', 'b'], 500)).toEqual({ arrived: ['b'], left: [] });
    expect(p.has('b')).toBe(true);
    expect(p.inventory([], 900)).toEqual({ arrived: [], left: ['a', 'b'] });
    expect(p.size).toBe(0);
  });
});
