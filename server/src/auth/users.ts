/**
 * Web users: created with a validated role and scope, passwords stored only as scrypt PHC strings
 * (the gateway's hashPassword, the one password hash of the project). There are no default accounts:
 * the demo users exist only in demo mode (ensureDemoUsers), and every other account is created
 * on purpose (`wastetrail user add`, which calls createUser).
 */
import { hashPassword, parsePasswordHash, verifyPassword } from '@wastetrail/gateway';
import type { CustodyStore, User, UserRole } from '../store/index.ts';
import { USER_ROLES } from '../store/vocabulary.ts';
import { SCOPE_KIND } from './scope.ts';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export const USER_ERROR_CODES = ['INVALID_USERNAME', 'WEAK_PASSWORD', 'INVALID_ROLE', 'INVALID_SCOPE', 'USERNAME_TAKEN'] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

export interface NewUserRequest {
  username: string;
  password: string;
  role: string;
  scope?: string | null;
}

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: number;
  username: string;
  role: UserRole;
  scope: string | null;
  createdAt: string;
}

export type CreateUserResult = { ok: true; user: UserView } | { ok: false; error: { code: UserErrorCode; field: keyof NewUserRequest; message: string } };

export function userView(u: User): UserView {
  return { id: u.id, username: u.username, role: u.role, scope: u.scope, createdAt: u.createdAt };
}

/**
 * Creates a web user after checking everything a mistake could get wrong: the username's form, the
 * password's length, the role, and that the scope names an existing jurisdiction or institution of the
 * right kind for the role. `now` stamps createdAt (defaults to the wall clock).
 */
