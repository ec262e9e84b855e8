/**
 * Every route for every role: allowed, forbidden, or filtered (and which results remain), from one
 * table. The table must name every route the OpenAPI document lists, and every user, so a new route or
 * role cannot go untested.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { cosignatureLine, cosigner, ed25519KeyPairFromSeed, ed25519Signer } from '@wastetrail/firmware-protocol';
import { loadLogKey, signCheckpoint } from '../../src/log/index.ts';
import { BAG_A, BAG_A_QR, BAG_B, BAG_C, BAG_D, CITY, D1, H1, H2, YUHANG, LABEL_B, openTestWorld, PASSWORD, seedAlerts, seedBags, T1, T2, USERS, type TestWorld } from './support.ts';

type User = (typeof USERS)[number]['username'] | 'anonymous';
const EVERYONE: User[] = ['anonymous', ...USERS.map((u) => u.username)];

/** ok: 2xx (or 409: the action was authorised, the alert had moved on); not-found: 404 (another user's); a list: 200 and exactly these results. */
type Outcome = 'ok' | 'forbidden' | 'unauthenticated' | 'not-found' | string[];

const WITNESS = cosigner('witness.example/access', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(9)).privateKeyPem));
/** The seeded log's checkpoint with WITNESS's cosignature (made before the table runs). */
let cosignedCheckpoint = '';

interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As the OpenAPI document spells it. */
  route: string;
  url: (ids: Ids) => string;
  body?: unknown;
  /** The body's content type when it is not JSON. */
  contentType?: string;
  /** The ids in a 200 answer, for filtered outcomes. */
  pick?: (body: unknown, raw: string) => string[];
  expect: Record<User, Outcome>;
}

interface Ids {
  storage: number;
  transit: number;
  silent: number;
}

const enc = encodeURIComponent;
const bagsOf = (b: unknown) => (b as { bags: { bag: string }[] }).bags.map((x) => x.bag).sort();
const alertsOf = (b: unknown) => (b as { alerts: { rule: string }[] }).alerts.map((a) => a.rule).sort();
const institutionsOf = (b: unknown) => (b as { institutions: { id: string }[] }).institutions.map((i) => i.id).sort();
const devicesOf = (b: unknown) => (b as { devices: { institution: string }[] }).devices.map((d) => d.institution).sort();
const csvBags = (_: unknown, raw: string) =>
  raw
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.split(',')[0]!)
    .sort();

const F = 'forbidden' as const;
const U = 'unauthenticated' as const;
const sorted = (...xs: string[]) => [...xs].sort();
/** Everyone but the regulators: refused (anonymous: not signed in). */
const NOT_REGULATORS = { anonymous: U, 'admin-h1': F, 'admin-h2': F, 'crew-t1': F, 'crew-t2': F, 'centre-d1': F, citizen: F } as const;
/** The regulators, allowed where the institution (H1 in grid 1, H2 in grid 2, both in Xihu) is in their jurisdiction. */
const REGULATORS_OF = (inst: string): Record<string, Outcome> => ({ 'reg-city': 'ok', 'reg-xihu': 'ok', 'reg-g01': inst === H1 ? 'ok' : F, 'reg-yuhang': F });
const ALL_INSTITUTIONS = sorted(D1, H1, H2, T1, T2);

/** Bag A: H1, carried by T1, received at D1. Bag B: H1, in storage. Bag C: H2, on T2's vehicle. Bag D: H2, carried by T1, received at D1. */
const TRAIL_A: Record<User, Outcome> = {
  anonymous: U,
  'reg-city': 'ok',
  'reg-xihu': 'ok',
  'reg-g01': 'ok',
  'reg-yuhang': 'ok',
  'admin-h1': 'ok',
  'admin-h2': F,
  'crew-t1': 'ok',
  'crew-t2': F,
  'centre-d1': 'ok',
  citizen: F,
};

