/**
 * Every API route with generated requests as every role, on the real demo (server, embedded gateway,
 * the simulated city of edge agents with all incidents, running while the requests come): the routes
 * and their parameters from the server's own OpenAPI document (/docs/json); path values valid (real
 * tags, alert ids, devices, institutions) or not (hex, exponents, signs, padding, overlong, unicode);
 * queries and bodies from each route's schema or not. Counted: 5xx (must be 0), failed connections
 * (0), exceptions (0), and answers outside the role's scope, judged by an oracle written here from the
 * city's reference data and the stored records, not by the server's own scope code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@wastetrail/firmware-protocol';
import { INCIDENTS } from '@wastetrail/simulators';
import type { SqliteStore } from '@wastetrail/server';
import { startDemo } from '@wastetrail/demo';
import { int, randomJson, type Random } from './mutate.ts';

export interface ApiFuzzResult {
  openapiUrl: string;
  routes: number;
  requests: number;
  byRole: Record<string, number>;
  byStatus: Record<string, number>;
  serverErrors: number;
  examples5xx: string[];
  transportErrors: number;
  exceptions: string[];
  scopeChecks: number;
  outOfScope: string[];
}

export interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; schema: Schema }[];
  body?: Schema;
}
type Schema = { type?: string | string[]; enum?: unknown[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; minimum?: number; maximum?: number; maxLength?: number; pattern?: string; anyOf?: Schema[]; oneOf?: Schema[]; format?: string };

/** Who may see what, from the city's layout and the stored records (the oracle). */
export interface World {
  sealedBy: Map<string, string>;
  /** Institutions (vehicle companies included) whose devices signed a record naming the bag, and companies whose plates carried it. */
  touchedBy: Map<string, Set<string>>;
  receivedAt: Map<string, Set<string>>;
}

const BAD_IDS = ['0x10', '0b10000', '1.6e1', '+16', '016', '-1', '0', '9007199254740993', ' 16', '16 ', '%00', '..', '%2e%2e%2f', 'x'.repeat(300), '🦠', 'null', '[]', '{}', "1' OR '1'='1", '<script>'];

