/**
 * The server configuration file: JSONC (comments and trailing commas allowed), validated field by
 * field. Every error names the field and says how to fix it. Relative paths are relative to the
 * config file (`dataDir`) or to `dataDir` (the SQLite file). Example: server/config/example.jsonc;
 * reference: docs/server/ingest.md and docs/server/storage.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { DEVICE_ID_PATTERN } from '@wastetrail/firmware-protocol';
import { GatewayConfigError, parseGatewayConfigFile, type GatewayConfigFile, type LogLevel } from '@wastetrail/gateway';
import { DEFAULT_INGEST_SETTINGS, type IngestSettings } from '../ingest/ingest.ts';
import type { StorageConfig } from '../store/open.ts';
import { DEFAULT_LOAD_SHEDDING, type LoadShedding } from '../api/load-shedding.ts';
import { parseRuleConfig, type RuleConfig } from '../rules/index.ts';
import { parseSupervisionSettings, SupervisionSettingsError, type SupervisionSettings } from '../supervision/settings.ts';
import { DEFAULT_DELIVERY, NOTIFIED_LEVELS, type NotificationsConfig, type NotifiedLevel, type SmtpSettings, type WebhookTarget } from '../notify/settings.ts';

export type EmbeddedMqttConfig = { mode: 'embedded'; gateway: Omit<GatewayConfigFile, 'keyringFile' | 'logLevel'> };
export type ExternalMqttConfig = {
  mode: 'external';
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
  persistentSession: boolean;
  /** PEM text of the CA, read from `caFile`. */
  ca?: string;
};

export interface ServerConfig {
  /** The file it was read from, if any. */
  file?: string;
  /** Absolute. */
  dataDir: string;
  storage: StorageConfig;
  mqtt: EmbeddedMqttConfig | ExternalMqttConfig;
  ingest: IngestSettings;
  /** Rule thresholds (defaults from the domain brief, overridable per jurisdiction). */
  rules: RuleConfig;
  /** How often time-based rules and escalation run. */
  alerting: { tickMs: number };
  /** Bad-practice points, risk classes and the inspection draw (docs/server/supervision.md). */
  supervision: SupervisionSettings;
  /** Escalation webhooks and e-mail (docs/server/notifications.md); absent: none are sent. */
  notifications?: NotificationsConfig;
  /** Where the HTTP API listens, and when it refuses requests as overloaded (docs/server/api.md#load-shedding-and-shutdown). */
  http: { host: string; port: number } & Partial<Omit<LoadShedding, 'sampleIntervalMs'>>;
  /** How long a shutdown may take before the process exits anyway, with status 1. */
  shutdownTimeoutMs: number;
  demo: boolean;
  logLevel: LogLevel;
}

