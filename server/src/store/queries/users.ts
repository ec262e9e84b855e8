/** Accounts and their login sessions (UserStore). */
import { eq, lt, sql } from 'drizzle-orm';
import type { UserStore } from '../repository.ts';
import type { Queries } from './context.ts';

export function userQueries({ db, t }: Queries): UserStore {
  // Every API request reads its session and its user: prepared once (named statements on PostgreSQL);
  // building the query each time cost more than running it.
  // The session comes with its user, in one read (on PostgreSQL, one round trip fewer per request).
  const sessionByHash = db
    .select({ session: t.sessions, user: t.users })
    .from(t.sessions)
    .innerJoin(t.users, eq(t.users.id, t.sessions.userId))
    .where(eq(t.sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare('wt_session_by_token_hash');
  const userWithId = db.select().from(t.users).where(eq(t.users.id, sql.placeholder('id'))).prepare('wt_user_by_id');
  return {
    async createUser(u) {
      const [row] = await db
        .insert(t.users)
        .values({ ...u, scope: u.scope ?? null })
        .returning();
      return row!;
    },

    async userByUsername(username) {
      const [row] = await db.select().from(t.users).where(eq(t.users.username, username));
      return row;
    },

    async userById(id) {
      const [row] = await userWithId.execute({ id });
      return row;
    },

    async createSession(s) {
      await db.insert(t.sessions).values(s);
    },

    async session(tokenHash) {
      const [row] = await sessionByHash.execute({ tokenHash });
      return row && { ...row.session, user: row.user };
    },

    async deleteSession(tokenHash) {
      await db.delete(t.sessions).where(eq(t.sessions.tokenHash, tokenHash));
    },

    async deleteExpiredSessions(now) {
      const gone = await db.delete(t.sessions).where(lt(t.sessions.expiresAt, now)).returning({ tokenHash: t.sessions.tokenHash });
      return gone.length;
    },
  };
}
