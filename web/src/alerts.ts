// The alert queue's words and choices, from the URL to the API's query: which statuses a view shows,
// the orders, and the filters a URL may carry (anything else in it is ignored, never sent).
import { apiGet, type AlertQuery, type ViolationType } from './api.ts';
import { SEVERITIES } from './dashboard.ts';
import { oneOf, someOf } from './lists.ts';

/** The views of the queue (`status` in the URL) and the statuses each asks the API for; none: every status. */
export const ALERT_VIEWS = {
  active: ['open', 'acknowledged'],
  open: ['open'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: [],
} as const satisfies Record<string, NonNullable<AlertQuery['status']>>;
export type AlertView = keyof typeof ALERT_VIEWS;
export const ALERT_VIEW_NAMES = Object.keys(ALERT_VIEWS) as AlertView[];

export const ALERT_SORTS = ['worst', 'oldest', 'newest'] as const satisfies readonly NonNullable<AlertQuery['sort']>[];

/** The queue's filters as the URL keeps them, each checked against what it may be. */
export interface AlertFilters {
  view: AlertView;
  sort: (typeof ALERT_SORTS)[number];
  severity: (typeof SEVERITIES)[number][];
  rule: string;
  institution: string;
}

/** Reads the filters from the URL's values; what is not allowed falls back to the default (open and acknowledged, worst first). */
export function alertFiltersOf(get: (name: string) => string, getAll: (name: string) => string[]): AlertFilters {
  return {
    view: oneOf(get('status'), ALERT_VIEW_NAMES, 'active'),
    sort: oneOf(get('sort'), ALERT_SORTS, 'worst'),
    severity: someOf(getAll('severity'), SEVERITIES),
    rule: get('rule'),
    institution: get('institution'),
  };
}

/** The API query of one page of the queue. */
export function alertQueryOf(f: AlertFilters, page: { offset: number; limit: number }, lang: 'en' | 'zh-CN'): AlertQuery {
  const status = ALERT_VIEWS[f.view];
  return {
    ...(status.length > 0 ? { status: [...status] } : {}),
    ...(f.severity.length > 0 ? { severity: f.severity } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    ...(f.institution ? { institution: f.institution } : {}),
    sort: f.sort,
    lang,
    limit: page.limit,
    offset: page.offset,
  };
}

let types: Promise<ViolationType[]> | null = null;
/** The points table (read once; read again after a failure). */
export function violationTypes(): Promise<ViolationType[]> {
  types ??= apiGet('/api/v1/supervision/violations').then(
    (r) => r.items,
    (e: unknown) => {
      types = null;
      throw e;
    },
  );
  return types;
}

/** Institution id -> name, for every institution the caller may see. */
export async function institutionNames(): Promise<Map<string, string>> {
  const { institutions } = await apiGet('/api/v1/institutions');
  return new Map(institutions.map((i) => [i.id, i.name]));
}
