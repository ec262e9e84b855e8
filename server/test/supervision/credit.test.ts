import { describe, expect, it } from 'vitest';
import { loadServerConfig, parseServerConfig, ServerConfigError } from '../../src/config/index.ts';
import { RULE_IDS } from '../../src/rules/candidate.ts';
import { classOfScore, creditFormula, DEFAULT_SUPERVISION, DEFAULT_VIOLATIONS, parseSupervisionSettings, riskOf, SupervisionSettingsError, violationTable } from '../../src/supervision/index.ts';

const S = DEFAULT_SUPERVISION;
const EXAMPLE = new URL('../../config/example.jsonc', import.meta.url).pathname;

describe('the points table', () => {
  it('has a violation type for every alert rule, plus the ones only people find, each 1 to 12 points with both names', () => {
    const codes = DEFAULT_VIOLATIONS.map((v) => v.code);
    for (const rule of RULE_IDS) expect(codes).toContain(rule);
    expect(codes).toEqual(expect.arrayContaining(['illegal-dumping', 'illegal-sale', 'records-falsified', 'inspection-finding']));
    for (const v of DEFAULT_VIOLATIONS) {
      expect(v.points).toBeGreaterThanOrEqual(1);
      expect(v.points).toBeLessThanOrEqual(12);
      expect(v.name.en).not.toBe('');
      expect(v.name.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('takes configured points, and new types with their names; refuses what does not fit', () => {
    const t = violationTable({ 'storage-overdue': 5, 'sharps-unboxed': { points: 3, en: 'Sharps not boxed', zh: '锐器未入利器盒' } });
    expect(t.find((v) => v.code === 'storage-overdue')).toMatchObject({ points: 5, name: { zh: '医疗废物暂存超时' } });
    expect(t.at(-1)).toEqual({ code: 'sharps-unboxed', points: 3, name: { en: 'Sharps not boxed', zh: '锐器未入利器盒' } });
    expect(() => violationTable({ 'storage-overdue': 13 })).toThrow(/storage-overdue: points must be a whole number from 1 to 12/);
    expect(() => violationTable({ 'storage-overdue': 1.5 })).toThrow(/storage-overdue/);
    expect(() => violationTable({ novel: 3 })).toThrow(/novel: a new violation type needs/);
    expect(() => violationTable({ 'Bad Code': 3 })).toThrow(/Bad Code/);
  });
});

describe('risk classes', () => {
  it('score = points + min(cap, rate term); thresholds make A to D', () => {
    expect(riskOf({ points: 0, alerts: 0, bagsSealed: 5000 }, S)).toEqual({ alertRate: { alerts: 0, bagsSealed: 5000, per1000Bags: 0 }, score: 0, riskClass: 'A', inspectionsPerYear: 1, drawWeight: 1 });
    // 10 alerts over 5000 bags: 2 per 1000 bags, 1 point.
    expect(riskOf({ points: 3, alerts: 10, bagsSealed: 5000 }, S)).toMatchObject({ alertRate: { per1000Bags: 2 }, score: 4, riskClass: 'B' });
    // A tiny clinic: the denominator is at least 100 bags.
    expect(riskOf({ points: 0, alerts: 1, bagsSealed: 10 }, S)).toMatchObject({ alertRate: { per1000Bags: 10 }, score: 5, riskClass: 'B' });
    // The alert term is capped: alerts alone never make class D.
    expect(riskOf({ points: 0, alerts: 500, bagsSealed: 1000 }, S)).toMatchObject({ score: 6, riskClass: 'B' });
    expect(riskOf({ points: 12, alerts: 0, bagsSealed: 1000 }, S)).toMatchObject({ riskClass: 'D', inspectionsPerYear: 12, drawWeight: 8 });
    expect([3.99, 4, 7.99, 8, 11.99, 12].map((x) => classOfScore(x, S))).toEqual(['A', 'B', 'B', 'C', 'C', 'D']);
  });

  it('states the formula with the configured numbers, in English and Chinese', () => {
    const f = creditFormula({ ...S, pointsWindowDays: 180, classThresholds: { B: 2, C: 5, D: 9 } });
    expect(f.en).toContain('last 180 days');
    expect(f.en).toContain('Class A below 2, B from 2, C from 5, D from 9');
    expect(f.zh).toContain('近180天');
    expect(f.zh).toContain('9及以上为D类');
  });
});

describe('the supervision settings', () => {
  it('the committed example holds the defaults (and the rules time zone)', () => {
    expect(loadServerConfig(EXAMPLE).supervision).toEqual({ ...DEFAULT_SUPERVISION, timeZone: 'Asia/Shanghai' });
    expect(parseServerConfig('{}', '/tmp').supervision).toEqual({ ...DEFAULT_SUPERVISION, timeZone: 'Asia/Shanghai' });
  });

  it('reads overrides and names the field at fault', () => {
    const s = parseSupervisionSettings({ classThresholds: { C: 9 }, drawWeights: { D: 20 }, violations: { 'mass-balance': 6 } });
    expect(s.classThresholds).toEqual({ B: 4, C: 9, D: 12 });
    expect(s.drawWeights.D).toBe(20);
    expect(s.violations.find((v) => v.code === 'mass-balance')!.points).toBe(6);
    const field = (raw: unknown) => {
      try {
        parseSupervisionSettings(raw);
      } catch (e) {
        return (e as SupervisionSettingsError).field;
      }
      return undefined;
    };
    expect(field({ classThresholds: { B: 9 } })).toBe('classThresholds');
    expect(field({ drawWeights: { A: 0.5 } })).toBe('drawWeights.A');
    expect(field({ drawWeights: { E: 1 } })).toBe('drawWeights.E');
    expect(field({ violations: { 'storage-overdue': 40 } })).toBe('violations.storage-overdue');
    expect(field({ pointWindowDays: 30 })).toBe('pointWindowDays');
    expect(() => parseServerConfig('{ "supervision": { "alertWindowDays": 0 } }', '/tmp')).toThrow(ServerConfigError);
    expect(() => parseServerConfig('{ "supervision": { "alertWindowDays": 0 } }', '/tmp')).toThrow(/^supervision\.alertWindowDays: must be a whole number from 1 to 3650/);
  });
});
