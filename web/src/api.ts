// The API as the app sees it: typed by the server's OpenAPI document (api-types.ts, generated), called
// with the session cookie. What a user may see is the API's decision, never the app's.
import type { paths } from './api-types.ts';

type Json<P extends keyof paths, M extends 'get'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type Me = Json<'/api/v1/me', 'get'>;
export type AlertList = Json<'/api/v1/alerts', 'get'>;
export type Alert = AlertList['alerts'][number];
export type InstitutionList = Json<'/api/v1/institutions', 'get'>;
export type Institution = InstitutionList['institutions'][number];
export type InstitutionDetail = Json<'/api/v1/institutions/{id}', 'get'>;

/** An answer other than 2xx: its HTTP status and the API's error code. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiFailure(res.status, body.error?.code ?? 'HTTP_' + res.status, body.error?.message ?? res.statusText);
  }
  return (await res.json()) as T;
}

export const me = () => getJson<Me>('/api/v1/me');
export const institutions = () => getJson<InstitutionList>('/api/v1/institutions');
/** One institution with its mass balance over the server's default days (the last of which is its today). */
export const institution = (id: string) => getJson<InstitutionDetail>(`/api/v1/institutions/${encodeURIComponent(id)}`);

/** Page size of the alert list (the API's maximum). */
const ALERT_PAGE = 500;

/** Every alert not resolved in the caller's scope, all pages. */
export async function openAlerts(lang: string): Promise<Alert[]> {
  const out: Alert[] = [];
  for (let offset = 0; ; offset += ALERT_PAGE) {
    const page = await getJson<AlertList>(`/api/v1/alerts?status=open&status=acknowledged&limit=${ALERT_PAGE}&offset=${offset}&lang=${lang}`);
    out.push(...page.alerts);
    if (page.alerts.length < ALERT_PAGE) return out;
  }
}
