import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, parseRuleConfig, resolveThresholds, ruleConfig, ruleLookbackMs, RuleConfigInvalid, sequenceGapExpired } from '../../src/rules/index.ts';

describe('rule thresholds', () => {
  it('default to the regulations and local rules in domain.md', () => {
    const t = ruleConfig().defaults;
    expect(t).toEqual(DEFAULT_THRESHOLDS);
    expect(t.timeZone).toBe('Asia/Shanghai');
    expect(t.storageOverdue).toEqual({ warnHours: 36, criticalHours: 48 });
    expect(t.departmentUnsent.hours).toBe(24);
    expect(t.collectionOverdue.intervalHours).toBe(48);
    expect(t.missingInTransit.hours).toBe(24);
    expect(t.weightDiscrepancy).toEqual({ percent: 10, minGrams: 50 });
  });

  it('resolve per jurisdiction: city > district > grid, the most specific value wins, field by field', () => {
    const config = ruleConfig({
      defaults: { departmentUnsent: { hours: 20 } },
      jurisdictions: {
        '330100': { storageOverdue: { warnHours: 30 }, weightDiscrepancy: { minGrams: 80 } },
        '330106': { storageOverdue: { criticalHours: 40 } },
        '330106-g01': { storageOverdue: { warnHours: 20 }, timeZone: 'Asia/Urumqi' },
      },
    });
    const grid = resolveThresholds(config, ['330100', '330106', '330106-g01']);
    expect(grid.storageOverdue).toEqual({ warnHours: 20, criticalHours: 40 });
    expect(grid.weightDiscrepancy).toEqual({ percent: 10, minGrams: 80 });
    expect(grid.departmentUnsent.hours).toBe(20);
    expect(grid.timeZone).toBe('Asia/Urumqi');
    expect(resolveThresholds(config, ['330100', '330106', '330106-g02']).storageOverdue).toEqual({ warnHours: 30, criticalHours: 40 });
    expect(resolveThresholds(config, ['330100']).storageOverdue).toEqual({ warnHours: 30, criticalHours: 48 });
    expect(resolveThresholds(config, ['330200', '330203']).storageOverdue).toEqual({ warnHours: 36, criticalHours: 48 });
    expect(resolveThresholds(config, []).departmentUnsent.hours).toBe(20);
  });

  it('replace operating hours whole, merge station hours and escalation delays per key', () => {
    const config = ruleConfig({
      jurisdictions: {
        city: { deviceSilent: { operatingHours: { days: [1, 2, 3, 4, 5], from: '07:30', to: '20:00' }, stationHours: { disposal: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' } } } },
        grid: { deviceSilent: { minutes: 45, stationHours: { storage: { days: [6, 7], from: '09:00', to: '12:00' } } }, escalation: { warning: { regulatorMinutes: null } } },
      },
    });
    const t = resolveThresholds(config, ['city', 'grid']);
    expect(t.deviceSilent.minutes).toBe(45);
    expect(t.deviceSilent.operatingHours).toEqual({ days: [1, 2, 3, 4, 5], from: '07:30', to: '20:00' });
    expect(Object.keys(t.deviceSilent.stationHours).sort()).toEqual(['disposal', 'storage']);
    expect(t.escalation.warning).toEqual({ institutionHeadMinutes: 480, regulatorMinutes: null });
    expect(t.escalation.critical).toEqual(DEFAULT_THRESHOLDS.escalation.critical);
  });

  it('refuse what cannot be right, naming the field', () => {
    const bad = (json: unknown) => {
      const r = parseRuleConfig(json);
      if (r.ok) throw new Error('expected a refusal');
      return r.error;
    };
    expect(bad({ defaults: { storageOverdue: { warnHours: -1 } } }).path).toBe('defaults.storageOverdue.warnHours');
    expect(bad({ defaults: { storageOverdue: { warnHours: 0 } } }).path).toBe('defaults.storageOverdue.warnHours');
    expect(bad({ defaults: { storageOverdue: { warnHours: '36' } } }).message).toMatch(/number/);
    expect(bad({ defaults: { storageOverdue: { warnHour: 36 } } }).path).toBe('defaults.storageOverdue.warnHour');
    expect(bad({ defaults: { timeZone: 'Mars/Olympus' } }).path).toBe('defaults.timeZone');
    expect(bad({ defaults: { deviceSilent: { operatingHours: { days: [1], from: '18:00', to: '08:00' } } } }).message).toMatch(/before/);
    expect(bad({ defaults: { deviceSilent: { operatingHours: { days: [1, 1], from: '08:00', to: '18:00' } } } }).message).toMatch(/distinct/);
    expect(bad({ defaults: { deviceSilent: { operatingHours: { days: [8], from: '08:00', to: '18:00' } } } }).path).toBe('defaults.deviceSilent.operatingHours.days[0]');
    expect(bad({ defaults: { deviceSilent: { operatingHours: { days: [1], from: '8:00', to: '18:00' } } } }).path).toBe('defaults.deviceSilent.operatingHours.from');
    expect(bad({ defaults: { weightDiscrepancy: { minGrams: 12.5 } } }).path).toBe('defaults.weightDiscrepancy.minGrams');
    expect(bad({ jurisdictions: { '330100 330106': {} } }).path).toBe('jurisdictions.330100 330106');
    expect(bad({ jurisdictions: { '330100': { massBalance: { lookbackDays: 0 } } } }).path).toBe('jurisdictions.330100.massBalance.lookbackDays');
    expect(() => ruleConfig({ defaults: { missingInTransit: { hours: Number.NaN } } })).toThrow(RuleConfigInvalid);
  });

  it('accepts an empty file, and a "24:00" end of day', () => {
    expect(parseRuleConfig(undefined).ok).toBe(true);
    expect(parseRuleConfig({ defaults: { deviceSilent: { operatingHours: { days: [7], from: '00:00', to: '24:00' } } } }).ok).toBe(true);
  });

  it('tell the server how far back trails must reach, and ingest when a gap has waited long enough', () => {
    // 72 h settle + 8 days of judged days + a day of margin.
    expect(ruleLookbackMs(ruleConfig())).toBe((72 + 24 * 8 + 24) * 3_600_000);
    expect(ruleLookbackMs(ruleConfig({ jurisdictions: { x: { storageOverdue: { criticalHours: 24 * 30 } } } }))).toBe((24 * 30 + 24) * 3_600_000);
    const t = ruleConfig().defaults;
    expect(sequenceGapExpired(0, 15 * 60_000 - 1, t)).toBe(false);
    expect(sequenceGapExpired(0, 15 * 60_000, t)).toBe(true);
  });
});
