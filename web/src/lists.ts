// What every server-paged list computes the same way: which page an offset is on, how many pages a total
// makes, where a page number the user typed leads, and which of the allowed words a URL value is.

/** The page (from 1) an offset falls on. */
export const pageOf = (offset: number, limit: number): number => Math.floor(offset / limit) + 1;

/** How many pages `total` rows make (at least one: an empty list is one empty page). */
export const pageCount = (total: number, limit: number): number => Math.max(1, Math.ceil(total / limit));

/** The offset of page `page` (from 1), kept within the pages there are. */
export function offsetOfPage(page: number, limit: number, total: number): number {
  const last = pageCount(total, limit);
  const p = Number.isFinite(page) ? Math.min(Math.max(1, Math.trunc(page)), last) : 1;
  return (p - 1) * limit;
}

/** `value` when it is one of `allowed`, else `fallback` (a URL edited by hand names no such sort or filter). */
export function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The values of a repeated URL parameter that are among `allowed`, in the order given, each once. */
export function someOf<T extends string>(values: readonly string[], allowed: readonly T[]): T[] {
  return [...new Set(values)].filter((v): v is T => (allowed as readonly string[]).includes(v));
}
