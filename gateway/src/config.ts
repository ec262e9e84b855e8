/**
 * Gateway settings, defined once as a TypeBox schema: the `mqtt.gateway` section of the server config
 * embeds it, the standalone command's --config file adds the keyring file and the log to it, and
 * startGateway takes the same settings from code (with PEM text in place of files, if wished). Defaults,
 * ranges and descriptions live in the schema; gateway/config/gateway-config.schema.json is it written out.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_AUTH_SKEW_MS, DEVICE_ID_PATTERN, type Keyring } from '@wastetrail/firmware-protocol';
import { checkConfig, ConfigError, editorSchema, fieldPath, LOG_LEVEL_MOVED, LogSettingsSchema, MetricsListenerSchema, readConfigFile, type ConfigFile, type Logger, type Registry } from '@wastetrail/runtime';
import { Type, type Static } from 'typebox';
import { parsePasswordHash, type ScryptHash } from './auth/password.ts';

export const DEFAULT_TCP_PORT = 1883;
export const DEFAULT_SERVER_USERNAME = 'wastetrail_server';

const port = (description: string) => Type.Integer({ minimum: 0, maximum: 65535, description });
const host = Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The address to bind: a host name or IP address. Default: every interface.', examples: ['0.0.0.0'] }));
const file = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description, 'x-expected': 'a file path (relative to the config file)' }));
const count = (max: number, fallback: number, unit: string, description: string) => Type.Integer({ minimum: 1, maximum: max, default: fallback, 'x-unit': unit, description });

export const ListenAddressSchema = Type.Object({ port: port('TCP port; 0 picks a free one (the bound one is printed and logged).'), host }, { additionalProperties: false });
export type ListenAddress = Static<typeof ListenAddressSchema>;

const TlsListenerSchema = Type.Object(
  {
    port: port('TCP port of MQTT over TLS (mqtts://), usually 8883.'),
    host,
    certFile: file('PEM certificate chain of the gateway.'),
    keyFile: file('PEM private key of the certificate.'),
  },
  { additionalProperties: false, description: 'MQTT over TLS: needs certFile and keyFile.' },
);

const WebSocketListenerSchema = Type.Object(
  {
    port: port('TCP port of MQTT over WebSocket.'),
    host,
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 1024, description: 'Only upgrade requests for this path. Default: any path.', 'x-expected': 'a URL path starting with /', examples: ['/mqtt'] })),
    certFile: file('With keyFile: serve over HTTPS (wss://).'),
    keyFile: file('With certFile: serve over HTTPS (wss://).'),
  },
  { additionalProperties: false, description: 'MQTT over WebSocket (ws://, or wss:// with certFile and keyFile).' },
);

export const RateLimitSchema = Type.Object(
  {
    messagesPerSecond: count(1_000_000, 50, 'messages/s', 'Sustained messages per second per device.'),
    burst: count(1_000_000, 500, 'messages', 'Messages a device may send at once after a quiet period.'),
    maxDelayMs: Type.Integer({ minimum: 0, maximum: 3600_000, default: 10_000, 'x-unit': 'ms', description: 'Longest a message is held back waiting for its turn; beyond it the device is disconnected.' }),
  },
  { additionalProperties: false, default: {}, description: 'A token bucket per device.' },
);
export type RateLimit = Static<typeof RateLimitSchema>;

export const LoginFailuresSchema = Type.Object(
  {
    maxFailures: count(1_000_000, 20, 'CONNECTs', 'Failed CONNECTs from one source address within windowMs that lock the address out. Devices behind one NAT address share it.'),
    windowMs: count(24 * 3600_000, 60_000, 'ms', 'The window failures are counted in.'),
    lockoutMs: count(24 * 3600_000, 60_000, 'ms', 'How long a locked-out address is refused (CONNACK 3, reason "throttled") before its credentials are checked; attempts during it do not extend it.'),
    logIntervalMs: count(24 * 3600_000, 60_000, 'ms', 'Refused CONNECTs are logged once per source address per interval, the rest in one summary line at its end.'),
  },
  { additionalProperties: false, default: {}, description: 'Throttling and logging of failed CONNECTs, per source address.' },
);
export type LoginFailureLimits = Static<typeof LoginFailuresSchema>;

export const GatewayLimitsSchema = Type.Object(
  {
    maxPayloadBytes: count(256 * 1024 * 1024, 256 * 1024, 'bytes', 'Largest PUBLISH payload accepted; a larger one closes the connection.'),
    maxConnections: count(10_000_000, 10_000, 'connections', 'Open connections across all listeners, authenticated or not; more are closed at once.'),
    connectTimeoutMs: count(3600_000, 10_000, 'ms', 'How long a new connection may take to send CONNECT.'),
    rate: RateLimitSchema,
    loginFailures: LoginFailuresSchema,
  },
  { additionalProperties: false, default: {}, description: 'Limits that keep one device or one flood from taking the gateway down.' },
);
export type GatewayLimits = Static<typeof GatewayLimitsSchema>;

const ServerIdentitySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 256, default: DEFAULT_SERVER_USERNAME, description: 'The server\'s MQTT user name; must not look like a device id, so no device can claim it.' }),
    passwordHash: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'scrypt hash from `wastetrail-gateway hash-password`; without it the server can only connect in-process.', 'x-expected': 'a hash from `wastetrail-gateway hash-password`' })),
  },
  { additionalProperties: false, default: {}, description: 'The identity the server connects with.' },
);
export type ServerIdentityConfig = Static<typeof ServerIdentitySchema>;

/** The gateway's settings: `mqtt.gateway` in the server config, the body of the standalone config file. */
export const GatewaySettingsSchema = Type.Object(
  {
    tcp: Type.Union([ListenAddressSchema, Type.Literal(false)], { default: { port: DEFAULT_TCP_PORT }, description: 'Plain MQTT (mqtt://); false for none.' }),
    tls: Type.Optional(TlsListenerSchema),
    websocket: Type.Optional(WebSocketListenerSchema),
    server: ServerIdentitySchema,
    authSkewMs: Type.Integer({ minimum: 0, maximum: 24 * 3600_000, default: DEFAULT_AUTH_SKEW_MS, 'x-unit': 'ms', description: "How far a device token's time may be from the gateway's clock." }),
    limits: GatewayLimitsSchema,
  },
  { additionalProperties: false, default: {}, description: 'The MQTT gateway: listeners, server identity, limits (docs/gateway/README.md).' },
);
export type GatewaySettings = Static<typeof GatewaySettingsSchema>;

