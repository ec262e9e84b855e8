// A server-paged list kept in the URL: its page (offset), filters and sort are the URL's query
// (useUrlQuery), so a view survives a reload and Back; the page loads again whenever they change, or the
// language does (the API writes some texts in it). The page gives `load` the API call of one page; the
// page reads its filters from the URL with useUrlQuery, before the list (the first page loads at once); the
// list gives the page its rows, the total, and the moves (to a page, to other filters). Pager shows it.
import { computed, watch, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { useRoute } from 'vue-router';
import { useLoad, type Loaded } from './useLoad.ts';
import { useUrlQuery } from './useUrlQuery.ts';

/** One page as the API answers a list: its rows and how many there are over all pages. */
export interface ListPage<Row> {
  rows: Row[];
  total: number;
}

export interface List<Row> extends Loaded<ListPage<Row>> {
  offset: ComputedRef<number>;
  limit: number;
  rows: ComputedRef<Row[]>;
  total: ComputedRef<number | null>;
  /** To the page starting at `offset`. */
  go: (offset: number) => Promise<unknown>;
  /** Other filters or sort (undefined or '' removes one): back to the first page. */
  refine: (changes: Record<string, string | string[] | undefined>) => Promise<unknown>;
}

export function useList<Row>(limit: number, load: (page: { offset: number; limit: number }) => Promise<ListPage<Row>>): List<Row> {
  const url = useUrlQuery();
  const { locale } = useI18n();
  const route = useRoute();
  const path = route.path;
  const offset = computed(() => url.getInt('offset', 0));
  const loaded = useLoad(() => load({ offset: offset.value, limit }));
  // Only while the URL is still this list's (leaving the page changes the query too).
  watch([url.query, locale], () => void (route.path === path && loaded.reload()), { immediate: true });
  return {
    ...loaded,
    offset,
    limit,
    rows: computed(() => loaded.data.value?.rows ?? []),
    total: computed(() => loaded.data.value?.total ?? null),
    go: (to) => url.set({ offset: to > 0 ? String(to) : undefined }),
    refine: (changes) => url.set(changes),
  };
}
