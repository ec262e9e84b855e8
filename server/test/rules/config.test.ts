import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wastetrail/runtime';
import { DEFAULT_THRESHOLDS, resolveThresholds, ruleConfig, ruleLookbackMs, sequenceGapExpired } from '../../src/rules/index.ts';

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

  it('refuse what cannot be right, naming the field, what it must be and what was given', () => {
    const bad = (json: unknown) => {
      try {
        ruleConfig(json as Parameters<typeof ruleConfig>[0]);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as ConfigError;
      }
      throw new Error('expected a refusal');
    };
    const hours = (d: string) => bad({ defaults: { deviceSilent: { operatingHours: JSON.parse(d) } } });
    expect(bad({ defaults: { storageOverdue: { warnHours: -1 } } }).message).toBe('defaults.storageOverdue.warnHours: must be a number above 0 and at most 8760 (hours), got -1');
    expect(bad({ defaults: { storageOverdue: { warnHours: 0 } } }).field).toBe('defaults.storageOverdue.warnHours');
    expect(bad({ defaults: { storageOverdue: { warnHours: '36' } } }).message).toMatch(/^defaults\.storageOverdue\.warnHours: must be a number .*, got "36"$/);
    expect(bad({ defaults: { storageOverdue: { warnHour: 36 } } }).message).toBe('defaults.storageOverdue.warnHour: is not a setting here; the settings are "warnHours", "criticalHours"');
    expect(bad({ defaults: { timeZone: 'Mars/Olympus' } }).message).toBe('defaults.timeZone: must be an IANA time zone such as "Asia/Shanghai", got "Mars/Olympus"');
    expect(hours('{ "days": [1], "from": "18:00", "to": "08:00" }').message).toBe('defaults.deviceSilent.operatingHours: "from" must be before "to", got from "18:00" to "08:00"');
    expect(hours('{ "days": [1, 1], "from": "08:00", "to": "18:00" }').message).toMatch(/^defaults\.deviceSilent\.operatingHours\.days: must be a list of different weekdays, 1 \(Monday\) to 7 \(Sunday\).*, got \[1,1\]$/);
    expect(hours('{ "days": [8], "from": "08:00", "to": "18:00" }').field).toBe('defaults.deviceSilent.operatingHours.days[0]');
    expect(hours('{ "days": [1], "from": "8:00", "to": "18:00" }').message).toBe('defaults.deviceSilent.operatingHours.from: must be a time "HH:MM" from 00:00 to 24:00, got "8:00"');
    expect(bad({ jurisdictions: { x: { deviceSilent: { stationHours: { disposal: { days: [1], from: '20:00', to: '06:00' } } } } } }).field).toBe('jurisdictions.x.deviceSilent.stationHours.disposal');
    expect(bad({ defaults: { weightDiscrepancy: { minGrams: 12.5 } } }).message).toMatch(/^defaults\.weightDiscrepancy\.minGrams: must be a whole number from 0 to 10000000 \(g\), got 12\.5$/);
    expect(bad({ jurisdictions: { '330100 330106': {} } }).message).toBe('jurisdictions.330100 330106: is not a valid name here; a name must be a jurisdiction id (no spaces)');
    expect(bad({ jurisdictions: { '330100': { massBalance: { lookbackDays: 0 } } } }).message).toBe('jurisdictions.330100.massBalance.lookbackDays: must be a whole number from 1 to 90 (days), got 0');
    expect(bad({ defaults: { escalation: { warning: { regulatorMinutes: 'never' } } } }).message).toMatch(/^defaults\.escalation\.warning\.regulatorMinutes: must be a number above 0 .*, or null, got "never"$/);
    expect(bad({ defaults: { missingInTransit: { hours: Number.NaN } } }).field).toBe('defaults.missingInTransit.hours');
  });

  it('accepts an empty file, and a "24:00" end of day', () => {
    expect(ruleConfig(undefined).defaults).toEqual(DEFAULT_THRESHOLDS);
    expect(ruleConfig({ defaults: { deviceSilent: { operatingHours: { days: [7], from: '00:00', to: '24:00' } } } }).defaults.deviceSilent.operatingHours.to).toBe('24:00');
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
