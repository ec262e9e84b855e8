/**
 * Config files, one way for every process: JSONC text (comments and trailing commas allowed), checked
 * against a TypeBox schema that carries each setting's type, range, default and description. The same
 * schema, written out as JSON Schema (`editorSchema`), lets an editor complete and check the file through
 * its `$schema`. An error names the field, says what it must be and what was given; checks that involve
 * several fields stay in the code that reads the section.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  /** The dotted path of the setting at fault (`ingest.batchMs`), when there is one. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'ConfigError';
    this.field = field;
  }

  /** A problem the code finds after the schema check (a rule across fields, a file it names): `field: what`. */
  static at(field: string, what: string): ConfigError {
    return new ConfigError(`${field}: ${what}`, field);
  }
}

/** Parses JSONC; a syntax error names its line and column. */
export function parseConfigJson(text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const e = errors[0];
  if (e) {
    const { line, column } = lineColumn(text, e.offset);
    throw new ConfigError(`line ${line}, column ${column}: ${printParseErrorCode(e.error)}; the file must be JSON (comments and trailing commas are allowed)`);
  }
  return value;
}

export interface ConfigProblem {
  /** Dotted path (`mqtt.tcp.port`, `webhooks[1].url`); empty for the whole file. */
  field: string;
  /** `field: what is wrong`, ready to print. */
  message: string;
}

/**
 * Fills in defaults (on a copy) and checks the value against the schema: the value, typed, or a
 * ConfigError with the first problem. Nothing is coerced: "5" is not 5, and unknown fields are refused.
 */
export function checkConfig<S extends TSchema>(schema: S, value: unknown): Static<S> {
  const given = structuredClone(withoutSchemaKey(value));
  // Each choice between kinds of section (`"driver": "sqlite"` or `"postgres"`) is settled first, so
  // defaults and errors are those of the kind the file asks for.
  const narrowed = narrowChoices(schema as unknown as SchemaNode, given) as unknown as TSchema;
  const filled = Value.Default(narrowed, given);
  const first = configProblems(narrowed, filled)[0];
  if (first) throw new ConfigError(first.message, first.field);
  return filled as Static<S>;
}

/**
 * The schema with every tagged union (objects told apart by one constant property, such as `driver` or
 * `mode`) replaced by the branch the value's tag (or the default tag) names. A tag that names no branch
 * leaves only the tag to check, so the error says which values it may take.
 */
function narrowChoices(node: SchemaNode, value: unknown): SchemaNode {
  const tag = tagOf(node);
  if (tag) {
    const branches = node.anyOf as SchemaNode[];
    const { anyOf: _branches, ...annotations } = node;
    const given = isPlainObject(value) ? value[tag] : undefined;
    const chosen = given === undefined ? branches.find((b) => tagSchema(b, tag).default !== undefined) : branches.find((b) => tagSchema(b, tag).const === given);
    if (!chosen) {
      const values = branches.map((b) => tagSchema(b, tag));
      return { ...annotations, type: 'object', required: [tag], properties: { [tag]: { anyOf: values } } };
    }
    return narrowChoices(reshaped(chosen, annotations), value);
  }
  // A union of different types (an object or false): an object is checked against its object branch, so
  // the error names the setting inside it.
  const branches = node.anyOf as SchemaNode[] | undefined;
  const kind = jsonType(value);
  if (branches && (kind === 'object' || kind === 'array')) {
    const matching = branches.filter((b) => branchTypes(b).includes(kind));
    if (matching.length === 1) {
      const { anyOf: _branches, ...annotations } = node;
      return narrowChoices(reshaped(matching[0]!, annotations), value);
    }
  }
  const props = node.properties as Record<string, SchemaNode> | undefined;
  if (!props) return node;
  const v = isPlainObject(value) ? value : {};
  const narrowed = Object.entries(props).map(([k, p]) => [k, narrowChoices(p, v[k])] as const);
  if (narrowed.every(([k, p]) => p === props[k])) return node;
  return reshaped(node, { properties: Object.fromEntries(narrowed) });
}

/** A copy of a TypeBox schema with some keys changed; it keeps TypeBox's hidden kind, which filling in defaults needs. */
function reshaped(node: SchemaNode, changes: SchemaNode): SchemaNode {
  return Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(node)), changes);
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function branchTypes(b: SchemaNode): string[] {
  if (typeof b.type === 'string') return [b.type];
  if ('const' in b) return [jsonType(b.const)];
  return ((b.anyOf as SchemaNode[] | undefined) ?? []).flatMap(branchTypes);
}

function tagOf(node: SchemaNode): string | undefined {
  const branches = node.anyOf as SchemaNode[] | undefined;
  if (!branches || branches.length < 2 || !branches.every((b) => b.type === 'object' && b.properties)) return undefined;
  const first = branches[0]!.properties as Record<string, SchemaNode>;
  return Object.keys(first).find((k) => branches.every((b) => 'const' in tagSchema(b, k)));
}

