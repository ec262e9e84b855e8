import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import type { DrawFrame, DrawResult } from '../../src/supervision/index.ts';
import { bearer, H1, H2, openTestWorld, type TestWorld } from '../api/support.ts';
import { wastetrail } from './support.ts';

const FRAME: DrawFrame = {
  version: 1,
  jurisdiction: '330100',
  period: '2026-Q2',
  ratio: 0.3,
  inspectorsPerInstitution: 2,
  institutions: Array.from({ length: 12 }, (_, i) => ({ id: `hz-h${String(i + 1).padStart(3, '0')}`, riskClass: i % 4 === 0 ? 'D' : 'A', weight: i % 4 === 0 ? 8 : 1 })),
  inspectors: [
    { id: 'insp-01', conflicts: ['hz-h001'] },
    { id: 'insp-02', conflicts: [] },
    { id: 'insp-03', conflicts: ['hz-h002', 'hz-h003'] },
    { id: 'insp-04', conflicts: [] },
    { id: 'insp-05', conflicts: [] },
  ],
};

let dir: string;
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wt-draw-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wastetrail draw (the real binary)', () => {
  it('prints the result of a frame and seed; the same seed reproduces it, another seed changes it', async () => {
    const frame = file('frame.json', FRAME);
    const a = await wastetrail('draw', '--frame', frame, '--seed', 'lottery-2026-04-01');
    expect(a.code, a.stderr).toBe(0);
    const result = JSON.parse(a.stdout) as DrawResult;
    expect(result.seed).toBe('lottery-2026-04-01');
    expect(result.picks).toHaveLength(4); // ceil(0.3 × 12)
    const again = await wastetrail('draw', '--frame', frame, '--seed', 'lottery-2026-04-01');
    expect(JSON.parse(again.stdout)).toEqual(result);
    const other = JSON.parse((await wastetrail('draw', '--frame', frame, '--seed', 'lottery-2026-04-02')).stdout) as DrawResult;
    expect(other.picks).not.toEqual(result.picks);

    const verified = await wastetrail('draw', '--frame', frame, '--seed', 'lottery-2026-04-01', '--verify', file('result.json', result));
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^result reproduced/);
    const wrongSeed = await wastetrail('draw', '--frame', frame, '--seed', 'lottery-2026-04-02', '--verify', file('result.json', result));
    expect(wrongSeed.code).toBe(1);
    expect(wrongSeed.stdout).toMatch(/^result differs: seed/);
  });

  it('names the first difference of a tampered result: exit 1', async () => {
    const frame = file('frame.json', FRAME);
    const result = JSON.parse((await wastetrail('draw', '--frame', frame, '--seed', 's1')).stdout) as DrawResult;
    const swapped = structuredClone(result);
    const outsider = FRAME.institutions.map((i) => i.id).find((id) => !result.picks.some((p) => p.institution === id))!;
    swapped.picks[1]!.institution = outsider;
    const r = await wastetrail('draw', '--frame', frame, '--seed', 's1', '--verify', file('tampered.json', swapped));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`result differs: picks[1].institution: expected ${result.picks[1]!.institution}, claimed "${outsider}"\n`);
    const inspectors = structuredClone(result);
    inspectors.picks[0]!.inspectors.reverse();
    expect((await wastetrail('draw', '--frame', frame, '--seed', 's1', '--verify', file('tampered2.json', inspectors))).stdout).toMatch(/^result differs: picks\[0\]\.inspectors/);
    // A frame changed after the fact (one weight) gives another frame hash.
    const heavier = structuredClone(FRAME);
    heavier.institutions[1]!.weight = 8;
    const changed = await wastetrail('draw', '--frame', file('frame2.json', heavier), '--seed', 's1', '--verify', file('result.json', result));
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^result differs: frameHash/);
  });

  it('exit 2 for unreadable input or bad usage', async () => {
    expect((await wastetrail('draw', '--frame', join(dir, 'absent.json'), '--seed', 's')).code).toBe(2);
    expect((await wastetrail('draw', '--frame', file('junk.json', '{not json'), '--seed', 's')).code).toBe(2);
    expect((await wastetrail('draw', '--frame', file('f.json', FRAME))).code).toBe(2);
    expect((await wastetrail('draw')).code).toBe(2);
    const unsorted = { ...FRAME, institutions: [...FRAME.institutions].reverse() };
    const r = await wastetrail('draw', '--frame', file('unsorted.json', unsorted), '--seed', 's');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INVALID_FRAME');
  });
});

describe('wastetrail draw on a draw the server published', () => {
  let w: TestWorld;
  let published: { draw: unknown; raw: string };

  beforeAll(async () => {
    w = await openTestWorld();
    const app = await buildApp(w.deps);
    try {
      for (const [id, conflicts] of [['insp-a', [H1]], ['insp-b', []], ['insp-c', [H2]], ['insp-d', []]] as const) {
        await app.inject({ method: 'POST', url: '/api/v1/supervision/inspectors', headers: bearer(w, 'reg-city'), payload: { id, name: `Inspector ${id}`, conflicts } });
      }
      const draw = (await app.inject({ method: 'POST', url: '/api/v1/supervision/draws', headers: bearer(w, 'reg-city'), payload: { period: '2026-Q2', ratio: 1, seed: 'published-seed' } })).json().draw;
      await app.inject({ method: 'POST', url: `/api/v1/supervision/draws/${draw.id}/run`, headers: bearer(w, 'reg-city') });
      const raw = (await app.inject({ url: '/api/v1/public/draws' })).body;
      published = { draw: JSON.parse(raw).items[0], raw };
    } finally {
      await app.close();
    }
  });
  afterAll(async () => w.cleanup());

  it('reproduces it from the draw JSON alone, and catches an altered frame', async () => {
    const d = published.draw as { result: DrawResult; frame: DrawFrame };
    expect(d.result.picks.map((p) => p.institution).sort()).toEqual([H1, H2]);
    const drawFile = file('draw.json', { draw: published.draw });
    const r = await wastetrail('draw', '--draw', drawFile);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(d.result);
    const verified = await wastetrail('draw', '--draw', drawFile, '--verify', drawFile);
    expect([verified.code, verified.stdout.split(':')[0]]).toEqual([0, 'result reproduced']);
    const altered = structuredClone(published.draw) as { frame: DrawFrame };
    altered.frame.inspectors = altered.frame.inspectors.slice(1);
    const bad = await wastetrail('draw', '--draw', file('altered.json', altered));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^frame altered/);
  });
});