/** The file `wastetrail-gateway --config FILE` reads: the settings, the keyring file, the log and /metrics. */
export const GatewayConfigFileSchema = Type.Object(
  {
    keyringFile: file('The device keyring (JSON); --keyring overrides it. SIGHUP re-reads it.'),
    log: LogSettingsSchema,
    metrics: Type.Optional(MetricsListenerSchema),
    ...GatewaySettingsSchema.properties,
  },
  { additionalProperties: false, 'x-not-here': LOG_LEVEL_MOVED },
);
export type GatewayConfigFile = Static<typeof GatewayConfigFileSchema>;

export const DEFAULT_LIMITS: GatewayLimits = checkConfig(GatewayLimitsSchema, {});

/** The schema of the standalone config file as editors read it (gateway/config/gateway-config.schema.json). */
export function gatewayConfigJsonSchema(): Record<string, unknown> {
  return editorSchema(GatewayConfigFileSchema, {
    id: 'https://wastetrail.example/schemas/gateway-config.schema.json',
    title: 'wastetrail-gateway --config FILE',
    description: 'The standalone MQTT gateway. Relative paths are relative to the file. Reference: docs/gateway/README.md.',
  });
}

/** PEM text (`cert`, `key`) that code may give in place of the files. */
export interface TlsMaterial {
  cert?: string | Buffer;
  key?: string | Buffer;
}
export type TlsListenerConfig = Static<typeof TlsListenerSchema> & TlsMaterial;
export type WebSocketListenerConfig = Static<typeof WebSocketListenerSchema> & TlsMaterial;

