/**
 * The dashboard's figures (web/src/dashboard.ts) from API-shaped answers: alert counts by level, rule and
 * institution, today's figures and the trend series from the daily figures, where institutions and
 * vehicles land on the shipped city map and its roads, risk classes by institution; the index's format.
 */
import { readFileSync } from 'node:fs';
import { CITY_MAP_FILE } from '../../../scripts/city-map.ts';
import { describe, expect, it } from 'vitest';
import type { Alert, DailyFigures, DayFigures, Institution, RiskClasses, Vehicle } from '../../src/api.ts';
import { alertCounts, districtsOf, indexText, placeInstitutions, placeVehicles, riskClassByInstitution, roadsOf, shareText, todayOf, trendSeries, worstLevel } from '../../src/dashboard.ts';

const CITY_MAP = JSON.parse(readFileSync(CITY_MAP_FILE, 'utf8'));

const alert = (id: number, rule: string, currentSeverity: Alert['currentSeverity'], institution: string | null) => ({ id, rule, currentSeverity, severity: 'warning', institution }) as Alert;
const inst = (id: string, path: string[]): Institution => ({ id, name: id, kind: 'hospital', jurisdiction: path.at(-1) ?? '', jurisdictionPath: path.map((p) => ({ id: p, name: null })) });
const control = (index: number | null) => ({ index, handover: null, weight: null, alerts: null });
const day = (d: string, sealedGrams: number, receivedGrams: number, opened: [number, number, number], index: number | null) =>
  ({ day: d, sealedGrams, receivedGrams, alertsOpened: { critical: opened[0], warning: opened[1], info: opened[2] }, control: control(index) }) as DayFigures;
const daily = (to: string, days: DayFigures[]) => ({ to, city: { days, window: {} } }) as unknown as DailyFigures;

describe('alertCounts', () => {
  it('counts by the current level, by rule (most first, then by name) and by institution; alerts of no institution count but are not placed', () => {
    const c = alertCounts([alert(1, 'storage-overdue', 'critical', 'h1'), alert(2, 'device-silent', 'warning', 'h1'), alert(3, 'device-silent', 'info', null), alert(4, 'b-rule', 'warning', 'h2')]);
    expect(c.byLevel).toEqual({ critical: 1, warning: 2, info: 1 });
    expect(c.byRule).toEqual([{ rule: 'device-silent', count: 2 }, { rule: 'b-rule', count: 1 }, { rule: 'storage-overdue', count: 1 }]);
    expect(Object.fromEntries(c.byInstitution)).toEqual({ h1: { critical: 1, warning: 1, info: 0 }, h2: { critical: 0, warning: 1, info: 0 } });
  });

  it('has zeros and no rules for no alerts', () => {
    expect(alertCounts([])).toEqual({ byLevel: { critical: 0, warning: 0, info: 0 }, byRule: [], byInstitution: new Map() });
  });
});

describe('worstLevel', () => {
  it('is the most severe level with an open alert, or null', () => {
    expect(worstLevel({ critical: 0, warning: 2, info: 5 })).toBe('warning');
    expect(worstLevel({ critical: 1, warning: 0, info: 0 })).toBe('critical');
    expect(worstLevel({ critical: 0, warning: 0, info: 0 })).toBeNull();
    expect(worstLevel(undefined)).toBeNull();
  });
});

describe('todayOf', () => {
  it("is the last day of the daily figures (the server's today), in kg, with its control index", () => {
    const d = daily('2026-03-02', [day('2026-03-01', 9000, 9000, [0, 0, 0], 100), day('2026-03-02', 2100, 850, [1, 0, 0], 42.5)]);
    expect(todayOf(d)).toEqual({ day: '2026-03-02', sealedKg: 2.1, receivedKg: 0.85, control: control(42.5) });
  });

  it('is zero with no index for a window without days', () => {
    expect(todayOf(daily('2026-03-02', []))).toEqual({ day: '2026-03-02', sealedKg: 0, receivedKg: 0, control: control(null) });
  });
});

