import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePasswordHash } from '@wastetrail/gateway';
import {
  checkPassword,
  createUser,
  DEMO_USERS,
  DemoModeRequiredError,
  endSession,
  ensureDemoUsers,
  principalOfToken,
  startSession,
  tokenHash,
} from '../../src/auth/index.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.ts';

let dir: string;
let store: SqliteStore;
const NOW = Date.parse('2026-03-05T00:00:00.000Z');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wt-auth-'));
  store = openSqliteStore(join(dir, 'wastetrail.db'));
  await store.upsertJurisdiction({ id: '330100', parent: null, level: 'city', name: 'Hangzhou' });
  await store.upsertJurisdiction({ id: '330106', parent: '330100', level: 'district', name: 'Xihu' });
  await store.upsertInstitution({ id: 'hz-h001', name: 'H1', kind: 'hospital', jurisdiction: '330106' });
  await store.upsertInstitution({ id: 'hz-d001', name: 'D1', kind: 'disposal', jurisdiction: '330100' });
  await store.upsertInstitution({ id: 'hz-t001', name: 'T1', kind: 'transport', jurisdiction: '330100' });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createUser', () => {
  it('stores a scrypt hash, never the password, and returns no hash', async () => {
    const r = await createUser(store, { username: 'inspector.wang', password: 'a long passphrase', role: 'regulator', scope: '330106' }, () => NOW);
    expect(r).toEqual({ ok: true, user: { id: 1, username: 'inspector.wang', role: 'regulator', scope: '330106', createdAt: '2026-03-05T00:00:00.000Z' } });
    const row = (await store.userByUsername('inspector.wang'))!;
    expect(row.passwordHash).toMatch(/^\$scrypt\$ln=\d+,r=8,p=1\$/);
    expect(row.passwordHash).not.toContain('a long passphrase');
    expect(parsePasswordHash(row.passwordHash)).toBeDefined();
    expect((await checkPassword(store, 'inspector.wang', 'a long passphrase'))?.id).toBe(1);
    expect(await checkPassword(store, 'inspector.wang', 'a long passphrasE')).toBeUndefined();
    expect(await checkPassword(store, 'nobody', 'a long passphrase')).toBeUndefined();
  });

  it.each([
    [{ username: 'Ab', password: 'long enough pw', role: 'regulator', scope: '330100' }, 'INVALID_USERNAME', 'username'],
    [{ username: 'has space', password: 'long enough pw', role: 'regulator', scope: '330100' }, 'INVALID_USERNAME', 'username'],
    [{ username: 'wang', password: 'short', role: 'regulator', scope: '330100' }, 'WEAK_PASSWORD', 'password'],
    [{ username: 'wang', password: 'wang-is-my-password', role: 'regulator', scope: '330100' }, 'WEAK_PASSWORD', 'password'],
    [{ username: 'wang', password: 'long enough pw', role: 'admin', scope: '330100' }, 'INVALID_ROLE', 'role'],
    [{ username: 'wang', password: 'long enough pw', role: 'regulator' }, 'INVALID_SCOPE', 'scope'],
    [{ username: 'wang', password: 'long enough pw', role: 'regulator', scope: 'hz-h001' }, 'INVALID_SCOPE', 'scope'],
    [{ username: 'wang', password: 'long enough pw', role: 'institution_admin', scope: 'hz-d001' }, 'INVALID_SCOPE', 'scope'],
    [{ username: 'wang', password: 'long enough pw', role: 'transport', scope: 'hz-h001' }, 'INVALID_SCOPE', 'scope'],
    [{ username: 'wang', password: 'long enough pw', role: 'disposal', scope: 'nowhere' }, 'INVALID_SCOPE', 'scope'],
    [{ username: 'wang', password: 'long enough pw', role: 'public', scope: 'hz-h001' }, 'INVALID_SCOPE', 'scope'],
  ])('refuses %j with %s', async (req, code, field) => {
    const r = await createUser(store, req);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.field).toBe(field);
      expect(r.error.message.length).toBeGreaterThan(10);
    }
    expect(await store.userByUsername(req.username)).toBeUndefined();
  });

  it('accepts each role with the scope it needs, and refuses a taken username', async () => {
    expect((await createUser(store, { username: 'h-admin', password: 'long enough pw', role: 'institution_admin', scope: 'hz-h001' })).ok).toBe(true);
    expect((await createUser(store, { username: 'crew', password: 'long enough pw', role: 'transport', scope: 'hz-t001' })).ok).toBe(true);
    expect((await createUser(store, { username: 'centre', password: 'long enough pw', role: 'disposal', scope: 'hz-d001' })).ok).toBe(true);
    expect((await createUser(store, { username: 'citizen', password: 'long enough pw', role: 'public' })).ok).toBe(true);
    expect((await createUser(store, { username: 'citizen-xihu', password: 'long enough pw', role: 'public', scope: '330106' })).ok).toBe(true);
    const again = await createUser(store, { username: 'crew', password: 'another long pw', role: 'transport', scope: 'hz-t001' });
    expect(again.ok ? undefined : again.error.code).toBe('USERNAME_TAKEN');
  });
});

describe('sessions', () => {
  it('keeps only the SHA-256 of the token; the token stands for the user until it expires or ends', async () => {
    await createUser(store, { username: 'wang', password: 'long enough pw', role: 'regulator', scope: '330100' });
    const user = (await store.userByUsername('wang'))!;
    const { token, expiresAt } = await startSession(store, user, NOW, 60_000);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe('2026-03-05T00:01:00.000Z');
    expect(await store.session(token)).toBeUndefined();
    expect(await store.session(tokenHash(token))).toMatchObject({ userId: user.id });
    expect(await principalOfToken(store, token, NOW + 59_999)).toEqual({ userId: user.id, username: 'wang', role: 'regulator', scope: '330100' });
    expect(await principalOfToken(store, token, NOW + 60_000)).toBeUndefined();
    expect(await principalOfToken(store, 'not-a-token', NOW)).toBeUndefined();
    await endSession(store, token);
    expect(await principalOfToken(store, token, NOW)).toBeUndefined();
  });
});

describe('ensureDemoUsers', () => {
  it('refuses to run outside demo mode, creating nothing', async () => {
    await expect(ensureDemoUsers(store, { demo: false })).rejects.toBeInstanceOf(DemoModeRequiredError);
    await expect(ensureDemoUsers(store, {} as { demo: boolean })).rejects.toBeInstanceOf(DemoModeRequiredError);
    for (const u of DEMO_USERS) expect(await store.userByUsername(u.username)).toBeUndefined();
  });

  it('creates the five demo users with their documented passwords, once', async () => {
    const first = await ensureDemoUsers(store, { demo: true, now: () => NOW });
    expect(first.map((u) => [u.username, u.role, u.scope, u.status])).toEqual([
      ['demo-regulator', 'regulator', '330100', 'created'],
      ['demo-hospital', 'institution_admin', 'hz-h001', 'created'],
      ['demo-transport', 'transport', 'hz-t001', 'created'],
      ['demo-disposal', 'disposal', 'hz-d001', 'created'],
      ['demo-public', 'public', null, 'created'],
    ]);
    for (const u of DEMO_USERS) expect((await checkPassword(store, u.username, u.password))?.username).toBe(u.username);
    const second = await ensureDemoUsers(store, { demo: true });
    expect(second.every((u) => u.status === 'exists' && u.password === undefined)).toBe(true);
  });
});