export async function fuzzApi(o: { requests: number; seed: number; log: (line: string) => void; onException: (handler: (err: unknown) => void) => () => void }): Promise<ApiFuzzResult> {
  const random = seededRandom(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'wastetrail-fuzz-api-'));
  const exceptions: string[] = [];
  const stopWatching = o.onException((err) => exceptions.length < 20 && exceptions.push((err as Error)?.stack ?? String(err)));
  const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 1440, seed: 1, incidents: [...INCIDENTS], mqttPort: 0, httpPort: 0, log: () => {}, onAgentError: () => {} });
  try {
    // Half a simulated day and more: bags at every step, and the incidents' alerts.
    const ready = Date.now() + 60_000;
    while (demo.progress().counts.disposed === 0 && Date.now() < ready) await new Promise((r) => setTimeout(r, 500));
    const base = demo.httpUrl;
    const openapiUrl = new URL('/docs/json', base).toString();
    const doc = (await (await fetch(openapiUrl)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> };
    const ops: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        // Logging out would end the role's session for the rest of the run; it is fuzzed like the rest at login.
        if (method === 'delete' && path === '/api/v1/session') continue;
        ops.push({
          method: method.toUpperCase(),
          path,
          params: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query').map((p) => ({ name: p.name, in: p.in as 'path' | 'query', schema: p.schema ?? {} })),
          ...(op.requestBody?.content?.['application/json']?.schema ? { body: op.requestBody.content['application/json'].schema } : {}),
        });
      }
    }
    o.log(`api: ${ops.length} operations from ${openapiUrl}`);

    const store = demo.server.store as SqliteStore;
    const sessions = new Map<string, { token?: string; role: string; scope: string | null; username?: string; password?: string }>();
    const login = async (username: string, password: string): Promise<string | undefined> => {
      const r = await fetch(new URL('/api/v1/session', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      return r.ok ? ((await r.json()) as { token: string }).token : undefined;
    };
    for (const c of demo.credentials) {
      const token = await login(c.username, c.password);
      if (!token) throw new Error(`cannot log in as ${c.username}`);
      const me = (await (await fetch(new URL('/api/v1/me', base), { headers: { authorization: `Bearer ${token}` } })).json()) as { user?: { role: string; scope: string | null }; role?: string; scope?: string | null };
      const who = me.user ?? (me as { role: string; scope: string | null });
      sessions.set(c.username, { token, role: who.role, scope: who.scope, username: c.username, password: c.password });
    }
    sessions.set('anonymous', { role: 'anonymous', scope: null });

    const world = await readWorld(store, demo.layout);
    const pools = await valuePools(store, demo.layout);
    const result: ApiFuzzResult = { openapiUrl, routes: ops.length, requests: 0, byRole: {}, byStatus: {}, serverErrors: 0, examples5xx: [], transportErrors: 0, exceptions, scopeChecks: 0, outOfScope: [] };
    const names = [...sessions.keys()];
    for (let n = 0; n < o.requests; n++) {
      if (n > 0 && n % 1000 === 0) o.log(`api: ${n.toLocaleString('en')} requests, ${result.serverErrors} 5xx, ${result.transportErrors} failed, ${result.outOfScope.length} out of scope`);
      if (n > 0 && n % 5000 === 0) {
        // New bags and alerts keep coming: the oracle and the pools follow.
        Object.assign(world, await readWorld(store, demo.layout));
        Object.assign(pools, await valuePools(store, demo.layout));
        o.log(`api: ${n.toLocaleString('en')} requests, ${result.serverErrors} 5xx, ${result.outOfScope.length} out of scope`);
      }
      const who = names[int(random, names.length)]!;
      const s = sessions.get(who)!;
      const op = ops[int(random, ops.length)]!;
      const values: Record<string, string> = {};
      let path = op.path;
      for (const p of op.params.filter((x) => x.in === 'path')) {
        const v = random() < 0.75 ? pathValue(random, p.name, pools) : BAD_IDS[int(random, BAD_IDS.length)]!;
        values[p.name] = v;
        path = path.replace(`{${p.name}}`, encodeURIComponent(v));
      }
      const query = new URLSearchParams();
      for (const p of op.params.filter((x) => x.in === 'query')) if (random() < 0.5) query.append(p.name, random() < 0.7 ? String(generate(random, p.schema, pools, 0) ?? '') : BAD_IDS[int(random, BAD_IDS.length)]!);
      if (random() < 0.05) query.append('unknown', 'x');
      const url = new URL(path + (query.size > 0 ? `?${query}` : ''), base);
      const headers: Record<string, string> = {};
      if (s.token) headers.authorization = `Bearer ${s.token}`;
      let body: string | undefined;
      if (op.method !== 'GET' && op.method !== 'DELETE') {
        headers['content-type'] = random() < 0.95 ? 'application/json' : 'text/plain';
        const r = random();
        body = r < 0.5 && op.body ? JSON.stringify(generate(random, op.body, pools, 0)) : r < 0.8 ? JSON.stringify(randomJson(random, BODY_KEYS)) : ['', '{', 'null', '[]', '"x"', '{"a":'.repeat(50)][int(random, 6)]!;
      }
      result.requests++;
      result.byRole[s.role] = (result.byRole[s.role] ?? 0) + 1;
      let status: number;
      let json: unknown;
      try {
        // A request unanswered for 60 s counts as a failed connection (a hang is a failure too).
        const res = await fetch(url, { method: op.method, headers, signal: AbortSignal.timeout(60_000), ...(body !== undefined ? { body } : {}) });
        status = res.status;
        const text = await res.text();
        json = res.headers.get('content-type')?.includes('json') ? safeJson(text) : undefined;
      } catch (err) {
        result.transportErrors++;
        if (result.examples5xx.length < 10) result.examples5xx.push(`connection: ${op.method} ${url.pathname}: ${(err as Error).message}`);
        continue;
      }
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      if (status >= 500) {
        result.serverErrors++;
        if (result.examples5xx.length < 10) result.examples5xx.push(`${status} ${op.method} ${url.pathname}${url.search} as ${s.role}${body ? ` body ${body.slice(0, 200)}` : ''}`);
      }
      // A login with a generated body may have changed nothing; a password change may end a session: log in again.
      if (status === 401 && s.username && s.password) s.token = (await login(s.username, s.password)) ?? s.token;
      if (status >= 200 && status < 300 && op.method === 'GET') {
        let verdicts = [...judge(op, values, json, s.role, s.scope, world, demo.layout)];
        // The city goes on while the oracle's copy of the records ages: judge a refusal again on the latest.
        if (verdicts.some((v) => !v.ok)) {
          Object.assign(world, await readWorld(store, demo.layout));
          verdicts = [...judge(op, values, json, s.role, s.scope, world, demo.layout)];
        }
        for (const v of verdicts) {
          result.scopeChecks++;
          if (!v.ok) result.outOfScope.push(`${s.role} ${url.pathname}${url.search}: ${v.what}`);
        }
      }
    }
    return result;
  } finally {
    stopWatching();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Layout = Awaited<ReturnType<typeof startDemo>>['layout'];

async function readWorld(store: SqliteStore, layout: Layout): Promise<World> {
  const institutionOf = new Map(layout.stations.map((s) => [s.deviceId, s.institution]));
  const companyOfPlate = new Map(layout.transport.vehicles.map((v) => [v.plate, layout.transport.id]));
  const world: World = { sealedBy: new Map(), touchedBy: new Map(), receivedAt: new Map() };
  const rows = store.db.$client.prepare('SELECT device, type, body FROM records').all() as { device: string; type: string; body: string }[];
  for (const r of rows) {
    const body = JSON.parse(r.body) as { tags?: string[]; bags?: { tag: string }[]; vehicle?: string };
    const institution = institutionOf.get(r.device);
    for (const tag of [...(body.tags ?? []), ...(body.bags ?? []).map((b) => b.tag)]) {
      if (r.type === 'sealed' && institution && !world.sealedBy.has(tag)) world.sealedBy.set(tag, institution);
      const touched = world.touchedBy.get(tag) ?? new Set<string>();
      if (institution) touched.add(institution);
      const company = body.vehicle ? companyOfPlate.get(body.vehicle) : undefined;
      if (company) touched.add(company);
      world.touchedBy.set(tag, touched);
      if ((r.type === 'received' || r.type === 'disposed') && institution) world.receivedAt.set(tag, (world.receivedAt.get(tag) ?? new Set()).add(institution));
    }
  }
  return world;
}

/** May this role see this bag? (docs: server/src/auth/scope.ts's table, written again from the data.) */
export function mayseeBag(role: string, scope: string | null, tag: string, w: World): boolean {
  switch (role) {
    case 'regulator':
      return true; // every place of the demo city is in the regulator's city
    case 'institution_admin':
      return w.sealedBy.get(tag) === scope;
    case 'transport':
      return scope !== null && (w.touchedBy.get(tag)?.has(scope) ?? false);
    case 'disposal':
      return scope !== null && (w.receivedAt.get(tag)?.has(scope) ?? false);
    default:
      return false;
  }
}

function mayseeInstitutionThings(role: string, scope: string | null, institution: unknown): boolean {
  if (role === 'regulator') return true;
  if (role === 'public' || role === 'anonymous') return false;
  return institution === scope;
}

export function* judge(op: Operation, values: Record<string, string>, json: unknown, role: string, scope: string | null, w: World, layout: Layout): Generator<{ ok: boolean; what: string }> {
  const p = op.path;
  const bagParam = values.tag ?? values.bag;
  if (bagParam !== undefined && /\/(bags|tags)\//.test(p)) yield { ok: mayseeBag(role, scope, bagParam, w), what: `the bag ${bagParam} (sealed by ${w.sealedBy.get(bagParam) ?? 'nobody'})` };
  const list = (key: string) => (json && typeof json === 'object' && Array.isArray((json as Record<string, unknown>)[key]) ? ((json as Record<string, unknown[]>)[key] as Record<string, unknown>[]) : undefined);
  for (const it of (p === '/api/v1/bags' && list('bags')) || []) {
    const tags = [...(Array.isArray(it.tags) ? it.tags : []), it.bag].filter((t): t is string => typeof t === 'string');
    yield { ok: tags.some((t) => mayseeBag(role, scope, t, w)), what: `listed bag ${tags.join('/')}` };
  }
  const alertOk = (a: Record<string, unknown>) => mayseeInstitutionThings(role, scope, a.institution) || (typeof a.bag === 'string' && mayseeBag(role, scope, a.bag, w));
  for (const a of (p === '/api/v1/alerts' && list('alerts')) || []) yield { ok: alertOk(a), what: `listed alert ${String(a.id)} (${String(a.rule)}) of ${String(a.institution)} about ${String(a.bag ?? a.device)}` };
  if (p === '/api/v1/alerts/{id}' && json && typeof json === 'object') {
    const a = ((json as { alert?: Record<string, unknown> }).alert ?? json) as Record<string, unknown>;
    yield { ok: alertOk(a), what: `alert ${String(a.id)} (${String(a.rule)}) of ${String(a.institution)} about ${String(a.bag ?? a.device)}` };
  }
  for (const d of (p === '/api/v1/devices' && list('devices')) || []) yield { ok: mayseeInstitutionThings(role, scope, d.institution), what: `device ${String(d.id)} of ${String(d.institution)}` };
  void layout;
}

async function valuePools(store: SqliteStore, layout: Layout): Promise<Record<string, string[]>> {
  const db = store.db.$client;
  const tags = (db.prepare('SELECT DISTINCT tag FROM record_tags ORDER BY random() LIMIT 200').pluck().all() as string[]).concat(['epc:000000000000000000000000', 'epc:3035a537c8000040ffffffff']);
  const alerts = (db.prepare('SELECT id FROM alerts ORDER BY random() LIMIT 100').pluck().all() as number[]).map(String).concat(['1', '999999']);
  return {
    tag: tags,
    bag: tags,
    id: alerts,
    device: layout.stations.map((s) => s.deviceId).concat(['rogue-01']),
    institution: [...new Set(layout.stations.map((s) => s.institution))].concat(['hz', 'nowhere']),
    date: ['2026-12-06', '2026-02-30', '2026-12-06T00:00:00Z'],
  };
}

function pathValue(random: Random, name: string, pools: Record<string, string[]>): string {
  const pool = pools[name] ?? pools[Object.keys(pools).find((k) => name.toLowerCase().includes(k)) ?? ''] ?? ['x'];
  return pool[int(random, pool.length)]!;
}

/** A value that fits the schema, mostly (the edges of ranges and lengths included). */
function generate(random: Random, s: Schema, pools: Record<string, string[]>, depth: number): unknown {
  if (s.enum) return s.enum[int(random, s.enum.length)];
  if (s.anyOf ?? s.oneOf) {
    const xs = (s.anyOf ?? s.oneOf)!;
    return generate(random, xs[int(random, xs.length)]!, pools, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type[int(random, s.type.length)] : s.type;
  switch (type) {
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? 0;
      const hi = s.maximum ?? lo + 1000;
      return [lo, hi, Math.floor(lo + random() * (hi - lo))][int(random, 3)];
    }
    case 'boolean':
      return random() < 0.5;
    case 'array':
      return depth > 3 ? [] : Array.from({ length: int(random, 4) }, () => generate(random, s.items ?? {}, pools, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) if ((s.required ?? []).includes(k) || random() < 0.5) out[k] = depth > 3 ? null : generate(random, v, pools, depth + 1);
      return out;
    }
    case 'string': {
      if (s.format === 'date-time') return new Date(Date.now() - int(random, 30) * 86_400_000).toISOString();
      const pool = Object.values(pools)[int(random, Object.keys(pools).length)]!;
      const v = random() < 0.5 ? pool[int(random, pool.length)]! : ['', 'a', '   ', '中文备注', 'x'.repeat(s.maxLength ?? 64)][int(random, 5)]!;
      return v;
    }
    default:
      return randomJson(random, BODY_KEYS, depth);
  }
}

const BODY_KEYS = ['note', 'seed', 'ratio', 'name', 'username', 'password', '__proto__'];

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
