// MQTT ingest: verify, deduplicate, group-commit, acknowledge (docs/server/ingest.md).
export {
  resolveIngestSettings,
  startIngest,
  verifyWorkerCount,
  type AcceptedHook,
  type AcceptedRecord,
  type Ingest,
  type IngestOptions,
} from './ingest.ts';
export {
  DEFAULT_INGEST_SETTINGS,
  IngestSettingsSchema,
  MqttSettingsSchema,
  readMqttSettings,
  type EmbeddedMqttConfig,
  type ExternalMqttConfig,
  type IngestSettings,
  type MqttSettings,
} from './settings.ts';
export { connectIngestClient, type IngestMqttConnection } from './connect.ts';
export { INGEST_ERROR_CODES, type IngestErrorCode, type QuarantineCode } from './codes.ts';
export { INTEGRITY_RULE, integrityAlert, integrityDedupeKey, integritySeverity } from './integrity.ts';
export { readRecordsPayload } from './payload.ts';
export { emptyIngestStats, type IngestStats } from './stats.ts';