/** What startGateway takes: the settings, any of them left out for its default, and what only code can give. */
export interface GatewayConfig {
  keyring: Keyring;
  tcp?: ListenAddress | false;
  tls?: TlsListenerConfig;
  websocket?: WebSocketListenerConfig;
  server?: Partial<ServerIdentityConfig>;
  authSkewMs?: number;
  limits?: Partial<Omit<GatewayLimits, 'rate' | 'loginFailures'>> & { rate?: Partial<RateLimit>; loginFailures?: Partial<LoginFailureLimits> };
  /** A child of the process's root logger (silent when left out). */
  logger?: Logger;
  /** The process's registry: the gateway's connection, refusal and message metrics go on it. */
  metrics?: Registry;
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
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

/**
 * Settings from code to what the gateway runs on: the schema's check and defaults, the checks across
 * fields, certificates read. Throws ConfigError naming the setting.
 */
export function resolveGatewayConfig(config: Omit<GatewayConfig, 'keyring' | 'logger' | 'metrics' | 'now'> & Partial<Pick<GatewayConfig, 'keyring' | 'logger' | 'metrics' | 'now'>>): ResolvedGatewayConfig {
  const { keyring: _keyring, logger: _logger, metrics: _metrics, now: _now, tls, websocket, ...rest } = config;
  const s = checkGatewaySettings(
    checkConfig(GatewaySettingsSchema, { ...rest, ...(tls ? { tls: withoutPem(tls) } : {}), ...(websocket ? { websocket: withoutPem(websocket) } : {}) }),
    '',
  );
  let resolvedTls: ResolvedGatewayConfig['tls'];
  if (s.tls) resolvedTls = { port: s.tls.port, ...hostOf(s.tls), ...tlsMaterial({ ...s.tls, ...pemOf(tls) }, 'tls', true)! };
  let resolvedWs: ResolvedGatewayConfig['websocket'];
  if (s.websocket) {
    const material = tlsMaterial({ ...s.websocket, ...pemOf(websocket) }, 'websocket', false);
    resolvedWs = { port: s.websocket.port, ...hostOf(s.websocket), ...(s.websocket.path !== undefined ? { path: s.websocket.path } : {}), ...(material ? { tls: material } : {}) };
  }
  const passwordHash = s.server.passwordHash !== undefined ? parsePasswordHash(s.server.passwordHash) : undefined;
  return {
    tcp: s.tcp === false ? undefined : s.tcp,
    tls: resolvedTls,
    websocket: resolvedWs,
    server: { username: s.server.username, ...(passwordHash ? { passwordHash } : {}) },
    authSkewMs: s.authSkewMs,
    limits: s.limits,
  };
}

/**
 * The checks the schema cannot make (they involve several fields, or what a string means), with the
 * setting's path under `at` (`mqtt.gateway` in the server config, nothing in the gateway's own file).
 */
export function checkGatewaySettings<S extends GatewaySettings>(s: S, at: string): S {
  if (DEVICE_ID_PATTERN.test(s.server.username)) {
    throw ConfigError.at(fieldPath(at, 'server.username'), `must not look like a device id (a device could claim it); use e.g. "${DEFAULT_SERVER_USERNAME}", got "${s.server.username}"`);
  }
  if (s.server.passwordHash !== undefined && !parsePasswordHash(s.server.passwordHash)) {
    throw ConfigError.at(fieldPath(at, 'server.passwordHash'), 'must be a hash from `wastetrail-gateway hash-password` ($scrypt$ln=...,r=...,p=...$salt$hash)');
  }
  return s;
}

/** The file's settings with the checks across fields done and file paths resolved against `baseDir`. */
export function gatewaySettingsFromFile<S extends GatewaySettings & { keyringFile?: string }>(s: S, baseDir: string, at: string): S {
  checkGatewaySettings(s, at);
  if (s.tls && (s.tls.certFile === undefined || s.tls.keyFile === undefined)) throw ConfigError.at(fieldPath(at, 'tls'), 'needs both "certFile" and "keyFile" (PEM files)');
  if (s.websocket && (s.websocket.certFile === undefined) !== (s.websocket.keyFile === undefined)) {
    throw ConfigError.at(fieldPath(at, 'websocket'), 'needs both "certFile" and "keyFile" for wss://, or neither for ws://');
  }
  const files = <L extends { certFile?: string; keyFile?: string }>(l: L): L => ({
    ...l,
    ...(l.certFile !== undefined ? { certFile: resolve(baseDir, l.certFile) } : {}),
    ...(l.keyFile !== undefined ? { keyFile: resolve(baseDir, l.keyFile) } : {}),
  });
  return {
    ...s,
    ...(s.keyringFile !== undefined ? { keyringFile: resolve(baseDir, s.keyringFile) } : {}),
    ...(s.tls ? { tls: files(s.tls) } : {}),
    ...(s.websocket ? { websocket: files(s.websocket) } : {}),
  };
}

/** Reads `wastetrail-gateway --config FILE`; relative paths in it are relative to the file. Throws ConfigError. */
export function readGatewayConfigFile(path: string): ConfigFile<GatewayConfigFile> {
  return readConfigFile(GatewayConfigFileSchema, path, (c, dir) => gatewaySettingsFromFile(c, dir, ''));
}

function withoutPem<T extends TlsMaterial>(l: T): Omit<T, 'cert' | 'key'> {
  const { cert: _cert, key: _key, ...rest } = l;
  return rest;
}

function pemOf(l: TlsMaterial | undefined): TlsMaterial {
  return { ...(l?.cert !== undefined ? { cert: l.cert } : {}), ...(l?.key !== undefined ? { key: l.key } : {}) };
}

function hostOf(a: { host?: string }): { host?: string } {
  return a.host !== undefined ? { host: a.host } : {};
}

function tlsMaterial(m: TlsMaterial & { certFile?: string; keyFile?: string }, name: string, required: boolean): ResolvedTls | undefined {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw ConfigError.at(`${name}.${what}`, `cannot read ${path} (${(err as Error).message}); give a readable PEM file`);
    }
  };
  const cert = m.cert ?? (m.certFile !== undefined ? read(m.certFile, 'certFile') : undefined);
  const key = m.key ?? (m.keyFile !== undefined ? read(m.keyFile, 'keyFile') : undefined);
  if (cert === undefined && key === undefined && !required) return undefined;
  if (cert === undefined || key === undefined) throw ConfigError.at(name, 'needs both a certificate (certFile) and its private key (keyFile)');
  return { cert, key };
}
