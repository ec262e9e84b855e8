// The MQTT gateway: an embeddable aedes broker with device authentication, topic ACLs and limits.
export { startGateway, type Gateway, type GatewayAddresses } from './gateway.ts';
export {
  checkGatewaySettings,
  DEFAULT_LIMITS,
  DEFAULT_SERVER_USERNAME,
  DEFAULT_TCP_PORT,
  gatewayConfigJsonSchema,
  GatewayConfigFileSchema,
  GatewaySettingsSchema,
  gatewaySettingsFromFile,
  readGatewayConfigFile,
  resolveGatewayConfig,
  type GatewayConfig,
  type GatewayConfigFile,
  type GatewayLimits,
  type GatewaySettings,
  type ListenAddress,
  type RateLimit,
  type ServerIdentityConfig,
  type TlsListenerConfig,
  type WebSocketListenerConfig,
} from './config.ts';
export { mayPublish, mayRetain, maySubscribe, RETAINED_TOPIC_KINDS, type Session } from './acl.ts';
export {
  AUTH_FAILURE_REASONS,
  CONNACK_FOR_AUTH_FAILURE,
  type AuthFailureReason,
  type ConnackRefusalCode,
} from './auth/connack.ts';
export { hashPassword, parsePasswordHash, verifyPassword, type ScryptHash } from './auth/password.ts';
export { REFUSAL_REASONS, type GatewayMetrics, type RefusalReason } from './metrics.ts';
export { PortInUseError, ListenError, type BoundAddress, type ListenerKind } from './transport/listeners.ts';
