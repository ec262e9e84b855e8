import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, checkFrame, DrawError, DrawStream, firstDifference, frameHash, picksFor, runDraw, shortOfInspectors, type DrawFrame, type RiskClass } from '../../src/supervision/index.ts';

const WEIGHT: Record<RiskClass, number> = { A: 1, B: 2, C: 4, D: 8 };
const CLASSES = ['A', 'B', 'C', 'D'] as const;

/** n institutions of each class, ids hz-<class><nn>, sorted; inspectors i01.. with no conflicts. */
function cityFrame(perClass: number, ratio: number, inspectors = 6): DrawFrame {
  const institutions = CLASSES.flatMap((c) => Array.from({ length: perClass }, (_, i) => ({ id: `hz-${c}${String(i).padStart(2, '0')}`, riskClass: c, weight: WEIGHT[c] })));
  return {
    version: 1,
    jurisdiction: '330100',
    period: '2026-Q2',
    ratio,
    inspectorsPerInstitution: 2,
    institutions: institutions.sort((a, b) => (a.id < b.id ? -1 : 1)),
    inspectors: Array.from({ length: inspectors }, (_, i) => ({ id: `i${String(i + 1).padStart(2, '0')}`, conflicts: [] as string[] })),
  };
}

describe('the random stream', () => {
  it('is SHA-256 in counter mode over the seed and the frame hash, read as big-endian uint32 words', () => {
    const hash = 'ab'.repeat(32);
    const key = createHash('sha256').update(`wastetrail/draw/v1\nS\n${hash}`).digest();
    const block = (i: number) => createHash('sha256').update(Buffer.concat([key, Buffer.from([0, 0, 0, i])])).digest();
    const expected = [...Array.from({ length: 8 }, (_, j) => block(0).readUInt32BE(j * 4)), block(1).readUInt32BE(0)];
    const s = new DrawStream('S', hash);
    expect(Array.from({ length: 9 }, () => s.nextUint32())).toEqual(expected);
  });

  it('draws whole numbers below n without bias: words at or above the last multiple of n are skipped', () => {
    const s = new DrawStream('bias', '00'.repeat(32));
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[s.below(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => s.below(0)).toThrow(RangeError);
  });
});

describe('canonical JSON and the frame hash', () => {
  it('sorts keys at every depth, prints numbers as JavaScript does, and drops undefined', () => {
    expect(canonicalJson({ b: [1, { d: 0.25, c: 'x' }], a: null, u: undefined })).toBe('{"a":null,"b":[1,{"c":"x","d":0.25}]}');
    expect(canonicalJson({ ratio: 0.1 })).toBe('{"ratio":0.1}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    const f = cityFrame(1, 0.5);
    const shuffled = JSON.parse(JSON.stringify({ inspectors: f.inspectors, institutions: f.institutions, version: 1, ratio: 0.5, period: f.period, jurisdiction: f.jurisdiction, inspectorsPerInstitution: 2 }));
    expect(frameHash(shuffled)).toBe(frameHash(f));
    expect(frameHash({ ...f, ratio: 0.25 })).not.toBe(frameHash(f));
  });
});

describe('the draw', () => {
  it('takes ceil(ratio × n) institutions, ratio to 4 decimals', () => {
    expect(picksFor(0.1, 30)).toBe(3); // 0.1 × 30 is 3.0000000000000004 in floating point: still 3
    expect(picksFor(0.2, 11)).toBe(3);
    expect(picksFor(1, 7)).toBe(7);
    expect(picksFor(0.0001, 5)).toBe(1);
    expect(picksFor(0.5, 0)).toBe(0);
  });

  it('reproduces from its seed, and changes with another seed', () => {
    const f = cityFrame(5, 0.25);
    const a = runDraw(f, 'lottery 2026-03-31');
    expect(runDraw(structuredClone(f), 'lottery 2026-03-31')).toEqual(a);
    expect(a).toMatchObject({ version: 1, seed: 'lottery 2026-03-31', frameHash: frameHash(f) });
    expect(a.picks).toHaveLength(5);
    const b = runDraw(f, 'lottery 2026-04-01');
    expect(b.picks.map((p) => p.institution)).not.toEqual(a.picks.map((p) => p.institution));
    // Each institution at most once; each pick's inspectors distinct.
    expect(new Set(a.picks.map((p) => p.institution)).size).toBe(5);
    for (const p of a.picks) expect(new Set(p.inspectors).size).toBe(2);
    // The frame is part of the key: the same seed over another frame draws differently.
    expect(runDraw({ ...f, period: '2026-Q3' }, 'lottery 2026-03-31').picks).not.toEqual(a.picks);
  });

  it('pins a known answer (docs/server/supervision.md), so a reimplementation can check itself', () => {
    const f = cityFrame(2, 0.5, 4);
    f.inspectors[0]!.conflicts = ['hz-D00'];
    const r = runDraw(f, 'wastetrail');
    expect(r.frameHash).toBe('2ed531b8accb2d4b86c0acbe6c0f56cc8b9dcf92c43620b026f3d3a6a5b5e5c7');
    expect(r.picks).toEqual(KNOWN_ANSWER);
  });

  it('leans toward higher risk: over 2000 fixed seeds the first pick follows the weights', () => {
    const f = cityFrame(10, 0.1);
    const first: Record<RiskClass, number> = { A: 0, B: 0, C: 0, D: 0 };
    const any: Record<RiskClass, number> = { A: 0, B: 0, C: 0, D: 0 };
    const N = 2000;
    for (let i = 0; i < N; i++) {
      const r = runDraw(f, `seed-${i}`);
      const cls = (id: string) => id.charAt(3) as RiskClass;
      first[cls(r.picks[0]!.institution)]++;
      for (const p of r.picks) any[cls(p.institution)]++;
    }
    // Expected first-pick shares: weight ÷ 150 per institution, i.e. 1/15, 2/15, 4/15, 8/15 per class.
    const chi2 = CLASSES.reduce((s, c) => {
      const e = (N * WEIGHT[c]) / 15;
      return s + (first[c] - e) ** 2 / e;
    }, 0);
    expect(chi2).toBeLessThan(16.27); // 3 degrees of freedom, p = 0.001
    expect(any.A).toBeLessThan(any.B);
    expect(any.B).toBeLessThan(any.C);
    expect(any.C).toBeLessThan(any.D);
    // An unweighted frame gives the classes equal chances: the lean comes from the weights.
    const flat = { ...f, institutions: f.institutions.map((i) => ({ ...i, weight: 1 })) };
    const flatD = Array.from({ length: N }, (_, i) => runDraw(flat, `seed-${i}`).picks[0]!.institution.charAt(3)).filter((c) => c === 'D').length;
    expect(Math.abs(flatD - N / 4)).toBeLessThan(100);
  });

  it('never pairs an inspector with an institution it declared a conflict with, and spreads the work evenly', () => {
    const f = cityFrame(3, 1, 5);
    f.inspectors[0]!.conflicts = f.institutions.filter((i) => i.riskClass === 'D').map((i) => i.id);
    const load = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      for (const p of runDraw(f, `s${i}`).picks) {
        if (p.institution.startsWith('hz-D')) expect(p.inspectors).not.toContain('i01');
        if (p.institution.startsWith('hz-A')) for (const id of p.inspectors) load.set(id, (load.get(id) ?? 0) + 1);
      }
    }
    // A institutions: 300 draws × 3 × 2 seats over 5 inspectors, 360 each expected.
    for (const id of ['i01', 'i02', 'i03', 'i04', 'i05']) expect(Math.abs(load.get(id)! - 360)).toBeLessThan(60);
  });

  it('fails with a named error when a pick has too few inspectors without a conflict', () => {
    const f = cityFrame(1, 1, 2);
    f.inspectors[1]!.conflicts = ['hz-C00'];
    expect(shortOfInspectors(f)).toEqual(['hz-C00']);
    let err: unknown;
    try {
      runDraw(f, 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DrawError);
    expect((err as DrawError).code).toBe('NOT_ENOUGH_INSPECTORS');
    expect((err as DrawError).message).toContain('hz-C00');
  });

  it('refuses a frame out of order or with a bad weight', () => {
    const f = cityFrame(1, 0.5);
    expect(() => checkFrame({ ...f, institutions: [...f.institutions].reverse() })).toThrow(/sorted/);
    expect(() => checkFrame({ ...f, institutions: f.institutions.map((i) => ({ ...i, weight: 1.5 })) })).toThrow(/weight/);
    expect(() => checkFrame({ ...f, ratio: 0 })).toThrow(/ratio/);
  });

  it('names the first difference of a claimed result', () => {
    const r = runDraw(cityFrame(2, 0.5), 'z');
    expect(firstDifference(r, structuredClone(r))).toBeUndefined();
    expect(firstDifference(r, { ...r, seed: 'y' })).toMatch(/^seed/);
    expect(firstDifference(r, { ...r, picks: r.picks.slice(1) })).toMatch(/^picks\[0\]\.institution/);
    expect(firstDifference(r, { ...r, picks: [...r.picks, { institution: 'x', inspectors: [] }] })).toMatch(/^picks\[4\]: expected no more picks/);
    expect(firstDifference(r, { ...r, extra: 1 })).toMatch(/fields/);
  });
});

/** The draw of the known-answer frame with seed "wastetrail" (frame hash 2ed531b8...e5c7), as docs/server/supervision.md lists it. */
const KNOWN_ANSWER = [
  { institution: 'hz-D00', inspectors: ['i03', 'i04'] },
  { institution: 'hz-D01', inspectors: ['i04', 'i03'] },
  { institution: 'hz-C01', inspectors: ['i01', 'i03'] },
  { institution: 'hz-C00', inspectors: ['i01', 'i02'] },
];