export class ServerConfigError extends Error {
  readonly code = 'INVALID_SERVER_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

export const DEFAULT_HTTP = { host: '127.0.0.1', port: 8080 } as const;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Reads and validates a config file. Throws ServerConfigError naming the file, the field and the fix. */
export function loadServerConfig(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ServerConfigError(`${file}: cannot read the config file: ${(err as Error).message}`);
  }
  try {
    return { file: resolve(file), ...parseServerConfig(text, dirname(resolve(file))) };
  } catch (err) {
    if (err instanceof ServerConfigError) throw new ServerConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

/** Parses config text; relative paths resolve against `baseDir`. */
export function parseServerConfig(text: string, baseDir: string): ServerConfig {
  const errors: ParseError[] = [];
  const json: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    const { line, column } = lineColumn(text, e.offset);
    throw new ServerConfigError(`line ${line}, column ${column}: ${printParseErrorCode(e.error)}; the file must be JSON (comments and trailing commas are allowed)`);
  }
  return readConfig(new Fields(json ?? {}, ''), baseDir);
}

function readConfig(root: Fields, baseDir: string): ServerConfig {
  root.only(['dataDir', 'storage', 'mqtt', 'ingest', 'rules', 'alerting', 'notifications', 'supervision', 'http', 'shutdownTimeoutMs', 'demo', 'logLevel']);
  const dataDir = resolve(baseDir, root.string('dataDir', { fallback: './data', example: '"./data"' }));

  const storageFields = root.object('storage');
  let storage: StorageConfig;
  if (storageFields.oneOf('driver', ['sqlite', 'postgres'] as const, { fallback: 'sqlite' }) === 'sqlite') {
    storageFields.only(['driver', 'file', 'synchronous']);
    const file = storageFields.string('file', { fallback: 'wastetrail.db', example: '"wastetrail.db"' });
    storage = {
      driver: 'sqlite',
      file: isAbsolute(file) ? file : resolve(dataDir, file),
      synchronous: storageFields.oneOf('synchronous', ['normal', 'full'] as const, { fallback: 'normal' }),
    };
  } else {
    storageFields.only(['driver', 'url', 'schema', 'poolSize']);
    const url = storageFields.string('url', { example: '"postgres://wastetrail@db.internal:5432/wastetrail"' });
    if (!/^postgres(ql)?:\/\/\S+$/.test(url)) throw storageFields.error('url', 'must be a URL like "postgres://user@host:5432/database" (the password may come from PGPASSWORD)');
    const schema = storageFields.string('schema', { fallback: 'public', example: '"wastetrail"' });
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw storageFields.error('schema', 'must be a lower-case SQL identifier, e.g. "wastetrail"');
    storage = { driver: 'postgres', url, schema, poolSize: storageFields.integer('poolSize', { min: 1, max: 1000, fallback: 10, unit: 'connections' }) };
  }

  const mqttFields = root.object('mqtt');
  const mode = mqttFields.oneOf('mode', ['embedded', 'external'] as const, { fallback: 'embedded' });
  let mqtt: ServerConfig['mqtt'];
  let sharedGroup: string | undefined;
  if (mode === 'embedded') {
    if (mqttFields.raw('sharedGroup') !== undefined) {
      throw mqttFields.error('sharedGroup', 'needs an external broker (the embedded gateway has no shared subscriptions); set "mode": "external" and "url"');
    }
    mqttFields.only(['mode', 'gateway']);
    const raw = mqttFields.raw('gateway') ?? {};
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      if ('keyringFile' in raw) throw mqttFields.error('gateway.keyringFile', 'the server keeps the keyring in its store; remove this field');
      if ('logLevel' in raw) throw mqttFields.error('gateway.logLevel', 'the gateway logs at the top-level "logLevel"; remove this field');
    }
    let gateway: GatewayConfigFile;
    try {
      gateway = parseGatewayConfigFile(raw, baseDir);
    } catch (err) {
      if (err instanceof GatewayConfigError) throw new ServerConfigError(`mqtt.gateway: ${err.message} (docs/gateway/README.md lists the fields)`);
      throw err;
    }
    mqtt = { mode, gateway };
  } else {
    mqttFields.only(['mode', 'url', 'username', 'password', 'passwordFile', 'clientId', 'sharedGroup', 'persistentSession', 'caFile']);
    const url = mqttFields.string('url', { example: '"mqtt://127.0.0.1:1883"' });
    if (!/^(mqtts?|wss?):\/\/[^\s]+$/.test(url)) throw mqttFields.error('url', 'must be a broker URL such as "mqtt://127.0.0.1:1883" (mqtt, mqtts, ws or wss)');
    const password = mqttFields.optionalString('password');
    const passwordFile = mqttFields.optionalString('passwordFile');
    if (password !== undefined && passwordFile !== undefined) throw mqttFields.error('passwordFile', 'give either "password" or "passwordFile", not both');
    const clientId = mqttFields.optionalString('clientId');
    if (clientId !== undefined && DEVICE_ID_PATTERN.test(clientId)) {
      throw mqttFields.error('clientId', 'must not look like a device id (a device could take over the session); use e.g. "wastetrail_server_1"');
    }
    sharedGroup = mqttFields.optionalString('sharedGroup');
    if (sharedGroup !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(sharedGroup)) {
      throw mqttFields.error('sharedGroup', 'must be 1-64 letters, digits, "_" or "-", e.g. "ingest"');
    }
    const caFile = mqttFields.optionalString('caFile');
    mqtt = {
      mode,
      url,
      ...optional('username', mqttFields.optionalString('username')),
      ...optional('password', password ?? (passwordFile !== undefined ? readSecret(mqttFields, 'passwordFile', resolve(baseDir, passwordFile)) : undefined)),
      ...optional('clientId', clientId),
      persistentSession: mqttFields.boolean('persistentSession', { fallback: false }),
      ...optional('ca', caFile !== undefined ? readSecret(mqttFields, 'caFile', resolve(baseDir, caFile)) : undefined),
    };
  }

