// The server configuration file (JSONC): its schema, composed of each section's, and its reader.
export {
  DEFAULT_HTTP,
  loadServerConfig,
  parseServerConfig,
  serverConfigJsonSchema,
  ServerConfigSchema,
  type EmbeddedMqttConfig,
  type ExternalMqttConfig,
  type ServerConfig,
  type ServerConfigFile,
} from './server-config.ts';