const TABLE: RouteCase[] = [
  {
    method: 'GET',
    route: '/api/v1/me',
    url: () => '/api/v1/me',
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])), anonymous: U } as Record<User, Outcome>,
  },
  {
    method: 'GET',
    route: '/api/v1/bags',
    url: () => '/api/v1/bags',
    pick: bagsOf,
    expect: {
      anonymous: U,
      'reg-city': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-xihu': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-g01': sorted(BAG_A, BAG_B),
      'reg-yuhang': [],
      'admin-h1': sorted(BAG_A, BAG_B),
      'admin-h2': sorted(BAG_C, BAG_D),
      'crew-t1': sorted(BAG_A, BAG_D),
      'crew-t2': [BAG_C],
      'centre-d1': sorted(BAG_A, BAG_D),
      citizen: F,
    },
  },
  { method: 'GET', route: '/api/v1/bags/{id}', url: () => `/api/v1/bags/${enc(BAG_A)}`, expect: TRAIL_A },
  // The leg that carried bag A: whoever may see the bag.
  { method: 'GET', route: '/api/v1/transit', url: () => `/api/v1/transit?bag=${enc(BAG_A)}`, expect: TRAIL_A },
  {
    // V1's whole track: its company T1 (registered at city level) and the city's regulators only.
    method: 'GET',
    route: '/api/v1/vehicles/{plate}/track',
    url: () => `/api/v1/vehicles/${enc('浙A1234')}/track?from=2026-03-03&to=2026-03-04`,
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': F, 'reg-g01': F, 'reg-yuhang': F, 'crew-t1': 'ok' },
  },
  {
    // Where the vehicles are: a company its own, a regulator those of the companies in its jurisdiction (T1 is city-level, T2 Xihu's).
    method: 'GET',
    route: '/api/v1/vehicles',
    url: () => '/api/v1/vehicles',
    pick: (b) => (b as { vehicles: { plate: string }[] }).vehicles.map((v) => v.plate).sort(),
    expect: { ...NOT_REGULATORS, 'reg-city': sorted('浙A1234', '浙B9999'), 'reg-xihu': ['浙B9999'], 'reg-g01': [], 'reg-yuhang': [], 'crew-t1': ['浙A1234'], 'crew-t2': ['浙B9999'] },
  },
  {
    // The dashboard's daily figures: over the regulator's institutions, or the admin's own.
    method: 'GET',
    route: '/api/v1/dashboard/daily',
    url: () => '/api/v1/dashboard/daily?days=7',
    pick: (b) => (b as { institutions: { institution: string }[] }).institutions.map((i) => i.institution).sort(),
    expect: { ...NOT_REGULATORS, 'reg-city': ALL_INSTITUTIONS, 'reg-xihu': sorted(H1, H2, T2), 'reg-g01': [H1], 'reg-yuhang': [D1], 'admin-h1': [H1], 'admin-h2': [H2] },
  },
  {
    method: 'GET',
    route: '/api/v1/bags/{id}/bundle',
    url: () => `/api/v1/bags/${enc(BAG_C)}/bundle`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': F,
      'reg-yuhang': F,
      'admin-h1': F,
      'admin-h2': 'ok',
      'crew-t1': F,
      'crew-t2': 'ok',
      'centre-d1': F,
      citizen: F,
    },
  },
  { method: 'GET', route: '/api/v1/tags/{tag}', url: () => `/api/v1/tags/${enc(BAG_A_QR)}`, expect: TRAIL_A },
  {
    method: 'GET',
    route: '/api/v1/labels/{label}',
    url: () => `/api/v1/labels/${enc(LABEL_B)}`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/alerts',
    url: () => '/api/v1/alerts',
    pick: alertsOf,
    expect: {
      anonymous: U,
      'reg-city': sorted('storage-overdue', 'missing-in-transit', 'device-silent'),
      'reg-xihu': sorted('storage-overdue', 'missing-in-transit'),
      'reg-g01': ['storage-overdue'],
      'reg-yuhang': ['device-silent'],
      'admin-h1': ['storage-overdue'],
      'admin-h2': ['missing-in-transit'],
      'crew-t1': [],
      'crew-t2': ['missing-in-transit'],
      'centre-d1': ['device-silent'],
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/alerts/{id}',
    url: (ids) => `/api/v1/alerts/${ids.transit}`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': F,
      'reg-yuhang': F,
      'admin-h1': F,
      'admin-h2': 'ok',
      'crew-t1': F,
      'crew-t2': 'ok',
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'POST',
    route: '/api/v1/alerts/{id}/acknowledge',
    url: (ids) => `/api/v1/alerts/${ids.storage}/acknowledge`,
    body: { note: 'on it' },
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'POST',
    route: '/api/v1/alerts/{id}/explain',
    // Missing in transit of bag C, on T2's vehicle: the suspect carrier may explain it.
    url: (ids) => `/api/v1/alerts/${ids.transit}/explain`,
    body: { note: 'the bag is in our depot, the receipt scan failed' },
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': F,
      'reg-yuhang': F,
      'admin-h1': F,
      'admin-h2': 'ok',
      'crew-t1': F,
      'crew-t2': 'ok',
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'POST',
    route: '/api/v1/alerts/{id}/resolve',
    url: (ids) => `/api/v1/alerts/${ids.silent}/resolve`,
    body: { note: 'power restored at the kiln line' },
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': F,
      'reg-g01': F,
      'reg-yuhang': 'ok',
      'admin-h1': F,
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': 'ok',
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions',
    url: () => '/api/v1/institutions',
    pick: institutionsOf,
    expect: {
      anonymous: U,
      'reg-city': ALL_INSTITUTIONS,
      'reg-xihu': sorted(H1, H2, T2),
      'reg-g01': [H1],
      'reg-yuhang': [D1],
      'admin-h1': [H1],
      'admin-h2': [H2],
      'crew-t1': [T1],
      'crew-t2': [T2],
      'centre-d1': [D1],
      citizen: ALL_INSTITUTIONS,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions/{id}/staff',
    url: () => `/api/v1/institutions/${H1}/staff`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'PUT',
    route: '/api/v1/institutions/{id}/staff/{badge}',
    url: () => `/api/v1/institutions/${H1}/staff/badge-0101`,
    body: { name: '李娜', role: 'staff' },
    expect: {
      anonymous: U,
      'reg-city': F,
      'reg-xihu': F,
      'reg-g01': F,
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions/{id}/rooms',
    url: () => `/api/v1/institutions/${H1}/rooms`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions/{id}/rooms/{room}/climate',
    url: () => `/api/v1/institutions/${H1}/rooms/STORE-1/climate`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions/{id}',
    url: () => `/api/v1/institutions/${H1}`,
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': F,
      'admin-h1': 'ok',
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: 'ok',
    },
  },
  {
    method: 'GET',
    route: '/api/v1/devices',
    url: () => '/api/v1/devices',
    pick: devicesOf,
    expect: {
      anonymous: U,
      'reg-city': sorted(D1, H1, H2),
      'reg-xihu': sorted(H1, H2),
      'reg-g01': [H1],
      'reg-yuhang': [D1],
      'admin-h1': [H1],
      'admin-h2': [H2],
      'crew-t1': [],
      'crew-t2': [],
      'centre-d1': [D1],
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/devices/{id}',
    url: () => '/api/v1/devices/hz-h002-kiosk-01',
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': F,
      'reg-yuhang': F,
      'admin-h1': F,
      'admin-h2': 'ok',
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/ingest/stats',
    url: () => '/api/v1/ingest/stats',
    expect: {
      anonymous: U,
      'reg-city': 'ok',
      'reg-xihu': 'ok',
      'reg-g01': 'ok',
      'reg-yuhang': 'ok',
      'admin-h1': F,
      'admin-h2': F,
      'crew-t1': F,
      'crew-t2': F,
      'centre-d1': F,
      citizen: F,
    },
  },
  {
    method: 'GET',
    route: '/api/v1/register.csv',
    url: () => '/api/v1/register.csv?from=2026-03-01&to=2026-03-05',
    pick: csvBags,
    expect: {
      anonymous: U,
      'reg-city': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-xihu': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-g01': sorted(BAG_A, BAG_B),
      'reg-yuhang': [],
      'admin-h1': sorted(BAG_A, BAG_B),
      'admin-h2': sorted(BAG_C, BAG_D),
      'crew-t1': sorted(BAG_A, BAG_D),
      'crew-t2': [BAG_C],
      'centre-d1': sorted(BAG_A, BAG_D),
      citizen: F,
    },
  },
  // Transfer manifests. The seeded pickups name two manifests whose issue is not stored: no party is
  // known yet, so only the company whose vehicle signed sees each (issued ones: manifests.test.ts).
  {
    method: 'GET',
    route: '/api/v1/manifests',
    url: () => '/api/v1/manifests',
    pick: (b) => (b as { manifests: { manifest: string }[] }).manifests.map((m) => m.manifest),
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, []])), anonymous: U, citizen: F, 'crew-t1': ['HZ2026030300017'], 'crew-t2': ['HZ2026030300021'] } as Record<User, Outcome>,
  },
  ...(['/api/v1/manifests/{manifest}', '/api/v1/manifests/{manifest}/export.csv'] as const).map((route) => ({
    method: 'GET' as const,
    route,
    url: () => route.replace('{manifest}', 'HZ2026030300017'),
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, F])), anonymous: U, 'crew-t1': 'ok' } as Record<User, Outcome>,
  })),
  // Supervision (docs/server/supervision.md). In this order: the draw rows build on the inspector row.
  {
    method: 'GET',
    route: '/api/v1/supervision/violations',
    url: () => '/api/v1/supervision/violations',
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])), anonymous: U } as Record<User, Outcome>,
  },
  {
    method: 'POST',
    route: '/api/v1/alerts/{id}/confirm',
    url: (ids) => `/api/v1/alerts/${ids.transit}/confirm`,
    body: { violation: 'missing-in-transit', note: 'not received, crew could not say where' },
    // reg-city confirms (201); reg-xihu may too, and is told ALREADY_CONFIRMED (409).
    expect: { ...REGULATORS_OF(H2), ...NOT_REGULATORS },
  },
  {
    method: 'GET',
    route: '/api/v1/alerts/{id}/violation',
    url: (ids) => `/api/v1/alerts/${ids.transit}/violation`,
    expect: { ...REGULATORS_OF(H2), ...NOT_REGULATORS, 'admin-h2': 'ok', 'crew-t2': 'ok' },
  },
  {
    method: 'GET',
    route: '/api/v1/institutions/{id}/credit',
    url: () => `/api/v1/institutions/${H1}/credit`,
    expect: { ...REGULATORS_OF(H1), ...NOT_REGULATORS, 'admin-h1': 'ok' },
  },
  {
    method: 'GET',
    route: '/api/v1/supervision/classes',
    url: () => '/api/v1/supervision/classes',
    pick: (b) => (b as { items: { institution: string }[] }).items.map((i) => i.institution).sort(),
    expect: { ...NOT_REGULATORS, 'reg-city': sorted(H1, H2), 'reg-xihu': sorted(H1, H2), 'reg-g01': [H1], 'reg-yuhang': [] },
  },
  {
    method: 'GET',
    route: '/api/v1/supervision/inspectors',
    url: () => '/api/v1/supervision/inspectors',
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': 'ok', 'reg-g01': 'ok', 'reg-yuhang': 'ok' },
  },
  {
    method: 'POST',
    route: '/api/v1/supervision/inspectors',
    url: () => '/api/v1/supervision/inspectors',
    body: { id: 'insp-x', name: 'Inspector X', conflicts: [] },
    // The city's regulator adds insp-x to the city pool; a district's may not take it over.
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': F, 'reg-g01': F, 'reg-yuhang': F },
  },
  {
    method: 'POST',
    route: '/api/v1/supervision/draws',
    url: () => '/api/v1/supervision/draws',
    body: { period: '2026-Q2', ratio: 0.5, seed: 'access', inspectorsPerInstitution: 1 },
    // Draw 1 (city); Xihu's pool is empty (409 NOT_ENOUGH_INSPECTORS); Yuhang has no hospital: draw 2, empty.
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': 'ok', 'reg-g01': 'ok', 'reg-yuhang': 'ok' },
  },
  {
    method: 'POST',
    route: '/api/v1/supervision/draws/{id}/run',
    url: () => '/api/v1/supervision/draws/1/run',
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': F, 'reg-g01': F, 'reg-yuhang': F },
  },
  {
    method: 'GET',
    route: '/api/v1/supervision/draws',
    url: () => '/api/v1/supervision/draws',
    pick: (b) => (b as { items: { jurisdiction: string }[] }).items.map((d) => d.jurisdiction).sort(),
    expect: { ...NOT_REGULATORS, 'reg-city': sorted(CITY, YUHANG), 'reg-xihu': [], 'reg-g01': [], 'reg-yuhang': [YUHANG] },
  },
  {
    method: 'GET',
    route: '/api/v1/supervision/draws/{id}',
    url: () => '/api/v1/supervision/draws/1',
    expect: { ...NOT_REGULATORS, 'reg-city': 'ok', 'reg-xihu': F, 'reg-g01': F, 'reg-yuhang': F },
  },
  {
    method: 'POST',
    route: '/api/v1/supervision/inspections',
    url: () => '/api/v1/supervision/inspections',
    body: { institution: H1, inspectors: ['insp-x'], date: '2026-03-04', outcome: 'pass' },
    expect: { ...REGULATORS_OF(H1), ...NOT_REGULATORS },
  },
  {
    method: 'GET',
    route: '/api/v1/supervision/inspections',
    url: () => '/api/v1/supervision/inspections',
    pick: (b) => (b as { items: { institution: string }[] }).items.map((i) => i.institution),
    // Three passes at H1, one by each regulator above it.
    expect: { ...NOT_REGULATORS, 'reg-city': [H1, H1, H1], 'reg-xihu': [H1, H1, H1], 'reg-g01': [H1, H1, H1], 'reg-yuhang': [], 'admin-h1': [H1, H1, H1], 'admin-h2': [] },
  },
  ...(['/api/v1/public/draws', '/api/v1/public/disclosure', '/api/v1/public/disclosure.csv'] as const).map((route) => ({
    method: 'GET' as const,
    route,
    url: () => route,
    expect: Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])) as Record<User, Outcome>,
  })),
  // The verifiable log: public, signed in or not (the seeded bags' 12 records, one checkpoint).
  ...(
    [
      ['/log/v1/checkpoint', '/log/v1/checkpoint'],
      ['/log/v1/key', '/log/v1/key'],
      ['/log/v1/tile/{*}', '/log/v1/tile/0/000.p/12'],
      ['/api/v1/log/inclusion', '/api/v1/log/inclusion?index=3'],
      ['/api/v1/log/consistency', '/api/v1/log/consistency?from=1'],
    ] as const
  ).map(([route, url]) => ({
    method: 'GET' as const,
    route,
    url: () => url,
    expect: Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])) as Record<User, Outcome>,
  })),
  // A witness hands in its cosignature: anyone may, the signature is the credential (same line each time).
  {
    method: 'POST',
    route: '/log/v1/cosignature',
    url: () => '/log/v1/cosignature',
    get body() {
      return cosignedCheckpoint;
    },
    contentType: 'text/plain',
    expect: Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])) as Record<User, Outcome>,
  },
  // EPCIS events: of the devices the role sees (the seeded devices stand at H1, H2 and D1).
  {
    method: 'GET',
    route: '/epcis/events',
    url: () => '/epcis/events?perPage=1000',
    pick: (b) => [...new Set((b as { epcisBody: { queryResults: { resultsBody: { eventList: Array<{ bizLocation: { id: string } }> } } } }).epcisBody.queryResults.resultsBody.eventList.map((e) => e.bizLocation.id.split(':').at(-1)!))].sort(),
    expect: {
      anonymous: U,
      'reg-city': sorted(D1, H1, H2),
      'reg-xihu': sorted(H1, H2),
      'reg-g01': [H1],
      'reg-yuhang': [D1],
      'admin-h1': [H1],
      'admin-h2': [H2],
      'crew-t1': [],
      'crew-t2': [],
      'centre-d1': [D1],
      citizen: F,
    },
  },
  // The change feed: bags as the trail routes scope them (the bag changes' keys).
  {
    method: 'GET',
    route: '/api/v1/changes',
    url: () => '/api/v1/changes?limit=1000&kind=bag',
    pick: (b) => [...new Set((b as { changes: Array<{ key: string; bag?: unknown }> }).changes.filter((c) => c.bag).map((c) => c.key))].sort(),
    expect: {
      anonymous: U,
      'reg-city': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-xihu': sorted(BAG_A, BAG_B, BAG_C, BAG_D),
      'reg-g01': sorted(BAG_A, BAG_B),
      'reg-yuhang': sorted(BAG_A, BAG_D),
      'admin-h1': sorted(BAG_A, BAG_B),
      'admin-h2': sorted(BAG_C, BAG_D),
      'crew-t1': sorted(BAG_A, BAG_D),
      'crew-t2': [BAG_C],
      'centre-d1': sorted(BAG_A, BAG_D),
      citizen: F,
    },
  },
  // Webhook subscriptions: every role that reads the feed registers its own (reg-city's is id 1), sees and ends only its own.
  {
    method: 'POST',
    route: '/api/v1/subscriptions',
    url: () => '/api/v1/subscriptions',
    body: { url: 'https://platform.example/hook' },
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])), anonymous: U, citizen: F } as Record<User, Outcome>,
  },
  {
    method: 'GET',
    route: '/api/v1/subscriptions',
    url: () => '/api/v1/subscriptions',
    pick: (b) => (b as { subscriptions: Array<{ url: string }> }).subscriptions.map((x) => x.url),
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, ['https://platform.example/hook']])), anonymous: U, citizen: F } as Record<User, Outcome>,
  },
  ...(['GET', 'DELETE'] as const).map((method) => ({
    method,
    route: '/api/v1/subscriptions/{id}',
    url: () => '/api/v1/subscriptions/1',
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, 'not-found'])), anonymous: U, citizen: F, 'reg-city': 'ok' } as Record<User, Outcome>,
  })),
  // Anonymous routes: everyone, signed in or not.
  ...(['/healthz', '/metrics'] as const).map((route) => ({
    method: 'GET' as const,
    route,
    url: () => route,
    expect: Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])) as Record<User, Outcome>,
  })),
  {
    method: 'POST',
    route: '/api/v1/session',
    url: () => '/api/v1/session',
    body: 'per user',
    expect: Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])) as Record<User, Outcome>,
  },
  // Last: logging out ends the sessions the rows above use.
  {
    method: 'DELETE',
    route: '/api/v1/session',
    url: () => '/api/v1/session',
    expect: { ...Object.fromEntries(EVERYONE.map((u) => [u, 'ok'])), anonymous: U } as Record<User, Outcome>,
  },
];

