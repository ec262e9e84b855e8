/**
 * Supervision's logic without the page (web/src/supervision.ts): the generated seed, the files and
 * command lines that repeat a draw, the inspectors a draw sent, and the form checks before sending.
 */
import { describe, expect, it } from 'vitest';
import { dayIn, drawFiles, drawnInspectors, drawRequest, inspectionRequest, jsonFileText, randomSeed, repeatCommands, shellWord, violationLabel, type Draw, type ViolationType } from '../../src/supervision.ts';

const frame = { version: 1 as const, jurisdiction: 'hz', period: '2026-12', ratio: 1, inspectorsPerInstitution: 1, institutions: [{ id: 'hz-h001', riskClass: 'D' as const, weight: 8 }], inspectors: [{ id: 'insp-01', conflicts: [] }] };
const announced: Draw = { id: 3, jurisdiction: 'hz', period: '2026-12', ratio: 1, seed: "it's", status: 'announced', announcedAt: '2026-12-01T00:00:00Z', announcedBy: 'reg', drawnAt: null, frame, frameHash: 'f'.repeat(64), result: null, resultHash: null };
const drawn: Draw = { ...announced, status: 'drawn', result: { version: 1, frameHash: 'f'.repeat(64), seed: "it's", picks: [{ institution: 'hz-h001', inspectors: ['insp-01'] }] }, resultHash: 'r'.repeat(64) };
const TYPES: ViolationType[] = [{ code: 'storage-overdue', points: 2, name: { en: 'Storage overdue', zh: '暂存超时' } }];

describe('randomSeed', () => {
  it('is 16 bytes as 32 hex digits, zero-padded, from the given source', () => {
    expect(randomSeed((b) => b.fill(0x0a))).toBe('0a'.repeat(16));
    expect(randomSeed((b) => b.map((_, i) => i))).toBe('000102030405060708090a0b0c0d0e0f');
  });

  it('differs from one call to the next with the real source', () => {
    const a = randomSeed();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomSeed()).not.toBe(a);
  });
});

