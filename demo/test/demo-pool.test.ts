import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCity } from '@wastetrail/simulators';
import { seedReferenceData } from '../src/reference-data.ts';
import { openSqliteStore } from '@wastetrail/server';
import { runDraw, shortOfInspectors, type DrawFrame } from '../../server/src/supervision/index.ts';

describe('the demo inspector pool', () => {
  it('seeds a city pool with some conflicts, the same after a restart, enough to draw every hospital', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-demo-pool-'));
    const store = openSqliteStore(join(dir, 'wastetrail.db'));
    try {
      const layout = planCity({ institutions: 3, seed: 1 });
      await seedReferenceData(store, layout);
      const first = await store.inspectors();
      await seedReferenceData(store, layout);
      expect(await store.inspectors()).toEqual(first);
      expect(first.length).toBeGreaterThanOrEqual(6);
      expect(first.length).toBeLessThanOrEqual(8);
      const city = layout.jurisdictions.find((j) => j.level === 'city')!.id;
      expect(first.every((i) => i.jurisdiction === city)).toBe(true);
      expect(first.filter((i) => i.conflicts.length > 0).length).toBeGreaterThan(0);
      const frame: DrawFrame = {
        version: 1,
        jurisdiction: city,
        period: '2026-Q2',
        ratio: 1,
        inspectorsPerInstitution: 2,
        institutions: layout.hospitals.map((h) => ({ id: h.id, riskClass: 'A' as const, weight: 1 })).sort((a, b) => (a.id < b.id ? -1 : 1)),
        inspectors: first.map((i) => ({ id: i.id, conflicts: i.conflicts })),
      };
      expect(shortOfInspectors(frame)).toEqual([]);
      expect(runDraw(frame, 'demo').picks).toHaveLength(layout.hospitals.length);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