  const ing = root.object('ingest');
  const d = DEFAULT_INGEST_SETTINGS;
  ing.only(['batchMs', 'batchMaxRecords', 'gapTimeoutMs', 'gapRecheckMs', 'maxHeldPerDevice', 'maxPayloadBytes', 'verifyWorkers', 'workerThreshold', 'maxQueuedRecords', 'keyringReloadMs', 'republishAcks']);
  const workers = ing.raw('verifyWorkers');
  if (workers !== undefined && workers !== 'auto' && !(Number.isSafeInteger(workers) && (workers as number) >= 0 && (workers as number) <= 256)) {
    throw ing.error('verifyWorkers', `must be "auto" or a number of worker threads from 0 to 256 (0 verifies on the main thread), got ${preview(workers)}`);
  }
  const ingest: IngestSettings = {
    batchMs: ing.integer('batchMs', { min: 1, max: 10_000, fallback: d.batchMs, unit: 'milliseconds' }),
    batchMaxRecords: ing.integer('batchMaxRecords', { min: 1, max: 100_000, fallback: d.batchMaxRecords, unit: 'records' }),
    gapTimeoutMs: ing.integer('gapTimeoutMs', { min: 1, max: 7 * 24 * 3600_000, fallback: d.gapTimeoutMs, unit: 'milliseconds' }),
    gapRecheckMs: ing.integer('gapRecheckMs', { min: 1, max: 3600_000, fallback: d.gapRecheckMs, unit: 'milliseconds' }),
    maxHeldPerDevice: ing.integer('maxHeldPerDevice', { min: 1, max: 1_000_000, fallback: d.maxHeldPerDevice, unit: 'records' }),
    maxPayloadBytes: ing.integer('maxPayloadBytes', { min: 1024, max: 256 * 1024 * 1024, fallback: d.maxPayloadBytes, unit: 'bytes' }),
    verifyWorkers: (workers as IngestSettings['verifyWorkers'] | undefined) ?? d.verifyWorkers,
    workerThreshold: ing.integer('workerThreshold', { min: 0, max: 1_000_000, fallback: d.workerThreshold, unit: 'records/s' }),
    maxQueuedRecords: ing.integer('maxQueuedRecords', { min: 1, max: 10_000_000, fallback: d.maxQueuedRecords, unit: 'records' }),
    keyringReloadMs: ing.integer('keyringReloadMs', { min: 0, max: 24 * 3600_000, fallback: d.keyringReloadMs, unit: 'milliseconds' }),
    republishAcks: ing.boolean('republishAcks', { fallback: d.republishAcks }),
    ...optional('sharedGroup', sharedGroup),
  };

  // Rule thresholds, per jurisdiction: validated by the rules' own parser (docs/server/rules.md).
  const rulesRaw = root.raw('rules') ?? {};
  const parsedRules = parseRuleConfig(rulesRaw);
  if (!parsedRules.ok) throw new ServerConfigError(`rules: ${parsedRules.error.message} (docs/server/rules.md lists the thresholds)`);
  const alertingFields = root.object('alerting');
  alertingFields.only(['tickMs']);
  const alerting = { tickMs: alertingFields.integer('tickMs', { min: 100, max: 3600_000, fallback: 60_000, unit: 'milliseconds' }) };