describe('repeating a draw', () => {
  it('quotes a seed for the shell only when it must, and escapes its quotes', () => {
    expect(shellWord('wt-2026-12-published-seed')).toBe('wt-2026-12-published-seed');
    expect(shellWord('two words')).toBe("'two words'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(repeatCommands("it's")).toEqual({ verify: 'npx wastetrail draw --draw draw.json --verify result.json', fromFrame: `npx wastetrail draw --frame frame.json --seed 'it'\\''s'` });
  });

  it('offers draw.json ({draw}), frame.json and, once drawn, result.json', () => {
    expect(drawFiles(announced).map((f) => f.name)).toEqual(['draw.json', 'frame.json']);
    const files = drawFiles(drawn);
    expect(files.map((f) => [f.name, f.kind])).toEqual([['draw.json', 'draw'], ['frame.json', 'frame'], ['result.json', 'result']]);
    expect(files[0]!.value).toEqual({ draw: drawn });
    expect(files[2]!.value).toBe(drawn.result);
    expect(JSON.parse(jsonFileText(files[0]!.value))).toEqual({ draw: drawn });
    expect(jsonFileText({ a: 1 })).toBe('{\n  "a": 1\n}\n');
  });

  it('finds the inspectors a draw sent to an institution, and none for one it did not pick or a draw not run', () => {
    expect(drawnInspectors(drawn, 'hz-h001')).toEqual(['insp-01']);
    expect(drawnInspectors(drawn, 'hz-h002')).toBeNull();
    expect(drawnInspectors(announced, 'hz-h001')).toBeNull();
    expect(drawnInspectors(undefined, 'hz-h001')).toBeNull();
  });
});

describe('violationLabel', () => {
  it('names a type in the page language with its code, and falls back to the code', () => {
    expect(violationLabel(TYPES, 'storage-overdue', 'zh-CN')).toBe('暂存超时 (storage-overdue)');
    expect(violationLabel(TYPES, 'storage-overdue', 'en')).toBe('Storage overdue (storage-overdue)');
    expect(violationLabel(TYPES, 'unknown-x', 'en')).toBe('unknown-x');
  });
});

describe('drawRequest', () => {
  const ok = { period: ' 2026-12 ', ratio: '0.3', inspectorsPerInstitution: 2, seed: ' abc ' };
  it('sends the trimmed period and seed and numbers', () => {
    expect(drawRequest(ok)).toEqual({ ok: true, body: { period: '2026-12', ratio: 0.3, seed: 'abc', inspectorsPerInstitution: 2 } });
    for (const period of ['2026', '2026-H2', '2026-Q4', '2026-01']) expect(drawRequest({ ...ok, period }).ok, period).toBe(true);
  });

  it('names the first field that is wrong', () => {
    expect(drawRequest({ ...ok, period: '2026-13' })).toEqual({ ok: false, field: 'period' });
    expect(drawRequest({ ...ok, period: '2026-Q5' })).toEqual({ ok: false, field: 'period' });
    expect(drawRequest({ ...ok, ratio: '' })).toEqual({ ok: false, field: 'ratio' });
    expect(drawRequest({ ...ok, ratio: 0 })).toEqual({ ok: false, field: 'ratio' });
    expect(drawRequest({ ...ok, ratio: '1.5' })).toEqual({ ok: false, field: 'ratio' });
    expect(drawRequest({ ...ok, inspectorsPerInstitution: '1.5' })).toEqual({ ok: false, field: 'inspectorsPerInstitution' });
    expect(drawRequest({ ...ok, inspectorsPerInstitution: '' })).toEqual({ ok: false, field: 'inspectorsPerInstitution' });
    expect(drawRequest({ ...ok, seed: '  ' })).toEqual({ ok: false, field: 'seed' });
  });
});

describe('inspectionRequest', () => {
  const pass = { institution: 'hz-h001', drawId: '', inspectors: ['insp-01'], date: '2026-11-20', outcome: 'pass' as const, findings: [{ violation: 'storage-overdue', note: 'left over' }] };
  it('sends a pass without findings (even ones typed before switching back) and without a draw', () => {
    expect(inspectionRequest(pass)).toEqual({ ok: true, body: { institution: 'hz-h001', inspectors: ['insp-01'], date: '2026-11-20', outcome: 'pass', findings: [] } });
  });

  it('sends the findings of "violations found", notes trimmed, and the draw as a number', () => {
    expect(inspectionRequest({ ...pass, drawId: '4', outcome: 'violations', findings: [{ violation: 'storage-overdue', note: ' full bin ' }] })).toEqual({
      ok: true,
      body: { institution: 'hz-h001', drawId: 4, inspectors: ['insp-01'], date: '2026-11-20', outcome: 'violations', findings: [{ violation: 'storage-overdue', note: 'full bin' }] },
    });
  });

  it('refuses what the API would: no institution, no inspector, no day, violations without a finding', () => {
    expect(inspectionRequest({ ...pass, institution: '' })).toEqual({ ok: false, field: 'institution' });
    expect(inspectionRequest({ ...pass, inspectors: [] })).toEqual({ ok: false, field: 'inspectors' });
    expect(inspectionRequest({ ...pass, date: '' })).toEqual({ ok: false, field: 'date' });
    expect(inspectionRequest({ ...pass, outcome: 'violations', findings: [] })).toEqual({ ok: false, field: 'findings' });
  });
});

describe('dayIn', () => {
  it('is the local day in the time zone, not UTC', () => {
    // 2026-03-01 20:00 UTC is already 2026-03-02 in Asia/Shanghai.
    expect(dayIn(Date.parse('2026-03-01T20:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-02');
    expect(dayIn(Date.parse('2026-03-01T20:00:00Z'), 'UTC')).toBe('2026-03-01');
  });
});
