/**
 * Writes every config file's JSON Schema into the repo from the TypeBox schemas the processes check
 * their files against. Run after changing a setting:
 *
 *   npx tsx --conditions=@wastetrail/source scripts/write-config-schemas.ts
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFIG_SCHEMA_FILES, schemaText } from './config-schemas.ts';

for (const { schemaFile, generate } of CONFIG_SCHEMA_FILES) {
  writeFileSync(schemaFile, schemaText(generate()));
  process.stdout.write(`wrote ${relative(process.cwd(), schemaFile)}\n`);
}
