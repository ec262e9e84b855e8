/** The committed base map is what the demo city's geography gives (it cannot drift from the simulator's roads). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CITY_MAP_FILE, cityMapText, WRITE_CITY_MAP_COMMAND } from '../city-map.ts';

describe('web/src/assets/city-map.geojson', () => {
  it("is the demo city's districts and roads", () => {
    expect(readFileSync(CITY_MAP_FILE, 'utf8'), `rewrite it with: ${WRITE_CITY_MAP_COMMAND}`).toBe(cityMapText());
    const kinds = (JSON.parse(cityMapText()) as { features: { properties: { kind: string } }[] }).features.map((f) => f.properties.kind);
    expect(kinds.filter((k) => k === 'district')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'road').length).toBeGreaterThan(10);
  });
});
