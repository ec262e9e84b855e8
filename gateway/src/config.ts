/**
 * Gateway settings: the programmatic form the server passes to startGateway, the defaults, and the JSON
 * file the standalone command reads with --config (reference: docs/gateway/README.md).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_AUTH_SKEW_MS,
  DEVICE_ID_PATTERN,
  integer,
  object,
  oneOf,
  optional,
  string,
  type Keyring,
} from '@wastetrail/firmware-protocol';
import { parsePasswordHash, type ScryptHash } from './auth/password.ts';
import { LOG_LEVELS, type LogSettings, type Logger, type MetricsListenerSettings, type Registry } from '@wastetrail/runtime';

export interface ListenAddress {
  /** 0 picks a free port; the bound one is in `gateway.addresses`. */
  port: number;
  /** Default: every interface. */
  host?: string;
}

/** PEM text (`cert`, `key`) or files to read it from (`certFile`, `keyFile`). */
export interface TlsMaterial {
  cert?: string | Buffer;
  key?: string | Buffer;
  certFile?: string;
  keyFile?: string;
}

export interface TlsListenerConfig extends ListenAddress, TlsMaterial {}

/** MQTT over WebSocket; with `cert` and `key` it is served over HTTPS (wss://). */
export interface WebSocketListenerConfig extends ListenAddress, TlsMaterial {
  /** Only upgrade requests for this path (e.g. "/mqtt"); default: any path. */
  path?: string;
}

export interface RateLimit {
  /** Sustained messages per second per device. */
  messagesPerSecond: number;
  /** Messages a device may send at once after a quiet period. */
  burst: number;
  /** Longest a message is held back waiting for a token; beyond it the device is disconnected. */
  maxDelayMs: number;
}

export interface GatewayLimits {
  /** Largest PUBLISH payload accepted, in bytes. */
  maxPayloadBytes: number;
  /** Open connections across all listeners, authenticated or not; more are closed at once. */
  maxConnections: number;
  /** How long a new connection may take to send CONNECT. */
  connectTimeoutMs: number;
  rate: RateLimit;
}

export interface ServerIdentityConfig {
  /** Must not be a valid device id, so no device can ever claim it. */
  username: string;
  /** scrypt hash from `wastetrail-gateway hash-password`; without it the server can only connect in-process. */
  passwordHash?: string;
}

export interface GatewayConfig {
  keyring: Keyring;
  /** Plain MQTT listener. Default { port: 1883 }; false for none. */
  tcp?: ListenAddress | false;
  tls?: TlsListenerConfig;
  websocket?: WebSocketListenerConfig;
  server?: ServerIdentityConfig;
  /** How far a device token's time may be from the gateway's clock. Default 5 minutes. */
  authSkewMs?: number;
  limits?: Partial<Omit<GatewayLimits, 'rate'>> & { rate?: Partial<RateLimit> };
  /** A child of the process's root logger; default: silent. */
  logger?: Logger;
  /** The process's registry: the gateway's counts are added to it (wastetrail_gateway_*). */
  metrics?: Registry;
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
}

export const DEFAULT_TCP_PORT = 1883;
export const DEFAULT_SERVER_USERNAME = 'wastetrail_server';
export const DEFAULT_LIMITS: GatewayLimits = {
  maxPayloadBytes: 256 * 1024,
  maxConnections: 10_000,
  connectTimeoutMs: 10_000,
  rate: { messagesPerSecond: 50, burst: 500, maxDelayMs: 10_000 },
};

export class GatewayConfigError extends Error {
  readonly code = 'INVALID_GATEWAY_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'GatewayConfigError';
  }
}