function tagSchema(branch: SchemaNode, tag: string): SchemaNode {
  return (branch.properties as Record<string, SchemaNode>)[tag] ?? {};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every problem of an (already defaulted) value, in the order the schema lists the settings. */
export function configProblems(schema: TSchema, value: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value) as Iterable<{ keyword: string; schemaPath: string; instancePath: string; params: Record<string, unknown> }>) {
    // additionalProperties reports each unknown key twice: once as a false schema, once by name.
    if (e.keyword === 'boolean') continue;
    const at = pointerPath(e.instancePath, value);
    let field: string;
    let what: string;
    if (e.keyword === 'additionalProperties') {
      const unknown = (e.params.additionalProperties as string[] | undefined)?.[0] ?? '?';
      field = fieldPath(at, unknown);
      const parent = schemaAt(schema, at);
      const known = Object.keys((parent?.properties as object | undefined) ?? {});
      // A setting that belongs elsewhere, or was renamed, says so (`x-not-here`: name -> advice).
      const advice = (parent?.['x-not-here'] as Record<string, string> | undefined)?.[unknown];
      what = advice ?? `is not a setting here; the settings are ${known.map((k) => `"${k}"`).join(', ')}`;
    } else if (e.keyword === 'propertyNames') {
      continue; // each name at fault is reported on its own, below
    } else if (/\/propertyNames(\/|$)/.test(e.schemaPath)) {
      // A map keyed by names the user chooses (jurisdiction ids, violation codes): say what a name must be.
      field = at;
      const names = schemaAt(schema, at.slice(0, Math.max(0, at.lastIndexOf('.'))))?.propertyNames as SchemaNode | undefined;
      what = `is not a valid name here; a name must be ${names ? describe(names) : 'something else'}`;
    } else if (e.keyword === 'required') {
      const missing = (e.params.requiredProperties as string[] | undefined)?.[0] ?? '?';
      field = fieldPath(at, missing);
      what = `is required; ${expected(schemaAt(schema, field))}`;
    } else {
      field = at;
      // A union reports each branch too: the outermost problem of a field says it best.
      if ([...seen].some((s) => s === field || field.startsWith(`${s}.`) || field.startsWith(`${s}[`))) continue;
      what = `${expected(schemaAt(schema, field))}, got ${preview(valueAt(value, field))}`;
    }
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, message: `${field || 'the config'}: ${what}` });
  }
  return problems;
}

export interface ConfigFile<T> {
  /** Absolute path of the file. */
  file: string;
  /** Its folder: relative paths inside resolve against it. */
  dir: string;
  value: T;
}

/**
 * Reads, parses and checks a config file, then `finish` (if given) applies the checks across fields and
 * resolves paths against the file's folder; every error, the schema's or finish's, starts with the file's name.
 */
export function readConfigFile<S extends TSchema, T = Static<S>>(schema: S, file: string, finish?: (value: Static<S>, dir: string) => T): ConfigFile<T> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file: ${(err as Error).message}`);
  }
  const dir = dirname(path);
  try {
    const checked = checkConfig(schema, parseConfigJson(text));
    return { file: path, dir, value: finish ? finish(checked, dir) : (checked as T) };
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`, err.field);
    throw err;
  }
}

/**
 * The schema as an editor reads it (JSON Schema draft 2020-12): settings with a default are optional in
 * the file (the schema the code checks lists them as required, since defaults are filled in first), and
 * `$schema` itself is allowed at the top.
 */
export function editorSchema(schema: TSchema, meta: { id: string; title: string; description?: string }): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  relaxDefaults(copy);
  const properties = { $schema: { type: 'string', description: 'The JSON Schema this file follows (for editors).' }, ...(copy.properties as object) };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: meta.id, title: meta.title, ...(meta.description ? { description: meta.description } : {}), ...copy, properties };
}

/** A secret (a password, a key, a CA certificate) from a file the config names, relative to its folder; trimmed. */
export function readConfigSecret(field: string, path: string, baseDir: string): string {
  const file = resolve(baseDir, path);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw ConfigError.at(field, `cannot read ${file} (${(err as Error).message}); give a readable file, relative to the config file`);
  }
}

/** Takes `$schema` off a parsed file before it is checked (editors need it, the process does not). */
export function withoutSchemaKey(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('$schema' in value)) return value;
  const { $schema: _ignored, ...rest } = value as Record<string, unknown>;
  return rest;
}

function relaxDefaults(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(relaxDefaults);
  const o = node as Record<string, unknown>;
  const props = o.properties as Record<string, Record<string, unknown>> | undefined;
  if (props && Array.isArray(o.required)) {
    o.required = (o.required as string[]).filter((k) => props[k]?.default === undefined);
    if ((o.required as string[]).length === 0) delete o.required;
  }
  for (const v of Object.values(o)) relaxDefaults(v);
}

