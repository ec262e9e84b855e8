// The server configuration file (JSONC): schema, defaults and validation.
export {
  DEFAULT_HTTP,
  loadServerConfig,
  parseServerConfig,
  ServerConfigError,
  type EmbeddedMqttConfig,
  type ExternalMqttConfig,
  type ServerConfig,
} from './server-config.ts';
