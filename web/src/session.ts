// Who is logged in: the API's /me (user, scope, what the role may do), read once per page load and after
// login. The session itself is the API's HttpOnly cookie; the app never sees the token.
import { reactive } from 'vue';
import { ApiFailure, apiSend, me, type Me, type Role } from './api.ts';

export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false });

/** Reads /me again: the user, or null when not logged in (401). Other failures propagate. */
export async function loadSession(): Promise<Me | null> {
  try {
    session.me = await me();
  } catch (e) {
    if (!(e instanceof ApiFailure && e.status === 401)) throw e;
    session.me = null;
  }
  session.checked = true;
  return session.me;
}

export async function logIn(username: string, password: string): Promise<Me | null> {
  await apiSend('post', '/api/v1/session', { body: { username, password } });
  return loadSession();
}

export async function logOut(): Promise<void> {
  await apiSend('delete', '/api/v1/session').catch(() => undefined);
  session.me = null;
}

/** Each role's home page (a route path). */
export const HOME: Record<Role, string> = {
  regulator: '/dashboard',
  institution_admin: '/hospital',
  transport: '/transport',
  disposal: '/disposal',
  public: '/disclosure',
};

export const homeOf = (m: Me | null): string => (m ? HOME[m.user.role] : '/login');
