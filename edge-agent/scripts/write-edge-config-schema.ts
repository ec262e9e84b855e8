/**
 * Writes config/edge-config.schema.json from the schema the agent checks its config file with, so an
 * editor completes and checks a config through its `$schema`. Run after changing src/config/schema.ts:
 *   npm run config-schema -w edge-agent
 * (test/config/schema-file.test.ts fails while the committed file differs from what this writes.)
 */
import { writeFileSync } from 'node:fs';
import { EDGE_CONFIG_SCHEMA_FILE, edgeConfigSchemaText } from '../src/config/schema.ts';

const file = new URL(`../config/${EDGE_CONFIG_SCHEMA_FILE}`, import.meta.url);
writeFileSync(file, edgeConfigSchemaText());
process.stdout.write(`wrote ${file.pathname}\n`);
