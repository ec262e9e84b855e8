/** The web map's base layer (districts and roads of the demo city) and where it is committed. */
import { join } from 'node:path';
import { baseMapGeoJson, planCity, planGeography } from '@wastetrail/simulators';

export const CITY_MAP_FILE = join(import.meta.dirname, '..', 'web', 'src', 'assets', 'city-map.geojson');
export const WRITE_CITY_MAP_COMMAND = 'npx tsx --conditions=@wastetrail/source scripts/write-city-map.ts';

/** Roads and districts do not depend on the number of institutions or the seed: any city gives the same. */
export function cityMapText(): string {
  return `${JSON.stringify(baseMapGeoJson(planGeography(planCity({ institutions: 6, seed: 1 }))))}\n`;
}