type SchemaNode = Record<string, unknown>;

/** The sub-schema that governs a dotted field path (through objects, records, arrays and unions). */
export function schemaAt(schema: TSchema, field: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema as unknown as SchemaNode;
  for (const step of steps(field)) {
    node = child(node, step);
    if (!node) return undefined;
  }
  return node;
}

function child(node: SchemaNode | undefined, step: string | number): SchemaNode | undefined {
  if (!node) return undefined;
  if (typeof step === 'number') return node.items as SchemaNode | undefined;
  const props = node.properties as Record<string, SchemaNode> | undefined;
  if (props?.[step]) return props[step];
  const patterns = node.patternProperties as Record<string, SchemaNode> | undefined;
  if (patterns) return Object.values(patterns)[0];
  if (typeof node.additionalProperties === 'object') return node.additionalProperties as SchemaNode;
  for (const branch of (node.anyOf as SchemaNode[] | undefined) ?? []) {
    const found = child(branch, step);
    if (found) return found;
  }
  return undefined;
}

/** What a setting must be, in words: `must be a whole number from 0 to 65535 (ms); the default is 25`. */
export function expected(s: SchemaNode | undefined): string {
  if (!s) return 'must be something else';
  let text = `must be ${describe(s)}`;
  const examples = s.examples as unknown[] | undefined;
  if (examples?.length) text += `, e.g. ${JSON.stringify(examples[0])}`;
  if (s.default !== undefined && (typeof s.default !== 'object' || s.default === null)) text += `; the default is ${JSON.stringify(s.default)}`;
  return text;
}

function describe(s: SchemaNode): string {
  if (typeof s['x-expected'] === 'string') return s['x-expected'];
  const unit = typeof s['x-unit'] === 'string' ? ` (${s['x-unit']})` : '';
  const anyOf = s.anyOf as SchemaNode[] | undefined;
  if (anyOf) {
    if (anyOf.every((b) => 'const' in b)) return `one of ${anyOf.map((b) => JSON.stringify(b.const)).join(', ')}`;
    return anyOf.map(describe).join(', or ');
  }
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  switch (s.type) {
    case 'integer':
    case 'number': {
      const kind = s.type === 'integer' ? 'a whole number' : 'a number';
      // "above 0" when 0 itself is refused (exclusiveMinimum), "from 0" when it is allowed.
      const low = s.minimum !== undefined ? `from ${s.minimum}` : s.exclusiveMinimum !== undefined ? `above ${s.exclusiveMinimum}` : undefined;
      const high = s.maximum !== undefined ? `${s.minimum !== undefined ? 'to' : 'and at most'} ${s.maximum}` : s.exclusiveMaximum !== undefined ? `and below ${s.exclusiveMaximum}` : undefined;
      if (low && high) return `${kind} ${low} ${high}${unit}`;
      if (s.minimum !== undefined) return `${kind} of at least ${s.minimum}${unit}`;
      if (low) return `${kind} ${low}${unit}`;
      if (s.maximum !== undefined) return `${kind} of at most ${s.maximum}${unit}`;
      if (s.exclusiveMaximum !== undefined) return `${kind} below ${s.exclusiveMaximum}${unit}`;
      return `${kind}${unit}`;
    }
    case 'boolean':
      return 'true or false (no quotes)';
    case 'null':
      return 'null';
    case 'string':
      if (typeof s.pattern === 'string') return `a string matching ${s.pattern}`;
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'array': {
      const items = s.items as SchemaNode | undefined;
      const size = s.minItems && s.maxItems ? ` of ${s.minItems} to ${s.maxItems}` : s.minItems ? ` of at least ${s.minItems}` : '';
      return `a list${size}${items ? ` of ${s.uniqueItems ? 'different ' : ''}${plural(describe(items))}` : ''}`;
    }
    case 'object':
      return 'an object { ... }';
    default:
      return 'a valid value';
  }
}

const plural = (d: string) => d.replace(/^an? /, '').replace(/^(whole number|number|string|list|object)/, '$1s');

/** A JSON pointer into `value` as a dotted path: `[1]` for a list's item, `.330100` for an object's key. */
function pointerPath(pointer: string, value: unknown): string {
  let out = '';
  let v = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = Array.isArray(v) ? `${out}[${key}]` : fieldPath(out, key);
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

/** `at.name`, or `name` at the top: the dotted path of a setting, as errors name it. */
export function fieldPath(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}

function steps(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

function valueAt(value: unknown, field: string): unknown {
  let v = value;
  for (const step of steps(field)) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[step];
  return v;
}

/** A short rendering of what was given. */
export function preview(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
