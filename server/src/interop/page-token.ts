/**
 * Opaque, signed, expiring page tokens (nextPageToken of the EPCIS query API). The server keeps nothing:
 * the token carries who asked, the query, where the next page starts and when the token expires, and an
 * HMAC-SHA256 over all of it. A changed byte is PAGE_TOKEN_INVALID; an old token PAGE_TOKEN_EXPIRED.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PageTokenClaims {
  /** The user the page was made for: a token is no use to anyone else. */
  user: number;
  /** The query, as its canonical text: the next page answers the same question. */
  query: string;
  /** The acceptance id (records.id) the next page starts after. */
  after: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type PageTokenCheck = { ok: true; claims: PageTokenClaims } | { ok: false; code: 'PAGE_TOKEN_INVALID' | 'PAGE_TOKEN_EXPIRED'; message: string };

const mac = (key: Uint8Array, payload: string) => createHmac('sha256', key).update(`wastetrail/page-token/v1\n${payload}`).digest();

export function signPageToken(claims: PageTokenClaims, key: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export function readPageToken(token: string, key: Uint8Array, nowMs: number): PageTokenCheck {
  const invalid = (message: string): PageTokenCheck => ({ ok: false, code: 'PAGE_TOKEN_INVALID', message });
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return invalid('nextPageToken is not a token this server gave');
  const given = Buffer.from(m[2]!, 'base64url');
  if (given.length !== 32 || !timingSafeEqual(given, mac(key, m[1]!))) return invalid('nextPageToken was not signed by this server (altered, forged, or from before a restart)');
  const claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as PageTokenClaims;
  if (nowMs >= claims.expiresAt) return { ok: false, code: 'PAGE_TOKEN_EXPIRED', message: `nextPageToken expired at ${new Date(claims.expiresAt).toISOString()}: run the query again` };
  return { ok: true, claims };
}
