/**
 * The server configuration file: JSONC, one TypeBox schema composed of each section's own schema (the
 * section's code owns it), read with runtime's reader, then each section's checks across fields.
 * Relative paths are relative to the config file (`dataDir`, secrets) or to `dataDir` (the SQLite file).
 * Example: server/config/example.jsonc; the schema written out: server/config/server-config.schema.json.
 */
import { resolve } from 'node:path';
import { checkConfig, editorSchema, LOG_LEVEL_MOVED, LogSettingsSchema, MetricsListenerSchema, parseConfigJson, readConfigFile, type LogSettings, type MetricsListenerSettings } from '@wastetrail/runtime';
import { Type, type Static } from 'typebox';
import { AlertingSettingsSchema, type AlertingSettings } from '../alerting/settings.ts';
import { HttpSettingsSchema, type HttpSettings } from '../api/settings.ts';
import { ClusterSettingsSchema, type ClusterSettings } from '../cluster/settings.ts';
import { IngestSettingsSchema, MqttSettingsSchema, readMqttSettings, type EmbeddedMqttConfig, type ExternalMqttConfig, type IngestSettings } from '../ingest/settings.ts';
import { NotificationsSettingsSchema, readNotificationsSettings, type NotificationsConfig } from '../notify/settings.ts';
import { readVerifiableLogSettings, VerifiableLogSettingsSchema, type VerifiableLogSettings } from '../log/settings.ts';
import { readRuleConfig, RuleConfigSchema, type RuleConfig } from '../rules/config.ts';
import { readStorageSettings, StorageSettingsSchema, type StorageConfig } from '../store/settings.ts';
import { readSupervisionSettings, SupervisionSettingsSchema, type SupervisionSettings } from '../supervision/settings.ts';

export type { EmbeddedMqttConfig, ExternalMqttConfig };

export const ServerConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: './data', description: 'Where the server keeps its files; relative to the config file.' }),
    storage: StorageSettingsSchema,
    mqtt: MqttSettingsSchema,
    ingest: IngestSettingsSchema,
    rules: RuleConfigSchema,
    alerting: AlertingSettingsSchema,
    notifications: Type.Optional(NotificationsSettingsSchema),
    supervision: SupervisionSettingsSchema,
    http: HttpSettingsSchema,
    metrics: Type.Optional(MetricsListenerSchema),
    verifiableLog: VerifiableLogSettingsSchema,
    cluster: ClusterSettingsSchema,
    shutdownTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 10_000,
      'x-unit': 'ms',
      description: 'On SIGTERM/SIGINT, how long closing (HTTP, ingest, MQTT, alerting, notifications, store, in that order) may take before the process exits anyway with status 1.',
    }),
    demo: Type.Boolean({ default: false, description: 'Demo mode: simulated devices and sample data (see `wastetrail demo`).' }),
    log: LogSettingsSchema,
  },
  { additionalProperties: false, 'x-not-here': LOG_LEVEL_MOVED },
);
export type ServerConfigFile = Static<typeof ServerConfigSchema>;

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
  alerting: AlertingSettings;
  /** Bad-practice points, risk classes and the inspection draw (docs/server/supervision.md). */
  supervision: SupervisionSettings;
  /** Escalation webhooks and e-mail (docs/server/notifications.md); absent: none are sent. */
  notifications?: NotificationsConfig;
  http: HttpSettings;
  /** A /metrics listener of its own (127.0.0.1 by default); absent: none (and on the HTTP port only with http.serveMetrics). */
  metrics?: MetricsListenerSettings;
  /** The verifiable log's name and checkpoint interval (docs/protocol/log.md); its key is in <dataDir>/log/. */
  verifiableLog: VerifiableLogSettings;
  /** Several processes on one PostgreSQL: the leader's takeover time, the notification queue's polling. */
  cluster: ClusterSettings;
  /** How long a shutdown may take before the process exits anyway, with status 1. */
  shutdownTimeoutMs: number;
  demo: boolean;
  log: LogSettings;
}

export const DEFAULT_HTTP: HttpSettings = checkConfig(HttpSettingsSchema, {});

/** Reads and checks a config file. Throws ConfigError naming the file, the field, what it must be and what was given. */
export function loadServerConfig(file: string): ServerConfig {
  const read = readConfigFile(ServerConfigSchema, file, readSections);
  return { file: read.file, ...read.value };
}

/** Parses and checks config text; relative paths resolve against `baseDir`. Throws ConfigError. */
export function parseServerConfig(text: string, baseDir: string): ServerConfig {
  return readSections(checkConfig(ServerConfigSchema, parseConfigJson(text) ?? {}), baseDir);
}

/** Each section's checks across fields, after the schema's; secrets are read and paths resolved here. */
function readSections(c: ServerConfigFile, baseDir: string): ServerConfig {
  const dataDir = resolve(baseDir, c.dataDir);
  const { mqtt, sharedGroup } = readMqttSettings(c.mqtt, baseDir, 'mqtt');
  const rules = readRuleConfig(c.rules, 'rules');
  return {
    dataDir,
    storage: readStorageSettings(c.storage, dataDir),
    mqtt,
    ingest: { ...c.ingest, ...(sharedGroup !== undefined ? { sharedGroup } : {}) },
    rules,
    alerting: c.alerting,
    // Months and days of the disclosure are the rules' local days (bags' sealedDay).
    supervision: { ...readSupervisionSettings(c.supervision, 'supervision'), timeZone: rules.defaults.timeZone },
    ...(c.notifications ? { notifications: readNotificationsSettings(c.notifications, baseDir, 'notifications') } : {}),
    http: c.http,
    ...(c.metrics ? { metrics: c.metrics } : {}),
    verifiableLog: readVerifiableLogSettings(c.verifiableLog, 'verifiableLog'),
    cluster: c.cluster,
    shutdownTimeoutMs: c.shutdownTimeoutMs,
    demo: c.demo,
    log: c.log,
  };
}

/** The schema as editors read it (server/config/server-config.schema.json). */
export function serverConfigJsonSchema(): Record<string, unknown> {
  return editorSchema(ServerConfigSchema, {
    id: 'https://wastetrail.example/schemas/server-config.schema.json',
    title: 'wastetrail server --config FILE',
    description: 'The wastetrail server. Every setting is optional. Relative paths are relative to the file. Reference: docs/server/.',
  });
}
