/**
 * Writes the web map's base layer (web/src/assets/city-map.geojson) from the demo city's
 * geography. Run after changing simulators/src/city/geography.ts:
 *
 *   npx tsx --conditions=@wastetrail/source scripts/write-city-map.ts
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CITY_MAP_FILE, cityMapText } from './city-map.ts';

writeFileSync(CITY_MAP_FILE, cityMapText());
process.stdout.write(`wrote ${relative(process.cwd(), CITY_MAP_FILE)}\n`);