describe('route x role', () => {
  let w: TestWorld;
  let app: ApiInstance;
  let ids: Ids;

  let keyDir: string;
  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'wt-access-log-'));
    const logKey = loadLogKey(keyDir, 'log.wastetrail.example/access');
    w = await openTestWorld({ deps: { ingestStats: () => ({ accepted: 12 }), log: { origin: logKey.origin, verifierKey: logKey.verifierKey, witnesses: [WITNESS] } } });
    await seedBags(w);
    const { checkpoint } = await signCheckpoint(w.store, logKey, () => w.clock.now);
    cosignedCheckpoint = checkpoint.note + cosignatureLine(checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1), WITNESS, 1_800_000_000);
    ids = await seedAlerts(w);
    app = await (await import('../../src/api/app.ts')).buildApp({ ...w.deps, serveMetrics: true });
  });
  afterAll(async () => {
    await app.close();
    await w.cleanup();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('the table names every route of the OpenAPI document, and every user for each', async () => {
    const spec = (await app.inject('/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(TABLE.map((c) => `${c.method} ${c.route}`).sort()).toEqual(documented);
    for (const c of TABLE) expect(Object.keys(c.expect).sort(), `${c.method} ${c.route}`).toEqual([...EVERYONE].sort());
  });

  for (const c of TABLE) {
    it(`${c.method} ${c.route}`, async () => {
      for (const user of EVERYONE) {
        const headers: Record<string, string> = user === 'anonymous' ? {} : { authorization: `Bearer ${w.tokens[user]}` };
        const body = c.body === 'per user' ? { username: user === 'anonymous' ? 'reg-city' : user, password: PASSWORD } : c.body;
        if (c.contentType) headers['content-type'] = c.contentType;
        const r = await app.inject({ method: c.method, url: c.url(ids), headers, ...(body !== undefined ? { payload: body as object } : {}) });
        const want = c.expect[user];
        const where = `${c.method} ${c.url(ids)} as ${user}: ${r.statusCode} ${r.body.slice(0, 200)}`;
        if (want === 'unauthenticated') {
          expect(r.statusCode, where).toBe(401);
          expect(r.json().error.code, where).toBe('UNAUTHENTICATED');
        } else if (want === 'forbidden') {
          expect(r.statusCode, where).toBe(403);
          expect(r.json().error.code, where).toBe('FORBIDDEN');
        } else if (want === 'not-found') {
          expect(r.statusCode, where).toBe(404);
        } else if (want === 'ok') {
          expect(r.statusCode < 300 || r.statusCode === 409, where).toBe(true);
        } else {
          expect(r.statusCode, where).toBe(200);
          const parsed: unknown = String(r.headers['content-type']).includes('json') ? r.json() : undefined;
          expect(c.pick!(parsed, r.body), where).toEqual(want);
        }
      }
    });
  }
});
