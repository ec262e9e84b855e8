import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wastetrail/runtime';
import { loadServerConfig, parseServerConfig } from '../../src/config/index.ts';
import { RULE_IDS } from '../../src/rules/candidate.ts';
import { classOfScore, creditFormula, DEFAULT_SUPERVISION, DEFAULT_VIOLATIONS, riskOf, violationTable } from '../../src/supervision/index.ts';

const S = DEFAULT_SUPERVISION;
/** The supervision section as the server reads it from its config. */
const supervision = (section: unknown) => parseServerConfig(JSON.stringify({ supervision: section }), '/tmp').supervision;
const refusal = (section: unknown) => {
  try {
    supervision(section);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error(`accepted: ${JSON.stringify(section)}`);
};
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
    expect(refusal({ violations: { 'storage-overdue': 13 } })).toBe('supervision.violations.storage-overdue: must be a whole number from 1 to 12, or { "points": 1 to 12, "en": "name", "zh": "名称" }, got 13');
    expect(refusal({ violations: { 'storage-overdue': 1.5 } })).toMatch(/^supervision\.violations\.storage-overdue: must be a whole number from 1 to 12, .*got 1\.5$/);
    expect(refusal({ violations: { 'storage-overdue': { points: 2, en: ' ' } } })).toBe('supervision.violations.storage-overdue: must be a whole number from 1 to 12, or { "points": 1 to 12, "en": "name", "zh": "名称" }, got {"points":2,"en":" "}');
    expect(refusal({ violations: { novel: 3 } })).toBe('supervision.violations.novel: a new violation type needs { "points", "en", "zh" } (its names in English and Chinese)');
    expect(refusal({ violations: { 'Bad Code': 3 } })).toBe('supervision.violations.Bad Code: is not a valid name here; a name must be a violation code: lower-case letters, digits and "-", e.g. "sharps-unboxed"');
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

  it('reads overrides and names the field at fault, what it must be and what was given', () => {
    const s = supervision({ classThresholds: { C: 9 }, drawWeights: { D: 20 }, violations: { 'mass-balance': 6 } });
    expect(s.classThresholds).toEqual({ B: 4, C: 9, D: 12 });
    expect(s.drawWeights.D).toBe(20);
    expect(s.violations.find((v) => v.code === 'mass-balance')!.points).toBe(6);
    expect(refusal({ classThresholds: { B: 9 } })).toBe('supervision.classThresholds: must rise from B to C to D, got B 9, C 8, D 12');
    expect(refusal({ drawWeights: { A: 0.5 } })).toBe('supervision.drawWeights.A: must be a whole number from 1 to 1000; the default is 1, got 0.5');
    expect(refusal({ drawWeights: { E: 1 } })).toBe('supervision.drawWeights.E: is not a setting here; the settings are "A", "B", "C", "D"');
    expect(refusal({ pointWindowDays: 30 })).toMatch(/^supervision\.pointWindowDays: is not a setting here; the settings are "violations", "pointsWindowDays", /);
    expect(refusal({ alertWindowDays: 0 })).toBe('supervision.alertWindowDays: must be a whole number from 1 to 3650 (days); the default is 90, got 0');
  });
});
