/**
 * A small validator for the configuration file. Each schema checks a value and gives its TypeScript
 * type, and every problem names the field by its path and says what would be right:
 *
 *   serial.scale.parity: must be one of none, even, odd (got "evn")
 *
 * All problems are collected, not just the first, so one edit fixes a whole file.
 */

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `serial.scale.parity`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Marks a value that failed its check (the problem is already recorded). */
export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

export interface Schema<T> {
  /** What a right value looks like, as the end of "must be ...". */
  readonly describe: string;
  check(value: unknown, path: string, problems: ConfigProblem[]): Checked<T>;
}
export type Infer<S> = S extends Schema<infer T> ? T : never;

export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function mustBe(problems: ConfigProblem[], path: string, describe: string, value: unknown): typeof INVALID {
  problems.push({ path, message: `must be ${describe} (got ${preview(value)})` });
  return INVALID;
}

export function str(opts: { pattern?: RegExp; min?: number; max?: number; describe?: string } = {}): Schema<string> {
  const min = opts.min ?? 1;
  const max = opts.max ?? 4096;
  const describe = opts.describe ?? `a string of ${min}-${max} characters`;
  return {
    describe,
    check(value, path, problems) {
      if (typeof value !== 'string' || value.length < min || value.length > max) return mustBe(problems, path, describe, value);
      if (opts.pattern && !opts.pattern.test(value)) return mustBe(problems, path, describe, value);
      return value;
    },
  };
}

/** A string that must also pass a test defined elsewhere (e.g. a record schema from firmware-protocol). */
export function strWhere(test: (s: string) => boolean, describe: string): Schema<string> {
  return {
    describe,
    check(value, path, problems) {
      return typeof value === 'string' && test(value) ? value : mustBe(problems, path, describe, value);
    },
  };
}

export function int(opts: { min: number; max: number }): Schema<number> {
  const describe = `an integer from ${opts.min} to ${opts.max}`;
  return {
    describe,
    check(value, path, problems) {
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= opts.min && value <= opts.max
        ? value
        : mustBe(problems, path, describe, value);
    },
  };
}

export function num(opts: { min: number; max: number }): Schema<number> {
  const describe = `a number from ${opts.min} to ${opts.max}`;
  return {
    describe,
    check(value, path, problems) {
      return typeof value === 'number' && Number.isFinite(value) && value >= opts.min && value <= opts.max
        ? value
        : mustBe(problems, path, describe, value);
    },
  };
}

export function bool(): Schema<boolean> {
  return {
    describe: 'true or false',
    check(value, path, problems) {
      return typeof value === 'boolean' ? value : mustBe(problems, path, 'true or false', value);
    },
  };
}

export function oneOf<const V extends readonly (string | number)[]>(values: V): Schema<V[number]> {
  const describe = `one of ${values.join(', ')}`;
  return {
    describe,
    check(value, path, problems) {
      return (values as readonly unknown[]).includes(value) ? (value as V[number]) : mustBe(problems, path, describe, value);
    },
  };
}

export function arr<T>(item: Schema<T>, opts: { min?: number; max: number }): Schema<T[]> {
  const min = opts.min ?? 0;
  const describe = `a list of ${min}-${opts.max} items, each ${item.describe}`;
  return {
    describe,
    check(value, path, problems) {
      if (!Array.isArray(value) || value.length < min || value.length > opts.max) return mustBe(problems, path, describe, value);
      const out: T[] = [];
      let bad = false;
      value.forEach((v, i) => {
        const r = item.check(v, `${path}[${i}]`, problems);
        if (r === INVALID) bad = true;
        else out.push(r);
      });
      return bad ? INVALID : out;
    },
  };
}

/** An optional field; with a default it is always present in the result. */
export interface Optional<T, D> {
  readonly optional: Schema<T>;
  readonly fallback: D;
}
export function opt<T>(schema: Schema<T>): Optional<T, undefined>;
export function opt<T>(schema: Schema<T>, fallback: T): Optional<T, T>;
export function opt<T>(schema: Schema<T>, fallback?: T): Optional<T, T | undefined> {
  return { optional: schema, fallback };
}

type Fields = Record<string, Schema<unknown> | Optional<unknown, unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends Schema<unknown> ? K : F[K] extends Optional<unknown, infer D> ? (undefined extends D ? never : K) : never;
}[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type ValueOf<S> = S extends Schema<infer T> ? T : S extends Optional<infer T, unknown> ? T : never;
export type ObjectOf<F extends Fields> = Simplify<{ [K in RequiredKeys<F>]: ValueOf<F[K]> } & { [K in OptionalKeys<F>]?: ValueOf<F[K]> }>;

/** A JSON object with exactly these fields; an unknown field is reported with the nearest known name. */
export function obj<F extends Fields>(fields: F, describe = 'an object'): Schema<ObjectOf<F>> {
  return {
    describe,
    check(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return mustBe(problems, path, describe, value);
      const input = value as Record<string, unknown>;
      let bad = false;
      for (const key of Object.keys(input)) {
        if (key in fields) continue;
        bad = true;
        const near = nearest(key, Object.keys(fields));
        problems.push({ path: join(path, key), message: `unknown field${near ? `; did you mean "${near}"?` : ` (known: ${Object.keys(fields).join(', ')})`}` });
      }
      const out: Record<string, unknown> = {};
      for (const [key, spec] of Object.entries(fields)) {
        const at = join(path, key);
        const isOptional = 'optional' in spec;
        const schema = isOptional ? spec.optional : spec;
        if (input[key] === undefined) {
          if (!isOptional) {
            problems.push({ path: at, message: `is required: ${schema.describe}` });
            bad = true;
          } else if (spec.fallback !== undefined) out[key] = structuredClone(spec.fallback);
          continue;
        }
        const r = schema.check(input[key], at, problems);
        if (r === INVALID) bad = true;
        else out[key] = r;
      }
      return bad ? INVALID : (out as ObjectOf<F>);
    },
  };
}

/** One of several object shapes, chosen by a string field (e.g. `auth.mode`). */
export function tagged<K extends string, V extends Record<string, Schema<object>>>(key: K, variants: V): Schema<Infer<V[keyof V]>> {
  const names = Object.keys(variants);
  const describe = `an object whose "${key}" is one of ${names.join(', ')}`;
  return {
    describe,
    check(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return mustBe(problems, path, describe, value);
      const tag = (value as Record<string, unknown>)[key];
      const variant = typeof tag === 'string' ? variants[tag] : undefined;
      if (!variant) return mustBe(problems, join(path, key), `one of ${names.join(', ')}`, tag);
      return variant.check(value, path, problems) as Checked<Infer<V[keyof V]>>;
    },
  };
}

/** The literal value of a tagged variant's key. */
export function literal<const L extends string>(value: L): Schema<L> {
  return {
    describe: JSON.stringify(value),
    check(v, path, problems) {
      return v === value ? value : mustBe(problems, path, JSON.stringify(value), v);
    },
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The known name closest to a mistyped one (a few edits, more for longer names; case ignored). */
function nearest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}
