/**
 * The transit pages' logic (web/src/transit.ts): overdue bags, the map's roads, frame and projection on
 * the shipped city map, and the events table's rows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CITY_MAP_FILE } from '../../../scripts/city-map.ts';
import { districtsOf } from '../../src/dashboard.ts';
import { formatPosition, isOverdue, MAP_SIZE, mapFrame, projection, roadsOf, svgPath, TRANSIT_LIMIT_MS, transitEvents, type TransitView } from '../../src/transit.ts';

const CITY_MAP = JSON.parse(readFileSync(CITY_MAP_FILE, 'utf8'));
const NOW = Date.parse('2026-03-03T12:00:00Z');

function view(over: Partial<TransitView> = {}): TransitView {
  return { vehicle: '浙A1234', from: '2026-03-03T01:00:00Z', to: '2026-03-03T03:00:00Z', points: [], doors: [], stops: [], alerts: [], route: [], geofences: [], bag: 'epc:1', manifest: 'M-1', received: true, ...over };
}

describe('overdue', () => {
  it('is picked up more than 24 h ago and not received', () => {
    const at = (ms: number) => new Date(NOW - ms).toISOString();
    expect(isOverdue({ pickedUpAt: at(TRANSIT_LIMIT_MS + 1000), receivedAt: null }, NOW)).toBe(true);
    expect(isOverdue({ pickedUpAt: at(TRANSIT_LIMIT_MS - 1000), receivedAt: null }, NOW)).toBe(false);
    expect(isOverdue({ pickedUpAt: at(TRANSIT_LIMIT_MS * 3), receivedAt: at(1000) }, NOW)).toBe(false);
    expect(isOverdue({ pickedUpAt: null, receivedAt: null }, NOW)).toBe(false);
  });
});

describe('the base map', () => {
  it('has the roads and the districts of the shipped GeoJSON', () => {
    const roads = roadsOf(CITY_MAP);
    expect(roads.length).toBeGreaterThan(10);
    expect(roads.every((r) => r.line.length >= 2)).toBe(true);
    expect(districtsOf(CITY_MAP)).toHaveLength(2);
  });
});

describe('the projection', () => {
  it('puts every framed point inside the picture, north up, and keeps east-west and north-south distances alike', () => {
    const track: [number, number][] = [[120.16, 30.25], [120.16, 30.3], [120.2, 30.3]];
    const frame = mapFrame(view({ points: track.map(([lon, lat], i) => ({ at: `2026-03-03T01:0${i}:00Z`, lon, lat, speedKmh: 30 })) }), districtsOf(CITY_MAP));
    const p = projection(frame);
    for (const pt of frame) {
      const [x, y] = p(pt);
      expect(x).toBeGreaterThanOrEqual(MAP_SIZE.pad - 1e-9);
      expect(x).toBeLessThanOrEqual(MAP_SIZE.width - MAP_SIZE.pad + 1e-9);
      expect(y).toBeGreaterThanOrEqual(MAP_SIZE.pad - 1e-9);
      expect(y).toBeLessThanOrEqual(MAP_SIZE.height - MAP_SIZE.pad + 1e-9);
    }
    const [a, b, c] = track.map(p);
    expect(b![1]).toBeLessThan(a![1]); // north is up
    // 0.05° of latitude against 0.04° of longitude at 30.3° N (× cos 30.3° ≈ 0.863): 5.56 km against 3.84 km.
    expect((c![0] - b![0]) / (a![1] - b![1])).toBeCloseTo((0.04 * Math.cos((30.275 * Math.PI) / 180)) / 0.05, 2);
  });

  it('frames the yards with the track, the route when there is neither, and the whole city when there is nothing', () => {
    const yard = [[120.3, 30.4], [120.31, 30.4], [120.31, 30.41], [120.3, 30.4]];
    const withYard = mapFrame(view({ points: [{ at: '2026-03-03T01:00:00Z', lon: 120.16, lat: 30.25, speedKmh: 0 }], geofences: [{ id: 'd001-yard', kind: 'disposal', ring: yard }] }), []);
    expect(withYard).toContainEqual([120.16, 30.25]);
    expect(withYard).toContainEqual([120.31, 30.41]);
    const route = [[120.1, 30.2], [120.12, 30.22]];
    expect(mapFrame(view({ route }), [])).toContainEqual([120.1, 30.2]);
    const districts = districtsOf(CITY_MAP);
    expect(mapFrame(view(), districts)).toContainEqual(districts[0]!.ring[0]);
  });

  it('writes an SVG path through the points', () => {
    const p = projection([[0, 0], [1, 1]], { width: 100, height: 100, pad: 0 });
    expect(svgPath(p, [[0, 0], [1, 1]])).toBe('M0.0,100.0 L100.0,0.0');
  });
});

describe('the events table', () => {
  it('lists stops, door events and alerts in time order; a stop or an opened door outside every geofence, and every alert, is anomalous', () => {
    const rows = transitEvents(
      view({
        stops: [{ from: '2026-03-03T01:40:00Z', to: '2026-03-03T01:49:00Z', minutes: 9, lat: 30.285, lon: 120.16 }, { from: '2026-03-03T00:35:00Z', to: '2026-03-03T00:50:00Z', minutes: 15, lat: 30.2545, lon: 120.16, geofence: 'h001-yard' }],
        doors: [{ at: '2026-03-03T02:00:00Z', action: 'open', lat: 30.295, lon: 120.16 }, { at: '2026-03-03T00:40:00Z', action: 'open', geofence: 'h001-yard' }, { at: '2026-03-03T02:01:00Z', action: 'close', lat: 30.295, lon: 120.16 }],
        alerts: [{ id: 7, rule: 'door-opened', severity: 'critical', at: '2026-03-03T02:00:00Z', lat: 30.295, lon: 120.16, messageKey: 'door-opened', params: {} }],
      }),
    );
    expect(rows.map((r) => [r.kind, r.at, r.anomalous])).toEqual([
      ['stop', '2026-03-03T00:35:00Z', false],
      ['door', '2026-03-03T00:40:00Z', false],
      ['stop', '2026-03-03T01:40:00Z', true],
      ['door', '2026-03-03T02:00:00Z', true],
      ['alert', '2026-03-03T02:00:00Z', true],
      ['door', '2026-03-03T02:01:00Z', false],
    ]);
    expect(formatPosition(30.295, 120.16)).toBe('30.29500, 120.16000');
  });

  it('is empty for a leg where nothing happened', () => {
    expect(transitEvents(view())).toEqual([]);
  });
});
