/**
 * GS1's own EPCIS 2.0 JSON Schema, run as GS1's validate.sh runs it: ajv (draft-07) with ajv-formats.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SCHEMA = new URL('./gs1/EPCIS-JSON-Schema.json', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Validates a standalone event or an EPCIS(Query)Document; returns the errors (none when valid). */
export function epcisSchemaValidator(): (doc: unknown) => ErrorObject[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}
