// The edge agent: serial devices -> station workflow -> signed, chained records in a SQLite outbox ->
// MQTT, with the server's acks, and a kiosk page. `startAgent` runs a whole station from one config.
export { startAgent, outboxPath, AGENT_NAME, OUTBOX_FILE, type Agent, type AgentDeps } from './agent.ts';
export { startVehicleAgent, type VehicleAgent } from './vehicle/agent.ts';
export { TrackLog, type TrackLogSettings } from './vehicle/track-log.ts';
export { GnssReceiver } from './devices/gnss-receiver.ts';
export { CargoIo } from './devices/cargo-io.ts';
export { qrInput } from './station/qr-input.ts';
export { main } from './cli.ts';
export {
  ConfigError,
  KIOSK_LANGUAGES,
  loadConfigFile,
  parseConfig,
  type AgentConfig,
  type KnownBadge,
  type MqttAuth,
  type MqttConfig,
  type RfidConfig,
  type ScaleConfig,
  type SerialLine,
} from './config/config.ts';
export { EdgeConfigSchema, EDGE_CONFIG_SCHEMA_FILE, edgeConfigJsonSchema, type EdgeConfigFile } from './config/schema.ts';
export { registerAgentMetrics, type AgentMetricsSource } from './metrics.ts';
export { generateDeviceKey, keyringEntry, loadDeviceSigner, KeyFileError, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type DeviceIdentity, type GeneratedKey } from './keys/device-key.ts';
export * from './station/workflow.ts';
export { MESSAGES, TERMS, UI_TEXT, LANGUAGES, renderMessage, isLanguage, type Language } from './station/messages.ts';
export { Outbox, OutboxError, envelopeLine, tagsOfEvent, type AckOutcome, type ChainHeadInfo, type OutboxRecord } from './outbox/outbox.ts';
export { Uplink, type UplinkOptions, type UplinkState, type UplinkStats, type UplinkStatus } from './uplink/uplink.ts';
export { backoffDelay, type BackoffRule } from './uplink/backoff.ts';
export { startKiosk, toStationInput, type Kiosk, type KioskOptions, type KioskSource } from './kiosk/server.ts';
export { renderPage, renderLive, renderControls, type KioskSnapshot, type RecordSummary } from './kiosk/view.ts';
export { ScaleDevice, type WeightEvent } from './devices/scale.ts';
export { RfidReader } from './devices/rfid-reader.ts';
export { QrScanner } from './devices/qr-scanner.ts';
export { ClimateSensor, type ClimateFailure, type ClimateReading } from './devices/climate-sensor.ts';
export { TagPresence } from './devices/tag-presence.ts';
export { SerialLink, realPort, type PortFactory, type PortLike } from './devices/serial-link.ts';
