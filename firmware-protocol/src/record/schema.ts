/**
 * A small validator for decoded record bodies. Each schema both checks a value and gives its
 * TypeScript type (`Infer<typeof s>`), so an event body is defined once. Failures carry the record
 * error codes (MISSING_FIELD, UNEXPECTED_FIELD, INVALID_FIELD, WRONG_UNIT) and the field's path.
 */
import { isRfc3339Utc } from '../time.ts';
import { fail, ok, type Result } from './errors.ts';

export interface Schema<T> {
  readonly describe: string;
  check(value: unknown, path: string): Result<T>;
}
export type Infer<S> = S extends Schema<infer T> ? T : never;

const invalid = (path: string, expected: string, value: unknown) =>
  fail('INVALID_FIELD', `${path || 'value'} must be ${expected}, got ${preview(value)}`, { path });

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** A string of min-max characters, counted as Unicode code points (so 浙 or an emoji is one). */
export function string(opts: { pattern?: RegExp; min?: number; max: number; describe?: string }): Schema<string> {
  const min = opts.min ?? 1;
  const describe = opts.describe ?? `a string of ${min}-${opts.max} characters`;
  return {
    describe,
    check(value, path) {
      if (typeof value !== 'string') return invalid(path, describe, value);
      const length = codePoints(value);
      if (length < min || length > opts.max) return invalid(path, describe, value);
      if (opts.pattern && !opts.pattern.test(value)) return invalid(path, describe, value);
      return ok(value);
    },
  };
}

/** An instant written as record times are (RFC 3339 UTC with milliseconds); a date that does not exist is refused. */
export function instant(): Schema<string> {
  const describe = 'a time like 2026-01-31T08:00:00.000Z';
  return {
    describe,
    check(value, path) {
      return typeof value === 'string' && isRfc3339Utc(value) ? ok(value) : invalid(path, describe, value);
    },
  };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function integer(opts: { min: number; max: number }): Schema<number> {
  const describe = `an integer from ${opts.min} to ${opts.max}`;
  return {
    describe,
    check(value, path) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < opts.min || value > opts.max) {
        return invalid(path, describe, value);
      }
      return ok(value);
    },
  };
}

export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  const describe = `one of ${values.join(', ')}`;
  return {
    describe,
    check(value, path) {
      return typeof value === 'string' && (values as readonly string[]).includes(value)
        ? ok(value as V[number])
        : invalid(path, describe, value);
    },
  };
}

/** A literal unit string: anything else that is a string is a WRONG_UNIT, not just an invalid field. */
export function unit<const U extends string>(expected: U): Schema<U> {
  return {
    describe: `"${expected}"`,
    check(value, path) {
      if (value === expected) return ok(expected);
      if (typeof value === 'string') {
        return fail('WRONG_UNIT', `${path} must be "${expected}", got "${value}"`, { path });
      }
      return invalid(path, `"${expected}"`, value);
    },
  };
}

export function array<T>(item: Schema<T>, opts: { min: number; max: number }): Schema<T[]> {
  const describe = `a list of ${opts.min}-${opts.max} items, each ${item.describe}`;
  return {
    describe,
    check(value, path) {
      if (!Array.isArray(value) || value.length < opts.min || value.length > opts.max) return invalid(path, describe, value);
      const out: T[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = item.check(value[i], `${path}[${i}]`);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

export interface Optional<T> {
  readonly optional: Schema<T>;
}
export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: schema };
}

type Fields = Record<string, Schema<unknown> | Optional<unknown>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends Schema<unknown> ? K : never }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends Optional<unknown> ? K : never }[keyof F];
export type ObjectOf<F extends Fields> = { [K in RequiredKeys<F>]: F[K] extends Schema<infer T> ? T : never } & {
  [K in OptionalKeys<F>]?: F[K] extends Optional<infer T> ? T : never;
};

/** A JSON object with exactly these fields: a missing required field or any unknown field is an error. */
export function object<F extends Fields>(fields: F, describe = 'an object'): Schema<ObjectOf<F>> {
  return {
    describe,
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(path, describe, value);
      const input = value as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!(key in fields)) {
          const at = join(path, key);
          return fail('UNEXPECTED_FIELD', `${at} is not a field of ${path || 'this object'}`, { path: at });
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, spec] of Object.entries(fields)) {
        const at = join(path, key);
        const isOptional = 'optional' in spec;
        if (!(key in input)) {
          if (isOptional) continue;
          return fail('MISSING_FIELD', `${at} is required`, { path: at });
        }
        const r = (isOptional ? spec.optional : spec).check(input[key], at);
        if (!r.ok) return r;
        out[key] = r.value;
      }
      return ok(out as ObjectOf<F>);
    },
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
