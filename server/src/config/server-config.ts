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
import { parseRuleConfig, type RuleConfig } from '../rules/index.ts';

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
  http: { host: string; port: number };
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
  root.only(['dataDir', 'storage', 'mqtt', 'ingest', 'rules', 'alerting', 'http', 'demo', 'logLevel']);
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
    workerThreshold: ing.integer('workerThreshold', { min: 0, max: 1_000_000, fallback: d.workerThreshold, unit: 'records' }),
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
  httpFields.only(['host', 'port']);
  const http = {
    host: httpFields.string('host', { fallback: DEFAULT_HTTP.host, example: '"0.0.0.0"' }),
    port: httpFields.integer('port', { min: 0, max: 65535, fallback: DEFAULT_HTTP.port, unit: 'a TCP port' }),
  };

  return {
    dataDir,
    storage,
    mqtt,
    ingest,
    rules: parsedRules.value,
    alerting,
    http,
    demo: root.boolean('demo', { fallback: false }),
    logLevel: root.oneOf('logLevel', ['debug', 'info', 'warn', 'error'] as const, { fallback: 'info' }),
  };
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
