/**
 * Issue #18: a suspect cannot close its own case. Who may acknowledge, explain and resolve an alert is
 * read here from the table in docs/server/alerting.md, and the API must answer exactly that for every
 * rule and role; the code's table must say the same. Then the two cases, as people meet them.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { ALERT_ACTIONS, ALERT_PERMISSIONS } from '../../src/auth/index.ts';
import { RULE_IDS } from '../../src/rules/index.ts';
import { alertRow, BAG_A, bearer, closeApp, G01, H1, openSeededApp, type SeededAlerts, type TestWorld } from './support.ts';

let w: TestWorld, app: ApiInstance, ids: SeededAlerts;

beforeEach(async () => {
  ({ w, app, ids } = await openSeededApp());
});
afterEach(() => closeApp(w, app));

const as = (user: string) => bearer(w, user);
const ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;
/** One user of each role who sees an alert of hz-h001 about bag A (sealed there, carried by T1's vehicle, received at D1). */
const USER_OF = { regulator: 'reg-city', institution_admin: 'admin-h1', transport: 'crew-t1', disposal: 'centre-d1' } as const;

/** The table of docs/server/alerting.md#who-may-act-on-an-alert: rule -> role -> actions. */
function documentedTable(): Record<string, Record<string, string[]>> {
  const doc = readFileSync(new URL('../../../docs/server/alerting.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Who may act on an alert'));
  const rows = section.split('\n').filter((l) => /^\| `[a-z-]+` \|/.test(l));
  const out: Record<string, Record<string, string[]>> = {};
  for (const row of rows) {
    const [rule, , ...cells] = row.split('|').slice(1, -1).map((c) => c.trim());
    out[rule!.replaceAll('`', '')] = Object.fromEntries(ROLES.map((role, i) => [role, cells[i] === 'none' ? [] : cells[i]!.split(', ')]));
  }
  return out;
}

describe('the permission table', () => {
  it('is documented as the code has it, for every rule and role', () => {
    const doc = documentedTable();
    expect(Object.keys(doc).sort()).toEqual([...RULE_IDS].sort());
    for (const rule of RULE_IDS) for (const role of ROLES) expect([...ALERT_PERMISSIONS[rule][role]], `${rule} ${role}`).toEqual(doc[rule]![role]);
  });

  it('is what the API enforces, rule by rule, role by role', async () => {
    const doc = documentedTable();
    for (const rule of RULE_IDS) {
      for (const role of ROLES) {
        const user = USER_OF[role];
        const row = await w.store.insertAlert(
          alertRow({ rule, dedupeKey: `${rule}:bag:${BAG_A}/${role}`, subject: `bag:${BAG_A}`, institution: H1, jurisdiction: G01, bag: BAG_A }),
        );
        const id = row!.id;
        const allowed = doc[rule]![role]!;
        const seen = await app.inject({ url: `/api/v1/alerts/${id}`, headers: as(user) });
        expect(seen.statusCode, `${user} sees ${rule}`).toBe(200);
        expect(seen.json().actions, `${rule} ${role}`).toEqual(allowed);
        for (const action of ALERT_ACTIONS) {
          const r = await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/${action}`, headers: as(user), payload: { note: `${action} by ${user}` } });
          const expected = allowed.includes(action) ? 200 : 403;
          expect(r.statusCode, `${role} ${action}s ${rule}: ${r.body}`).toBe(expected);
          if (expected === 403) expect(r.json().error.code).toBe('FORBIDDEN');
        }
        const after = (await w.store.alert(id))!;
        expect(after.status, `${rule} ${role}`).toBe(allowed.includes('resolve') ? 'resolved' : allowed.includes('acknowledge') ? 'acknowledged' : 'open');
      }
    }
  });
});

describe('the cases of issue #18', () => {
  it('the carrier explains a bag missing on its vehicle, but neither acknowledges nor resolves it; the hospital head resolves it', async () => {
    const url = (action: string) => `/api/v1/alerts/${ids.transit}/${action}`;
    const seen = (await app.inject({ url: `/api/v1/alerts/${ids.transit}`, headers: as('crew-t2') })).json();
    expect(seen).toMatchObject({ rule: 'missing-in-transit', status: 'open', actions: ['explain'] });
    for (const action of ['acknowledge', 'resolve']) {
      const r = await app.inject({ method: 'POST', url: url(action), headers: as('crew-t2'), payload: { note: 'all fine' } });
      expect([r.statusCode, r.json().error.code], action).toEqual([403, 'FORBIDDEN']);
    }
    w.clock.now += 60_000;
    const explained = await app.inject({ method: 'POST', url: url('explain'), headers: as('crew-t2'), payload: { note: '  the bag is in our depot; the receipt scan failed  ' } });
    expect(explained.statusCode, explained.body).toBe(200);
    expect(explained.json()).toMatchObject({ status: 'open', escalationLevel: 1, acknowledgedBy: null });
    // The regulator and the hospital read the carrier's side.
    for (const user of ['reg-city', 'admin-h2']) {
      const a = (await app.inject({ url: `/api/v1/alerts/${ids.transit}`, headers: as(user) })).json();
      expect(a.explanations, user).toEqual([{ by: 'crew-t2', at: '2026-03-05T00:01:00.000Z', note: 'the bag is in our depot; the receipt scan failed' }]);
      expect(a.actions, user).toEqual(['acknowledge', 'explain', 'resolve']);
    }
    const blank = await app.inject({ method: 'POST', url: url('explain'), headers: as('crew-t2'), payload: { note: '  ' } });
    expect(blank.json().error).toMatchObject({ code: 'NOTE_REQUIRED', field: 'body.note' });
    const resolved = await app.inject({ method: 'POST', url: url('resolve'), headers: as('admin-h2'), payload: { note: 'bag found at the depot and received' } });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: 'admin-h2', actions: [] });
    // The explanation survives the resolution; nothing more can be added.
    expect(resolved.json().explanations).toHaveLength(1);
    const late = await app.inject({ method: 'POST', url: url('explain'), headers: as('crew-t2'), payload: { note: 'more' } });
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'ALREADY_RESOLVED']);
  });

  it("the disposal centre sees a hospital's storage-overdue alert about a bag it received, and cannot act on it", async () => {
    const row = await w.store.insertAlert(
      alertRow({ rule: 'storage-overdue', dedupeKey: `storage-overdue:bag:${BAG_A}`, subject: `bag:${BAG_A}`, severity: 'critical', institution: H1, jurisdiction: G01, bag: BAG_A }),
    );
    const id = row!.id;
    const seen = await app.inject({ url: `/api/v1/alerts/${id}`, headers: as('centre-d1') });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().actions).toEqual([]);
    for (const action of ALERT_ACTIONS) {
      const r = await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/${action}`, headers: as('centre-d1'), payload: { note: 'closing it' } });
      expect([r.statusCode, r.json().error.code], action).toEqual([403, 'FORBIDDEN']);
    }
    expect((await w.store.alert(id))!.status).toBe('open');
    // The hospital's own: it acknowledges, then (acknowledged) may explain and resolve.
    const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/acknowledge`, headers: as('admin-h1') });
    expect(ack.json()).toMatchObject({ status: 'acknowledged', actions: ['explain', 'resolve'] });
  });
});
