/**
 * The dashboard's figures (web/src/dashboard.ts) from API-shaped answers: alert counts by level, rule and
 * institution, today's weights from the mass balances, and where institutions land on the shipped city map.
 */
import { readFileSync } from 'node:fs';
import { CITY_MAP_FILE } from '../../../scripts/city-map.ts';
import { describe, expect, it } from 'vitest';
import type { Alert, Institution, InstitutionDetail } from '../../src/api.ts';
import { alertCounts, districtsOf, placeInstitutions, todaysWeights, worstLevel } from '../../src/dashboard.ts';

const CITY_MAP = JSON.parse(readFileSync(CITY_MAP_FILE, 'utf8'));

const alert = (id: number, rule: string, currentSeverity: Alert['currentSeverity'], institution: string | null) => ({ id, rule, currentSeverity, severity: 'warning', institution }) as Alert;
const inst = (id: string, path: string[]): Institution => ({ id, name: id, kind: 'hospital', jurisdiction: path.at(-1) ?? '', jurisdictionPath: path.map((p) => ({ id: p, name: null })) });
const detail = (to: string, days: { day: string; sealedGrams: number; receivedGrams: number }[]) => ({ massBalance: { from: '2026-02-01', to, days: days.map((d) => ({ ...d, bags: 1, received: 1 })), total: { bags: 0, sealedGrams: 0, received: 0, receivedGrams: 0 } } }) as unknown as InstitutionDetail;

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

describe('todaysWeights', () => {
  it("sums each institution's last day of its mass balance in kg, and a day without sealed bags as nothing", () => {
    const w = todaysWeights([
      detail('2026-03-02', [{ day: '2026-03-01', sealedGrams: 9000, receivedGrams: 9000 }, { day: '2026-03-02', sealedGrams: 1250, receivedGrams: 0 }]),
      detail('2026-03-02', [{ day: '2026-03-02', sealedGrams: 850, receivedGrams: 850 }]),
      detail('2026-03-02', []),
    ]);
    expect(w).toEqual({ day: '2026-03-02', sealedKg: 2.1, receivedKg: 0.85 });
  });

  it('is zero with no day for no institutions', () => {
    expect(todaysWeights([])).toEqual({ day: null, sealedKg: 0, receivedKg: 0 });
  });
});

describe('placeInstitutions on the shipped city map', () => {
  const districts = districtsOf(CITY_MAP);

  it('reads the districts, not the roads', () => {
    expect(districts.map((d) => [d.id, d.name])).toEqual([['330106', '西湖区'], ['330102', '上城区']]);
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
