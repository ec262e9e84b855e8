/**
 * Every config file's JSON Schema that the repo commits, next to its example, and what writes it: the
 * TypeBox schema the process checks its file against, written out for editors (`$schema` in each
 * example). scripts/write-config-schemas.ts writes them; scripts/test/config-schemas.test.ts proves the
 * committed files are what the code says and that every example passes both the loader and the schema.
 */
import { fileURLToPath } from 'node:url';
import { edgeConfigJsonSchema, loadConfigFile as loadEdgeConfig } from '@wastetrail/edge-agent';
import { gatewayConfigJsonSchema, readGatewayConfigFile } from '@wastetrail/gateway';
import { loadServerConfig, serverConfigJsonSchema } from '@wastetrail/server';

export interface ConfigSchemaFile {
  /** The committed JSON Schema, absolute. */
  schemaFile: string;
  /** The schema as the code defines it. */
  generate(): Record<string, unknown>;
  /** The committed examples that name this schema, absolute. */
  examples: string[];
  /** The process's own loader (schema, checks across fields, files it names); throws ConfigError. */
  load(file: string): unknown;
}

const here = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const CONFIG_SCHEMA_FILES: readonly ConfigSchemaFile[] = [
  {
    schemaFile: here('server/config/server-config.schema.json'),
    generate: serverConfigJsonSchema,
    examples: [here('server/config/example.jsonc')],
    load: loadServerConfig,
  },
  {
    schemaFile: here('gateway/config/gateway-config.schema.json'),
    generate: gatewayConfigJsonSchema,
    examples: [here('gateway/config/example.jsonc')],
    load: readGatewayConfigFile,
  },
  {
    schemaFile: here('edge-agent/config/edge-config.schema.json'),
    generate: edgeConfigJsonSchema,
    examples: [here('edge-agent/config/example.jsonc'), here('edge-agent/config/vehicle.example.jsonc')],
    load: loadEdgeConfig,
  },
];

/** The file's text: two-space JSON and a final newline, as committed. */
export function schemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export const WRITE_COMMAND = 'npx tsx --conditions=@wastetrail/source scripts/write-config-schemas.ts';