  const httpFields = root.object('http');
  httpFields.only(['host', 'port', 'maxEventLoopDelayMs', 'maxHeapUsedBytes', 'maxRssBytes', 'retryAfterSeconds']);
  // Load-shedding limits: only those given; the app has the defaults.
  const limit = (key: keyof LoadShedding, min: number, max: number, unit: string) =>
    optional(key, httpFields.raw(key) === undefined ? undefined : httpFields.integer(key, { min, max, fallback: DEFAULT_LOAD_SHEDDING[key], unit }));
  const http = {
    host: httpFields.string('host', { fallback: DEFAULT_HTTP.host, example: '"0.0.0.0"' }),
    port: httpFields.integer('port', { min: 0, max: 65535, fallback: DEFAULT_HTTP.port, unit: 'a TCP port' }),
    ...limit('maxEventLoopDelayMs', 0, 600_000, 'milliseconds, 0: not checked'),
    ...limit('maxHeapUsedBytes', 0, Number.MAX_SAFE_INTEGER, 'bytes, 0: not checked'),
    ...limit('maxRssBytes', 0, Number.MAX_SAFE_INTEGER, 'bytes, 0: not checked'),
    ...limit('retryAfterSeconds', 1, 86_400, 'seconds'),
  };

  return {
    dataDir,
    storage,
    mqtt,
    ingest,
    rules: parsedRules.value,
    alerting,
    supervision: readSupervision(root, parsedRules.value),
    ...optional('notifications', readNotifications(root, baseDir)),
    http,
    shutdownTimeoutMs: root.integer('shutdownTimeoutMs', { min: 100, max: 600_000, fallback: DEFAULT_SHUTDOWN_TIMEOUT_MS, unit: 'milliseconds' }),
    demo: root.boolean('demo', { fallback: false }),
    logLevel: root.oneOf('logLevel', ['debug', 'info', 'warn', 'error'] as const, { fallback: 'info' }),
  };
}

