/**
 * The staff registry (/api/v1/institutions/{id}/staff): kept by the institution's own account, read by
 * regulators in scope, never by the public; its names appear on trails and in the handover register.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { BAG_A, bearer, D1, H1, H2, openTestWorld, seedBags, T1, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;

beforeAll(async () => {
  w = await openTestWorld();
  await seedBags(w);
  app = await buildApp(w.deps);
});
afterAll(async () => {
  await app.close();
  await w.cleanup();
});

/** The fields of one CSV line (RFC 4180 quoting). */
const fields = (line: string): string[] => [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '')));

const put = (user: string, inst: string, badge: string, body: unknown) => app.inject({ method: 'PUT', url: `/api/v1/institutions/${inst}/staff/${encodeURIComponent(badge)}`, headers: bearer(w, user), payload: body as object });
const list = (user: string, inst: string) => app.inject({ url: `/api/v1/institutions/${inst}/staff`, headers: bearer(w, user) });

describe('the staff registry', () => {
  it("an institution admin registers, renames and withdraws its own people; the list is by name", async () => {
    const li = await put('admin-h1', H1, 'badge-0101', { name: '李娜', role: 'staff' });
    expect(li.statusCode).toBe(200);
    expect(li.json()).toEqual({ badge: 'badge-0101', institution: H1, name: '李娜', role: 'staff', active: true, updatedAt: '2026-03-05T00:00:00.000Z' });
    expect((await put('admin-h1', H1, 'badge-0303', { name: '王强', role: 'keeper' })).statusCode).toBe(200);
    expect((await put('admin-h1', H1, 'badge-0207', { name: '赵敏', role: 'collector', active: false })).json().active).toBe(false);
    const r = (await list('admin-h1', H1)).json();
    expect(r.institution).toBe(H1);
    expect(r.staff.map((s: { badge: string; name: string; active: boolean }) => [s.badge, s.name, s.active])).toEqual([
      ['badge-0101', '李娜', true],
      ['badge-0303', '王强', true],
      ['badge-0207', '赵敏', false],
    ]);
    expect((await put('admin-h1', H1, 'badge-0207', { name: '赵敏', role: 'collector', active: true })).json().active).toBe(true);
  });

  it('a transport company keeps its own crew; a regulator in scope reads but may not write; the public and other institutions are refused', async () => {
    expect((await put('crew-t1', T1, 'crew-5501', { name: '陈刚', role: 'crew' })).statusCode).toBe(200);
    expect((await list('reg-city', T1)).json().staff.map((s: { name: string }) => s.name)).toEqual(['陈刚']);
    const regulatorWrite = await put('reg-city', H1, 'badge-9999', { name: 'X', role: 'staff' });
    expect([regulatorWrite.statusCode, regulatorWrite.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const otherHospital = await put('admin-h2', H1, 'badge-9999', { name: 'X', role: 'staff' });
    expect([otherHospital.statusCode, otherHospital.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await list('admin-h2', H1)).json().error.code).toBe('FORBIDDEN');
    for (const res of [await list('citizen', H1), await put('citizen', H1, 'badge-0101', { name: 'X', role: 'staff' })]) {
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    }
    const anonymous = await app.inject({ url: `/api/v1/institutions/${H1}/staff` });
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    expect((await list('reg-city', 'hz-x999')).json().error.code).toBe('INSTITUTION_NOT_FOUND');
  });

  it('a badge belongs to one institution: registering another institution\'s badge is BADGE_TAKEN, and nothing changes', async () => {
    const taken = await put('admin-h2', H2, 'badge-0101', { name: 'Someone else', role: 'staff' });
    expect([taken.statusCode, taken.json().error.code, taken.json().error.field]).toEqual([409, 'BADGE_TAKEN', 'params.badge']);
    expect((await list('admin-h1', H1)).json().staff.find((s: { badge: string }) => s.badge === 'badge-0101').name).toBe('李娜');
  });

  it('refuses, not coerces, an invalid entry: unknown role, empty or padded name, control characters, extra fields, a bad badge', async () => {
    const bad: Array<[string, unknown]> = [
      ['badge-0500', { name: 'A', role: 'surgeon' }],
      ['badge-0500', { name: '', role: 'staff' }],
      ['badge-0500', { name: ' 李娜', role: 'staff' }],
      ['badge-0500', { name: '李\u0007娜', role: 'staff' }],
      ['badge-0500', { name: 'A'.repeat(101), role: 'staff' }],
      ['badge-0500', { name: 'A', role: 'staff', active: 'yes' }],
      ['badge-0500', { name: 'A', role: 'staff', institution: H2 }],
      ['badge-0500', { role: 'staff' }],
      ['bad badge!', { name: 'A', role: 'staff' }],
    ];
    for (const [badge, body] of bad) {
      const r = await put('admin-h1', H1, badge, body);
      expect([r.statusCode, r.json().error.code], JSON.stringify({ badge, body })).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await list('admin-h1', H1)).json().staff.map((s: { badge: string }) => s.badge)).not.toContain('badge-0500');
  });

  it('a trail names its handlers from the registry, withdrawn ones too; badges it lacks are absent', async () => {
    await put('admin-h1', H1, 'badge-0303', { name: '王强', role: 'keeper', active: false });
    await put('centre-d1', D1, 'op-7001', { name: '刘洋', role: 'operator' });
    const trail = (await app.inject({ url: `/api/v1/tags/${BAG_A}`, headers: bearer(w, 'crew-t1') })).json();
    expect(trail.staff.map((s: { badge: string; name: string; institution: string; active: boolean }) => [s.badge, s.name, s.institution, s.active])).toEqual([
      ['badge-0101', '李娜', H1, true],
      ['badge-0207', '赵敏', H1, true],
      ['badge-0303', '王强', H1, false],
      ['crew-5501', '陈刚', T1, true],
      ['op-7001', '刘洋', D1, true],
    ]);
    const badges = new Set(trail.steps.flatMap((s: { badges: string[] }) => s.badges));
    for (const s of trail.staff) expect(badges.has(s.badge)).toBe(true);
  });

  it('the handover register writes each handler as "name (badge)", and a badge the registry lacks alone', async () => {
    const r = await app.inject({ url: `/api/v1/register.csv?from=2026-03-02&to=2026-03-03&institution=${H1}`, headers: bearer(w, 'admin-h1') });
    expect(r.statusCode).toBe(200);
    const [header, ...rows] = r.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    const cols = fields(header!);
    const rowA = fields(rows.find((l) => l.startsWith(BAG_A))!);
    const at = (name: string) => rowA[cols.findIndex((c) => c.includes(name))];
    expect(at('Sealed by')).toBe('李娜 (badge-0101)');
    expect(at('Storage keeper')).toBe('王强 (badge-0303)');
    expect(at('Handover handlers')).toBe('王强 (badge-0303)/陈刚 (crew-5501)');
    expect(at('Disposed by')).toBe('刘洋 (op-7001)');
    const other = await app.inject({ url: `/api/v1/register.csv?from=2026-03-02&to=2026-03-03&institution=${H2}`, headers: bearer(w, 'admin-h2') });
    expect(other.body).toContain('badge-2101');
    expect(other.body).not.toContain('(badge-2101)');
  });
});