export async function createUser(store: CustodyStore, req: NewUserRequest, now: () => number = Date.now): Promise<CreateUserResult> {
  const refuse = (code: UserErrorCode, field: keyof NewUserRequest, message: string): CreateUserResult => ({ ok: false, error: { code, field, message } });
  if (typeof req.username !== 'string' || !USERNAME_PATTERN.test(req.username)) {
    return refuse('INVALID_USERNAME', 'username', 'a username is 3-64 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
  }
  if (typeof req.password !== 'string' || [...req.password].length < MIN_PASSWORD_LENGTH) {
    return refuse('WEAK_PASSWORD', 'password', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (req.password.length > MAX_PASSWORD_LENGTH) return refuse('WEAK_PASSWORD', 'password', `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  if (req.password.toLowerCase().includes(req.username.toLowerCase())) return refuse('WEAK_PASSWORD', 'password', 'the password must not contain the username');
  if (!(USER_ROLES as readonly string[]).includes(req.role)) return refuse('INVALID_ROLE', 'role', `role must be one of ${USER_ROLES.join(', ')}`);
  const role = req.role as UserRole;
  const scope = await checkScope(store, role, req.scope ?? null);
  if (typeof scope === 'object') return refuse('INVALID_SCOPE', 'scope', scope.message);
  if (await store.userByUsername(req.username)) return refuse('USERNAME_TAKEN', 'username', `user ${req.username} exists already`);
  const user = await store.createUser({
    username: req.username,
    passwordHash: await hashPassword(req.password),
    role,
    ...(scope !== '' ? { scope } : {}),
    createdAt: new Date(now()).toISOString(),
  });
  return { ok: true, user: userView(user) };
}

/** The scope a role needs: '' for none, or a message saying what is wrong. */
async function checkScope(store: CustodyStore, role: UserRole, scope: string | null): Promise<string | { message: string }> {
  const kind = SCOPE_KIND[role];
  if (scope === null || scope === '') {
    return kind.required ? { message: `a ${role} user needs a scope: ${describeScope(role)}` } : '';
  }
  if (kind.jurisdiction) {
    const known = (await store.jurisdictions()).some((j) => j.id === scope);
    return known ? scope : { message: `${scope} is not a known jurisdiction; a ${role} user's scope is ${describeScope(role)}` };
  }
  const inst = await store.institution(scope);
  if (!inst) return { message: `${scope} is not a known institution; a ${role} user's scope is ${describeScope(role)}` };
  if (!kind.institutionKinds.includes(inst.kind)) return { message: `${scope} is a ${inst.kind}; a ${role} user's scope is ${describeScope(role)}` };
  return scope;
}

function describeScope(role: UserRole): string {
  switch (role) {
    case 'regulator':
      return 'a jurisdiction id (city, district or grid)';
    case 'institution_admin':
      return 'a hospital or clinic id';
    case 'transport':
      return 'a transport company id';
    case 'disposal':
      return 'a disposal centre id';
    case 'public':
      return 'optional: a jurisdiction id to limit the disclosure to';
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * The user with this username and password, or undefined. An unknown username costs the same scrypt
 * work as a wrong password, so response times do not tell which usernames exist.
 */
export async function checkPassword(store: CustodyStore, username: string, password: string): Promise<User | undefined> {
  const user = await store.userByUsername(username);
  const stored = parsePasswordHash(user?.passwordHash ?? (await (dummyHash ??= hashPassword('not a password of anyone'))));
  if (!stored) return undefined;
  const good = await verifyPassword(stored, Buffer.from(password, 'utf8'));
  return user && good ? user : undefined;
}

// ---- Demo users ----

/** The demo accounts and their passwords (documented in docs/server/api.md; they exist only in demo mode). */
export const DEMO_USERS = [
  { username: 'demo-regulator', password: 'demo-pass-regulator', role: 'regulator' },
  { username: 'demo-hospital', password: 'demo-pass-hospital', role: 'institution_admin' },
  { username: 'demo-transport', password: 'demo-pass-transport', role: 'transport' },
  { username: 'demo-disposal', password: 'demo-pass-disposal', role: 'disposal' },
  { username: 'demo-public', password: 'demo-pass-public', role: 'public' },
] as const satisfies ReadonlyArray<{ username: string; password: string; role: UserRole }>;

export class DemoModeRequiredError extends Error {
  readonly code = 'DEMO_MODE_REQUIRED';
  constructor() {
    super('demo users (with published passwords) are created only in demo mode');
    this.name = 'DemoModeRequiredError';
  }
}

export interface DemoUserOutcome {
  username: string;
  role: UserRole;
  scope: string | null;
  /** created now, present already, or skipped because the store has nothing to scope it to. */
  status: 'created' | 'exists' | 'skipped';
  password?: string;
}

/**
 * Creates the five demo users, each scoped to the first matching place in the store (the top city,
 * the first hospital, transport company and disposal centre), unless they exist. Refuses to run unless
 * `demo` is true: published passwords must never reach a real deployment.
 */
export async function ensureDemoUsers(store: CustodyStore, options: { demo: boolean; now?: () => number }): Promise<DemoUserOutcome[]> {
  if (options.demo !== true) throw new DemoModeRequiredError();
  const jurisdictions = await store.jurisdictions();
  const institutions = await store.institutions();
  const first = (kinds: readonly string[]) => institutions.find((i) => kinds.includes(i.kind))?.id ?? null;
  const scopes: Record<UserRole, string | null> = {
    regulator: (jurisdictions.find((j) => j.parent === null) ?? jurisdictions[0])?.id ?? null,
    institution_admin: first(['hospital', 'clinic']),
    transport: first(['transport']),
    disposal: first(['disposal']),
    public: null,
  };
  const out: DemoUserOutcome[] = [];
  for (const demo of DEMO_USERS) {
    const scope = scopes[demo.role];
    const existing = await store.userByUsername(demo.username);
    if (existing) {
      out.push({ username: demo.username, role: existing.role, scope: existing.scope, status: 'exists' });
      continue;
    }
    if (scope === null && SCOPE_KIND[demo.role].required) {
      out.push({ username: demo.username, role: demo.role, scope: null, status: 'skipped' });
      continue;
    }
    const created = await createUser(store, { ...demo, scope }, options.now);
    if (!created.ok) throw new Error(`cannot create demo user ${demo.username}: ${created.error.message}`);
    out.push({ username: demo.username, role: demo.role, scope, status: 'created', password: demo.password });
  }
  return out;
}