export interface ResolvedTls {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ResolvedGatewayConfig {
  tcp: ListenAddress | undefined;
  tls: (ListenAddress & ResolvedTls) | undefined;
  websocket: (ListenAddress & { path?: string; tls?: ResolvedTls }) | undefined;
  server: { username: string; passwordHash?: ScryptHash };
  authSkewMs: number;
  limits: GatewayLimits;
}

/** Fills in defaults, checks ranges, and reads certificate files. Throws GatewayConfigError. */
export function resolveGatewayConfig(config: Omit<GatewayConfig, 'keyring' | 'logger' | 'metrics' | 'now'>): ResolvedGatewayConfig {
  const limits: GatewayLimits = {
    ...DEFAULT_LIMITS,
    ...stripUndefined(config.limits ?? {}),
    rate: { ...DEFAULT_LIMITS.rate, ...stripUndefined(config.limits?.rate ?? {}) },
  };
  positiveInt(limits.maxPayloadBytes, 'limits.maxPayloadBytes');
  positiveInt(limits.maxConnections, 'limits.maxConnections');
  positiveInt(limits.connectTimeoutMs, 'limits.connectTimeoutMs');
  if (!(limits.rate.messagesPerSecond > 0)) throw new GatewayConfigError('limits.rate.messagesPerSecond must be more than 0');
  if (!(limits.rate.burst >= 1)) throw new GatewayConfigError('limits.rate.burst must be at least 1');
  if (!(limits.rate.maxDelayMs >= 0)) throw new GatewayConfigError('limits.rate.maxDelayMs must be 0 or more');

  const authSkewMs = config.authSkewMs ?? DEFAULT_AUTH_SKEW_MS;
  if (!(authSkewMs >= 0)) throw new GatewayConfigError('authSkewMs must be 0 or more');

  const username = config.server?.username ?? DEFAULT_SERVER_USERNAME;
  if (username.length === 0 || DEVICE_ID_PATTERN.test(username)) {
    throw new GatewayConfigError(`server.username "${username}" must not look like a device id (use e.g. "${DEFAULT_SERVER_USERNAME}")`);
  }
  let passwordHash: ScryptHash | undefined;
  if (config.server?.passwordHash !== undefined) {
    passwordHash = parsePasswordHash(config.server.passwordHash);
    if (!passwordHash) throw new GatewayConfigError('server.passwordHash is not a hash from `wastetrail-gateway hash-password` ($scrypt$ln=...,r=...,p=...$salt$hash)');
  }

  const tcp = config.tcp === false ? undefined : (config.tcp ?? { port: DEFAULT_TCP_PORT });
  if (tcp) port(tcp.port, 'tcp.port');
  let tls: ResolvedGatewayConfig['tls'];
  if (config.tls) {
    port(config.tls.port, 'tls.port');
    tls = { port: config.tls.port, ...hostOf(config.tls), ...tlsMaterial(config.tls, 'tls', true)! };
  }
  let websocket: ResolvedGatewayConfig['websocket'];
  if (config.websocket) {
    port(config.websocket.port, 'websocket.port');
    const material = tlsMaterial(config.websocket, 'websocket', false);
    websocket = {
      port: config.websocket.port,
      ...hostOf(config.websocket),
      ...(config.websocket.path !== undefined ? { path: config.websocket.path } : {}),
      ...(material ? { tls: material } : {}),
    };
  }
  return { tcp, tls, websocket, server: { username, ...(passwordHash ? { passwordHash } : {}) }, authSkewMs, limits };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hostOf(a: ListenAddress): { host?: string } {
  return a.host !== undefined ? { host: a.host } : {};
}

function positiveInt(v: number, name: string): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new GatewayConfigError(`${name} must be a positive integer, got ${v}`);
}

function port(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new GatewayConfigError(`${name} must be 0-65535, got ${v}`);
}

function tlsMaterial(m: TlsMaterial, name: string, required: boolean): ResolvedTls | undefined {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new GatewayConfigError(`${name}.${what}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = m.cert ?? (m.certFile !== undefined ? read(m.certFile, 'certFile') : undefined);
  const key = m.key ?? (m.keyFile !== undefined ? read(m.keyFile, 'keyFile') : undefined);
  if (cert === undefined && key === undefined && !required) return undefined;
  if (cert === undefined || key === undefined) throw new GatewayConfigError(`${name} needs both a certificate (cert or certFile) and a private key (key or keyFile)`);
  return { cert, key };
}

// ---- The JSON file read by `wastetrail-gateway --config FILE` ----

const portSchema = integer({ min: 0, max: 65535 });
const hostSchema = optional(string({ max: 255, describe: 'a host name or IP address' }));
const pathSchema = string({ max: 4096, describe: 'a file path' });
const count = (max: number) => integer({ min: 1, max });

const configFileSchema = object({
  keyringFile: optional(pathSchema),
  log: optional(
    object({
      level: optional(oneOf(LOG_LEVELS)),
      destination: optional(string({ max: 4096, describe: '"stderr", "stdout" or a file path' })),
      format: optional(oneOf(['json', 'pretty'] as const)),
    }),
  ),
  metrics: optional(object({ host: hostSchema, port: portSchema })),
  tcp: optional(object({ port: portSchema, host: hostSchema })),
  tls: optional(object({ port: portSchema, host: hostSchema, certFile: pathSchema, keyFile: pathSchema })),
  websocket: optional(
    object({
      port: portSchema,
      host: hostSchema,
      path: optional(string({ pattern: /^\//, max: 1024, describe: 'a URL path starting with /' })),
      certFile: optional(pathSchema),
      keyFile: optional(pathSchema),
    }),
  ),
  server: optional(object({ username: string({ max: 256 }), passwordHash: optional(string({ max: 512 })) })),
  authSkewMs: optional(integer({ min: 0, max: 24 * 3600_000 })),
  limits: optional(
    object({
      maxPayloadBytes: optional(count(256 * 1024 * 1024)),
      maxConnections: optional(count(10_000_000)),
      connectTimeoutMs: optional(count(3600_000)),
      rate: optional(
        object({
          messagesPerSecond: optional(count(1_000_000)),
          burst: optional(count(1_000_000)),
          maxDelayMs: optional(integer({ min: 0, max: 3600_000 })),
        }),
      ),
    }),
  ),
});

/** The standalone gateway's own settings: its keyring file, its log and its /metrics listener. */
export interface GatewayProcessSettings {
  keyringFile?: string;
  log?: Partial<LogSettings>;
  metrics?: MetricsListenerSettings;
}

export type GatewayConfigFile = Omit<GatewayConfig, 'keyring' | 'logger' | 'metrics' | 'now'> & GatewayProcessSettings;

/** Parses a --config file; relative paths in it are relative to the file. Throws GatewayConfigError. */
export function parseGatewayConfigFile(json: unknown, baseDir: string): GatewayConfigFile {
  const checked = configFileSchema.check(json, '');
  if (!checked.ok) throw new GatewayConfigError(checked.error.message);
  const c = checked.value;
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(baseDir, p));
  const out: GatewayConfigFile = {};
  if (c.keyringFile !== undefined) out.keyringFile = path(c.keyringFile)!;
  if (c.log) out.log = { ...c.log, ...(c.log.destination !== undefined && !['stderr', 'stdout'].includes(c.log.destination) ? { destination: path(c.log.destination)! } : {}) };
  if (c.metrics) out.metrics = { host: c.metrics.host ?? '127.0.0.1', port: c.metrics.port };
  if (c.tcp) out.tcp = { ...c.tcp };
  if (c.tls) out.tls = { ...c.tls, certFile: path(c.tls.certFile)!, keyFile: path(c.tls.keyFile)! };
  if (c.websocket) {
    const { certFile, keyFile, ...rest } = c.websocket;
    out.websocket = { ...rest, ...(certFile ? { certFile: path(certFile)! } : {}), ...(keyFile ? { keyFile: path(keyFile)! } : {}) };
  }
  if (c.server) out.server = { ...c.server };
  if (c.authSkewMs !== undefined) out.authSkewMs = c.authSkewMs;
  if (c.limits) {
    const { rate, ...rest } = c.limits;
    out.limits = { ...rest, ...(rate ? { rate } : {}) };
  }
  return out;
}

export function readGatewayConfigFile(file: string): GatewayConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GatewayConfigError(`${file}: ${(err as Error).message}`);
  }
  try {
    return parseGatewayConfigFile(json, dirname(resolve(file)));
  } catch (err) {
    throw new GatewayConfigError(`${file}: ${(err as Error).message}`);
  }
}
