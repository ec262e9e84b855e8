/**
 * Path and query values arrive as text. The API reads numbers and lists out of them on purpose, one
 * parameter at a time as its schema declares, and never coerces a body (ajv runs with coerceTypes off).
 * A number is plain decimal (`16`; never `0x10`, `0b10000`, `1.6e1`, `+16` or `016`) within the safe
 * integer range; anything else stays the text it was, for validation to refuse with VALIDATION_FAILED
 * naming the field. A parameter given once where the schema takes a list becomes a list of one.
 */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

interface SchemaShape {
  type?: unknown;
  properties?: Record<string, SchemaShape>;
  items?: SchemaShape;
}

/** A decimal integer's value, or undefined for any other text. */
function decimalInteger(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function readValue(schema: SchemaShape, value: unknown): unknown {
  if (schema.type === 'integer' && typeof value === 'string') return decimalInteger(value) ?? value;
  if (schema.type === 'array') {
    const list = typeof value === 'string' ? [value] : value;
    return Array.isArray(list) && schema.items ? list.map((v) => readValue(schema.items!, v)) : list;
  }
  return value;
}

/** The path parameters or query of a request read as `schema` (an object schema) declares them. */
export function readTextValues(schema: unknown, values: unknown): unknown {
  const properties = (schema as SchemaShape | undefined)?.properties;
  if (!properties || typeof values !== 'object' || values === null) return values;
  const out: Record<string, unknown> = { ...(values as Record<string, unknown>) };
  for (const [name, property] of Object.entries(properties)) {
    if (name in out) out[name] = readValue(property, out[name]);
  }
  return out;
}
