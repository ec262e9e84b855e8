/**
 * Canonical JSON for custody records: object keys sorted by UTF-16 code units (as RFC 8785),
 * no insignificant whitespace, integers only, strings escaped as JSON.stringify does.
 * Devices sign the canonical bytes; verifiers check the signature over the bytes they received and
 * then require those bytes to be canonical, so one record has exactly one byte form.
 */
export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [k: string]: CanonicalValue };

/**
 * The numbers canonical JSON holds: safe integers (custody records, the default), or any finite number
 * (the server's inspection draw hashes ratios). Either way a number is printed as JavaScript (and RFC
 * 8785) print it, so a value both accept has the same bytes under both.
 */
export type CanonicalNumbers = 'integers' | 'finite';

export function canonicalJson(value: unknown, numbers: CanonicalNumbers = 'integers'): string {
  const finite = numbers === 'finite';
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (finite ? !Number.isFinite(v) : !Number.isSafeInteger(v)) throw new TypeError(`canonical JSON holds ${finite ? 'finite numbers' : 'safe integers'} only, got ${v}`);
        return Object.is(v, -0) ? '0' : String(v);
      case 'string':
        return JSON.stringify(v);
      case 'object': {
        if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
        const entries = Object.entries(v as Record<string, unknown>)
          .filter(([, e]) => e !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, e]) => `${JSON.stringify(k)}:${write(e)}`).join(',')}}`;
      }
      default:
        throw new TypeError(`canonical JSON cannot hold a ${typeof v}`);
    }
  };
  return write(value);
}