/** notifications: escalation webhooks and e-mail (docs/server/notifications.md); undefined when the section is absent. */
function readNotifications(root: Fields, baseDir: string): NotificationsConfig | undefined {
  if (root.raw('notifications') === undefined) return undefined;
  const n = root.object('notifications');
  n.only(['webhooks', 'smtp', 'recipients', 'delivery']);

  const rawHooks = n.raw('webhooks') ?? [];
  if (!Array.isArray(rawHooks)) throw n.error('webhooks', `must be a list like [{ "url": "https://hooks.example.org/wastetrail", "secretFile": "secrets/webhook" }], got ${preview(rawHooks)}`);
  const webhooks = rawHooks.map((raw: unknown, i): WebhookTarget => {
    const w = new Fields(raw, `notifications.webhooks[${i}]`);
    w.only(['url', 'secret', 'secretFile', 'levels']);
    const url = w.string('url', { example: '"https://hooks.example.org/wastetrail"' });
    if (!/^https?:\/\/[^\s/]+\S*$/.test(url) || !URL.canParse(url)) throw w.error('url', `must be an http:// or https:// URL such as "https://hooks.example.org/wastetrail", got ${preview(url)}`);
    const inline = w.optionalString('secret');
    const file = w.optionalString('secretFile');
    if (inline !== undefined && file !== undefined) throw w.error('secretFile', 'give either "secret" or "secretFile", not both');
    if (inline === undefined && file === undefined) throw w.error('secret', 'is required (the HMAC key the receiver shares); e.g. "secretFile": "secrets/webhook" holding the output of `openssl rand -hex 32`');
    const secret = inline ?? readSecret(w, 'secretFile', resolve(baseDir, file!));
    if (secret.length < 16) throw w.error(inline !== undefined ? 'secret' : 'secretFile', 'must be at least 16 characters; make one with `openssl rand -hex 32`');
    const levels = w.raw('levels') ?? [...NOTIFIED_LEVELS];
    if (!Array.isArray(levels) || levels.length === 0 || !levels.every((l) => l === 2 || l === 3)) {
      throw w.error('levels', `must be a non-empty list of escalation levels, 2 (institution head) and/or 3 (regulator), e.g. [2, 3]; got ${preview(levels)}`);
    }
    return { url, secret, levels: [...new Set(levels as NotifiedLevel[])].sort() };
  });

  let smtp: SmtpSettings | undefined;
  if (n.raw('smtp') !== undefined) {
    const s = n.object('smtp');
    s.only(['host', 'port', 'secure', 'starttls', 'user', 'password', 'passwordFile', 'from', 'caFile']);
    const secure = s.boolean('secure', { fallback: false });
    const user = s.optionalString('user');
    const password = s.optionalString('password');
    const passwordFile = s.optionalString('passwordFile');
    if (password !== undefined && passwordFile !== undefined) throw s.error('passwordFile', 'give either "password" or "passwordFile", not both');
    if ((password ?? passwordFile) !== undefined && user === undefined) throw s.error('user', 'is required with a password; e.g. "user": "wastetrail@example.org"');
    const from = s.string('from', { example: '"wastetrail <alerts@example.org>"' });
    if (!/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from.trim())) throw s.error('from', `must be an address or "Name <address>", e.g. "wastetrail <alerts@example.org>"; got ${preview(from)}`);
    const caFile = s.optionalString('caFile');
    smtp = {
      host: s.string('host', { example: '"smtp.example.org"' }),
      port: s.integer('port', { min: 1, max: 65535, fallback: secure ? 465 : 587, unit: 'a TCP port' }),
      secure,
      starttls: s.oneOf('starttls', ['required', 'opportunistic', 'never'] as const, { fallback: 'required' }),
      ...optional('user', user),
      ...optional('password', password ?? (passwordFile !== undefined ? readSecret(s, 'passwordFile', resolve(baseDir, passwordFile)) : undefined)),
      from: from.trim(),
      ...optional('ca', caFile !== undefined ? readSecret(s, 'caFile', resolve(baseDir, caFile)) : undefined),
    };
  }

  const r = n.object('recipients');
  r.only(['institutionHead', 'regulator']);
  const addresses = (f: Fields, key: string): string[] => {
    const v = f.raw(key) ?? [];
    const bad = Array.isArray(v) ? v.find((a) => typeof a !== 'string' || !/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(a)) : v;
    if (!Array.isArray(v) || bad !== undefined) throw f.error(key, `must be a list of e-mail addresses, e.g. ["waste-office@h001.example.org"]; ${preview(bad)} is not one`);
    return v as string[];
  };
  const byKey = (f: Fields, key: string): Record<string, string[]> => {
    const m = f.object(key);
    const out: Record<string, string[]> = {};
    for (const k of Object.keys((f.raw(key) as Record<string, unknown> | undefined) ?? {})) out[k] = addresses(m, k);
    return out;
  };
  const head = r.object('institutionHead');
  head.only(['default', 'byInstitution']);
  const regulator = r.object('regulator');
  regulator.only(['default', 'byJurisdiction']);
  const recipients = {
    institutionHead: { default: addresses(head, 'default'), byInstitution: byKey(head, 'byInstitution') },
    regulator: { default: addresses(regulator, 'default'), byJurisdiction: byKey(regulator, 'byJurisdiction') },
  };
  const anyone = [recipients.institutionHead.default, recipients.regulator.default, ...Object.values(recipients.institutionHead.byInstitution), ...Object.values(recipients.regulator.byJurisdiction)].some((l) => l.length > 0);
  if (anyone && !smtp) throw n.error('smtp', 'is required to send e-mail to the recipients; e.g. "smtp": { "host": "smtp.example.org", "from": "alerts@example.org" }');
  if (smtp && !anyone) throw n.error('recipients', 'names nobody: with "smtp", give "institutionHead" and/or "regulator" addresses');
  if (webhooks.length === 0 && !smtp) throw root.error('notifications', 'give "webhooks" and/or "smtp" with "recipients" (or leave the section out)');

  const del = n.object('delivery');
  const dd = DEFAULT_DELIVERY;
  del.only(['timeoutMs', 'maxAttempts', 'retryBaseMs', 'retryMaxMs', 'maxQueued', 'concurrency', 'closeTimeoutMs']);
  const delivery = {
    timeoutMs: del.integer('timeoutMs', { min: 100, max: 300_000, fallback: dd.timeoutMs, unit: 'milliseconds' }),
    maxAttempts: del.integer('maxAttempts', { min: 1, max: 20, fallback: dd.maxAttempts, unit: 'attempts' }),
    retryBaseMs: del.integer('retryBaseMs', { min: 1, max: 600_000, fallback: dd.retryBaseMs, unit: 'milliseconds' }),
    retryMaxMs: del.integer('retryMaxMs', { min: 1, max: 3600_000, fallback: dd.retryMaxMs, unit: 'milliseconds' }),
    maxQueued: del.integer('maxQueued', { min: 1, max: 1_000_000, fallback: dd.maxQueued, unit: 'escalations' }),
    concurrency: del.integer('concurrency', { min: 1, max: 256, fallback: dd.concurrency, unit: 'escalations at once' }),
    closeTimeoutMs: del.integer('closeTimeoutMs', { min: 0, max: 600_000, fallback: dd.closeTimeoutMs, unit: 'milliseconds' }),
  };
  if (delivery.retryMaxMs < delivery.retryBaseMs) throw del.error('retryMaxMs', `must be at least retryBaseMs (${delivery.retryBaseMs})`);
  return { webhooks, ...optional('smtp', smtp), recipients, delivery };
}