describe('trendSeries', () => {
  it('gives one value per day, oldest first: kg sealed and received, alerts opened by level, the index with gaps kept', () => {
    expect(trendSeries([day('2026-03-01', 1500, 0, [1, 2, 0], null), day('2026-03-02', 250, 1500, [0, 0, 3], 77.1)])).toEqual({
      days: ['2026-03-01', '2026-03-02'],
      sealedKg: [1.5, 0.25],
      receivedKg: [0, 1.5],
      opened: { critical: [1, 0], warning: [2, 0], info: [0, 3] },
      index: [null, 77.1],
    });
  });
});

describe('the vehicles and risk classes', () => {
  const vehicle = (plate: string, lastFix: Vehicle['lastFix'], bags = 0) => ({ plate, company: 't1', companyName: 'T1', lastFix, bagsInTransit: bags, loaded: bags > 0 }) as Vehicle;

  it('places a vehicle at its last fix, [lon, lat], and lists one that never sent a position apart', () => {
    const { placed, unplaced } = placeVehicles([vehicle('浙A1', { at: '2026-03-02T01:00:00Z', lat: 30.25, lon: 120.16, speedKmh: 30 }, 2), vehicle('浙A2', null)]);
    expect(placed.map((p) => [p.vehicle.plate, p.lonLat])).toEqual([['浙A1', [120.16, 30.25]]]);
    expect(unplaced.map((v) => v.plate)).toEqual(['浙A2']);
  });

  it('reads each classed institution\'s risk class', () => {
    const classes = { asOf: '', items: [{ institution: 'h1', riskClass: 'B' }, { institution: 'h2', riskClass: 'D' }] } as RiskClasses;
    const byId = riskClassByInstitution(classes);
    expect([byId.get('h1'), byId.get('h2'), byId.get('t1')]).toEqual(['B', 'D', undefined]);
  });
});

describe('the index and shares as shown', () => {
  it('writes the index to one decimal and a share as a whole percentage, a dash for none, in each language', () => {
    expect([indexText(85.7, 'en'), indexText(100, 'en'), indexText(null, 'en'), shareText(0.75, 'en'), shareText(1 / 3, 'en'), shareText(undefined, 'en')]).toEqual(['85.7', '100.0', '—', '75%', '33%', '—']);
    expect([indexText(1234.5, 'zh-CN'), shareText(0.5, 'zh-CN'), shareText(0, 'zh-CN')]).toEqual(['1,234.5', '50%', '0%']);
  });
});

describe('placeInstitutions on the shipped city map', () => {
  const districts = districtsOf(CITY_MAP);

  it('reads the districts, not the roads, and the roads apart', () => {
    expect(districts.map((d) => [d.id, d.name])).toEqual([['330106', '西湖区'], ['330102', '上城区']]);
    const roads = roadsOf(CITY_MAP);
    expect(roads).toHaveLength(18);
    expect(roads[0]!.name).toBe('纬1路');
    expect(roads.every((r) => r.coords.length >= 2 && r.coords.every(([lon, lat]) => lon > 119 && lon < 121 && lat > 29 && lat < 31))).toBe(true);
  });

  it('puts an institution inside the district on its jurisdiction path, each at its own point; city-level ones apart', () => {
    const { placed, unplaced } = placeInstitutions([inst('h1', ['330100', '330106', '330106-g1']), inst('h2', ['330100', '330106']), inst('h3', ['330100', '330102']), inst('t1', ['330100'])], districts);
    expect(unplaced.map((i) => i.id)).toEqual(['t1']);
    const at = new Map(placed.map((p) => [p.institution.id, p.lonLat]));
    const inside = (id: string, districtId: string) => {
      const ring = districts.find((d) => d.id === districtId)?.ring ?? [];
      const [lon, lat] = at.get(id) ?? [NaN, NaN];
      return lon > Math.min(...ring.map((p) => p[0])) && lon < Math.max(...ring.map((p) => p[0])) && lat > Math.min(...ring.map((p) => p[1])) && lat < Math.max(...ring.map((p) => p[1]));
    };
    expect([inside('h1', '330106'), inside('h2', '330106'), inside('h3', '330102')]).toEqual([true, true, true]);
    expect(at.get('h1')).not.toEqual(at.get('h2'));
  });
});
