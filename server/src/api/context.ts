/**
 * What every route reaches through: the dependencies, the signed-in principal, and the few things
 * of the world that scoping needs (jurisdictions, institutions, a transport company's vehicles).
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Keyring, NoteVerifierKey } from '@wastetrail/firmware-protocol';
import type { Logger, Registry } from '@wastetrail/runtime';
import type { AlertActions } from '../alerting/index.ts';
import type { Principal, ScopeWorld } from '../auth/index.ts';
import type { CustodyStore, UserRole } from '../store/index.ts';
import { vehicleInRecords } from '../store/repository.ts';
import type { SupervisionSettings } from '../supervision/settings.ts';
import { apiError } from './errors.ts';
import type { LoadShedding } from './load-shedding.ts';
import type { ApiMetrics } from './metrics.ts';
import type { LoginWindows } from './login-limit.ts';

export interface AppDeps {
  store: CustodyStore;
  /** Milliseconds since the epoch: "now" in trails, days and alert actions (the demo's clock runs fast). */
  clock: () => number;
  /**
   * People's clock: session expiry and login limits. Default `clock`. The demo passes the wall clock,
   * since its accelerated clock would end a 12-hour session in 30 seconds.
   */
  sessionClock?: () => number;
  /** Login-limit windows every server process shares (PostgreSQL); default: this process's memory. */
  loginWindows?: LoginWindows;
  /** Demo mode: the only mode in which demo users (with published passwords) may exist. */
  demo: boolean;
  /** The process's registry (served at /metrics when serveMetrics is set); the API adds its own instruments to it. Default: a new one. */
  metrics?: Registry;
  /** Ingest statistics for GET /api/v1/ingest/stats (a plain object). */
  ingestStats?: () => unknown;
  /** Fastify's logger: a child of the process's root logger ({component: 'http'}). Default: silent. */
  logger?: Logger;
  /** The web UI registers its routes here, after the API (it may use request.principal). */
  webRoutes?: (app: FastifyInstance) => Promise<void>;
  /**
   * Acknowledge and resolve: the running alerting service (startAlerting), so its notifications follow
   * people's actions too. Without it, the alert book's actions run on their own over `store`.
   */
  alerts?: AlertActions;
  /** Points table, risk formula and draw settings (config `supervision`); default DEFAULT_SUPERVISION. */
  supervision?: SupervisionSettings;
  /** The verifiable log's public side (server/src/log): absent, the /log/v1 and /api/v1/log routes answer NOT_AVAILABLE. */
  log?: { origin: string; verifierKey: string; witnesses?: readonly NoteVerifierKey[]; /** verifiableLog.quorum; default 0. */ quorum?: number };
  /** When to refuse requests with 503 OVERLOADED, the rest from DEFAULT_LOAD_SHEDDING; absent: never (tests). */
  loadShedding?: Partial<LoadShedding>;
  /** Serve GET /metrics on this app (to anyone who reaches it). Default false: 404 (config `http.serveMetrics`). */
  serveMetrics?: boolean;
  /** Which X-Forwarded-* headers to believe (fastify's trustProxy, config `http.trustProxy`). Default false: none. */
  trustProxy?: boolean | number | string[];
  /**
   * The EPCIS query and the change feed (docs/interop/): the time zone of eventTimeZoneOffset (default
   * Asia/Shanghai), how long a nextPageToken lasts (default 10 minutes, on sessionClock) and its HMAC key
   * (default: random per app, so tokens end with the process).
   */
  epcis?: { timeZone?: string; pageTokenTtlMs?: number; pageTokenKey?: Uint8Array };
}

export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null (set for every request, before validation). */
    principal: Principal | null;
    /** How the principal came: the session cookie or a bearer token. */
    authVia: 'cookie' | 'bearer' | null;
  }
  interface FastifyContextConfig {
    /** Route needs no session (health, metrics, login, docs). */
    anonymous?: boolean;
    /** Roles allowed on the route; others get FORBIDDEN before anything else runs. */
    roles?: readonly UserRole[];
  }
}

export interface ApiContext {
  deps: AppDeps;
  store: CustodyStore;
  metrics: ApiMetrics;
  /** The registry /metrics serves. */
  registry: Registry;
  now(): number;
  /** deps.sessionClock, else deps.clock. */
  sessionNow(): number;
  world(): Promise<ScopeWorld>;
  keyring(): Promise<Keyring>;
  /** The vehicles registered to a transport company (the store's `vehicles({company})`) as records name them (vehicleInRecords). */
  companyVehicles(company: string): Promise<string[]>;
  /** The company of each registered vehicle, by the name records give it (vehicleInRecords). */
  vehicleCompanies(): Promise<Map<string, string>>;
}

/** The signed-in principal; the auth hook has already refused anonymous requests to API routes. */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw apiError('UNAUTHENTICATED', 'log in first: POST /api/v1/session');
  return req.principal;
}

/** What scoping reads of the store: the world and a transport company's vehicles (the API's and the webhook deliverer's). */
export type ScopeReader = Pick<ApiContext, 'store' | 'world' | 'companyVehicles'>;

export function scopeReaderOf(store: CustodyStore): ScopeReader {
  return {
    store,
    async world() {
      const [jurisdictions, institutions] = await Promise.all([store.jurisdictions(), store.institutions()]);
      return { jurisdictions, institutions };
    },
    async companyVehicles(company) {
      return (await store.vehicles({ company })).map(vehicleInRecords);
    },
  };
}

export function createContext(deps: AppDeps, registry: Registry, metrics: ApiMetrics): ApiContext {
  const { store } = deps;
  return {
    ...scopeReaderOf(store),
    deps,
    metrics,
    registry,
    now: () => deps.clock(),
    sessionNow: () => (deps.sessionClock ?? deps.clock)(),
    keyring: () => store.keyring(),
    async vehicleCompanies() {
      return new Map((await store.vehicles()).map((v) => [vehicleInRecords(v), v.company]));
    },
  };
}