/** supervision: points table, risk formula, draw (docs/server/supervision.md); the defaults when absent. */
function readSupervision(root: Fields, rules: RuleConfig): SupervisionSettings {
  try {
    // Months and days of the disclosure are the rules' local days (bags' sealedDay).
    return { ...parseSupervisionSettings(root.raw('supervision')), timeZone: rules.defaults.timeZone };
  } catch (err) {
    if (err instanceof SupervisionSettingsError) throw root.error(err.field === '(supervision)' ? 'supervision' : `supervision.${err.field}`, `${err.message.slice(err.field.length + 2)} (docs/server/supervision.md lists the settings)`);
    throw err;
  }
}

/** One object of the config, read field by field with the path in every message. */
class Fields {
  private readonly value: Record<string, unknown>;
  private readonly path: string;

  constructor(value: unknown, path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ServerConfigError(`${path || 'the config'} must be an object { ... }, got ${preview(value)}`);
    }
    this.value = value as Record<string, unknown>;
    this.path = path;
  }

  error(key: string, fix: string): ServerConfigError {
    return new ServerConfigError(`${this.at(key)}: ${fix}`);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  only(known: readonly string[]): void {
    for (const key of Object.keys(this.value)) {
      if (!known.includes(key)) throw this.error(key, `is not a setting here; the settings are ${known.map((k) => `"${k}"`).join(', ')}`);
    }
  }

  raw(key: string): unknown {
    return this.value[key];
  }

  object(key: string): Fields {
    return new Fields(this.value[key] ?? {}, this.at(key));
  }

  string(key: string, o: { fallback?: string; example: string }): string {
    const v = this.value[key];
    if (v === undefined && o.fallback !== undefined) return o.fallback;
    if (typeof v !== 'string' || v.length === 0) {
      throw this.error(key, `${v === undefined ? 'is required' : `must be a non-empty string, got ${preview(v)}`}; e.g. "${key}": ${o.example}`);
    }
    return v;
  }

  optionalString(key: string): string | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) throw this.error(key, `must be a non-empty string, got ${preview(v)}; or leave it out`);
    return v;
  }

  integer(key: string, o: { min: number; max: number; fallback: number; unit: string }): number {
    const v = this.value[key];
    if (v === undefined) return o.fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < o.min || v > o.max) {
      throw this.error(key, `must be a whole number from ${o.min} to ${o.max} (${o.unit}), got ${preview(v)}; the default is ${o.fallback}`);
    }
    return v;
  }

  boolean(key: string, o: { fallback: boolean }): boolean {
    const v = this.value[key];
    if (v === undefined) return o.fallback;
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false (no quotes), got ${preview(v)}`);
    return v;
  }

  oneOf<const V extends readonly string[]>(key: string, values: V, o: { fallback: V[number] }): V[number] {
    const v = this.value[key];
    if (v === undefined) return o.fallback;
    if (typeof v !== 'string' || !values.includes(v)) throw this.error(key, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${preview(v)}`);
    return v as V[number];
  }
}

function readSecret(fields: Fields, key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw fields.error(key, `cannot read ${file} (${(err as Error).message}); give a readable file, relative to the config file`);
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

function preview(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
