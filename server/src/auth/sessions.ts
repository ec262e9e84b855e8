/**
 * Login sessions. A session token is 32 random bytes (base64url); the store keeps only its SHA-256, so
 * a copy of the database does not let anyone log in. The same token travels as the HttpOnly cookie
 * (browsers) or as `Authorization: Bearer <token>` (scripts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CustodyStore, User } from '../store/index.ts';
import type { Principal } from './scope.ts';

export const SESSION_COOKIE = 'wastetrail_session';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewSession {
  token: string;
  expiresAt: string;
}

export async function startSession(store: CustodyStore, user: User, nowMs: number, ttlMs = DEFAULT_SESSION_TTL_MS): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(nowMs + ttlMs).toISOString();
  // Sweep expired sessions now and then, on the way: logins are rare enough to carry it.
  await store.deleteExpiredSessions(new Date(nowMs).toISOString());
  await store.createSession({ tokenHash: tokenHash(token), userId: user.id, createdAt: new Date(nowMs).toISOString(), expiresAt });
  return { token, expiresAt };
}

/** The principal a token stands for, if the token is well-formed, known and not expired. */
export async function principalOfToken(store: CustodyStore, token: string, nowMs: number): Promise<Principal | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const session = await store.session(tokenHash(token));
  if (!session || Date.parse(session.expiresAt) <= nowMs) return undefined;
  const { user } = session;
  return { userId: user.id, username: user.username, role: user.role, scope: user.scope };
}

export async function endSession(store: CustodyStore, token: string): Promise<void> {
  if (TOKEN_PATTERN.test(token)) await store.deleteSession(tokenHash(token));
}
