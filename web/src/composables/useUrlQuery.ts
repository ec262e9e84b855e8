// A page's filters, sort and paging kept in the URL's query (#/alerts?status=open&offset=50), so a
// view can be bookmarked, shared and restored with Back. Values are strings or lists of strings.
import { computed } from 'vue';
import { useRoute, useRouter, type LocationQueryValue } from 'vue-router';

export type UrlQuery = Record<string, string | string[] | undefined>;

const one = (v: LocationQueryValue | LocationQueryValue[] | undefined): string | undefined => (Array.isArray(v) ? (v[0] ?? undefined) : (v ?? undefined));
const many = (v: LocationQueryValue | LocationQueryValue[] | undefined): string[] => (Array.isArray(v) ? v : v == null ? [] : [v]).filter((x): x is string => x !== null && x !== '');

export function useUrlQuery() {
  const route = useRoute();
  const router = useRouter();
  return {
    /** One value of the query, or `fallback`. */
    get: (name: string, fallback = ''): string => one(route.query[name]) ?? fallback,
    /** Every value of a repeated parameter. */
    getAll: (name: string): string[] => many(route.query[name]),
    /** A whole number of the query (paging), or `fallback` when absent or not one. */
    getInt: (name: string, fallback: number): number => {
      const v = one(route.query[name]);
      return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
    },
    /** The query as it is now, for watching. */
    query: computed(() => route.query),
    /** Changes some parameters (undefined or '' removes one); a change of filters goes back to the first page unless `offset` is given. */
    set: (changes: UrlQuery): Promise<unknown> => {
      const next: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries({ ...route.query, ...('offset' in changes ? {} : { offset: undefined }), ...changes })) {
        if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
        next[k] = v as string | string[];
      }
      return router.push({ path: route.path, query: next });
    },
  };
}
