/**
 * Gateway counters: a plain object (`gateway.metrics()`), and the same counts on the process's
 * prom-client registry for /metrics. Byte counts are PUBLISH payload bytes, not wire bytes.
 */
import { exposeKeptCounts, type KeptCount, type Registry } from '@wastetrail/runtime';
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from './auth/connack.ts';

/** Why a connection, publish or subscribe was refused after (or instead of) authentication. */
export const REFUSAL_REASONS = ['acl_publish', 'acl_subscribe', 'oversize', 'rate_limited', 'qos2', 'connection_limit'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface GatewayMetrics {
  /** Device sessions whose connection is open now (one per device id). */
  connectedDevices: number;
  /** Server-identity sessions now (in-process and network). */
  connectedServerClients: number;
  /** Open transport connections now, authenticated or not (in-process ones excluded). */
  openConnections: number;
  /** CONNECTs accepted since start. */
  connectionsAccepted: number;
  /** PUBLISH packets accepted from clients (including wills) and their payload bytes. */
  messagesIn: number;
  bytesIn: number;
  /** PUBLISH packets delivered to subscribers and their payload bytes. */
  messagesOut: number;
  bytesOut: number;
  authFailures: Record<AuthFailureReason, number>;
  refusals: Record<RefusalReason, number>;
  /** Messages held back by the rate limit and then delivered. */
  throttledMessages: number;
  /** Retain flags cleared on topics where nothing is retained. */
  retainFlagsCleared: number;
  /** Sessions ended because a keyring reload revoked or removed their key. */
  keyringDisconnects: number;
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function emptyMetrics(): GatewayMetrics {
  return {
    connectedDevices: 0,
    connectedServerClients: 0,
    openConnections: 0,
    connectionsAccepted: 0,
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    bytesOut: 0,
    authFailures: zeros(AUTH_FAILURE_REASONS),
    refusals: zeros(REFUSAL_REASONS),
    throttledMessages: 0,
    retainFlagsCleared: 0,
    keyringDisconnects: 0,
  };
}

export function copyMetrics(m: GatewayMetrics): GatewayMetrics {
  return { ...m, authFailures: { ...m.authFailures }, refusals: { ...m.refusals } };
}

/** The counters on the process's registry (the server's, or the standalone gateway's), read when scraped. */
export function exposeGatewayMetrics(registry: Registry, read: () => GatewayMetrics, prefix = 'wastetrail_gateway'): void {
  const byReason = (counts: Record<string, number>) => Object.entries(counts).map(([reason, value]) => [{ reason }, value] as const);
  const one = (name: string, kind: KeptCount['kind'], help: string, value: (m: GatewayMetrics) => number): KeptCount => ({ name: `${prefix}_${name}`, kind, help, read: () => value(read()) });
  exposeKeptCounts(registry, [
    one('connected_devices', 'gauge', 'Device MQTT sessions whose connection is open (one per device).', (m) => m.connectedDevices),
    one('connected_server_clients', 'gauge', 'Server-identity MQTT sessions.', (m) => m.connectedServerClients),
    one('open_connections', 'gauge', 'Open TCP, TLS and WebSocket connections, authenticated or not.', (m) => m.openConnections),
    one('connections_accepted_total', 'counter', 'CONNECT packets accepted.', (m) => m.connectionsAccepted),
    one('messages_received_total', 'counter', 'PUBLISH packets accepted from clients.', (m) => m.messagesIn),
    one('received_payload_bytes_total', 'counter', 'Payload bytes of accepted PUBLISH packets.', (m) => m.bytesIn),
    one('messages_sent_total', 'counter', 'PUBLISH packets delivered to subscribers.', (m) => m.messagesOut),
    one('sent_payload_bytes_total', 'counter', 'Payload bytes of delivered PUBLISH packets.', (m) => m.bytesOut),
    { name: `${prefix}_auth_failures_total`, kind: 'counter', help: 'CONNECT packets refused, by reason.', labelNames: ['reason'], read: () => byReason(read().authFailures) },
    { name: `${prefix}_refusals_total`, kind: 'counter', help: 'Connections, publishes and subscriptions refused after authentication, by reason.', labelNames: ['reason'], read: () => byReason(read().refusals) },
    one('throttled_messages_total', 'counter', 'Messages held back by the per-client rate limit.', (m) => m.throttledMessages),
    one('retain_flags_cleared_total', 'counter', 'Retain flags cleared on topics where nothing is retained.', (m) => m.retainFlagsCleared),
    one('keyring_disconnects_total', 'counter', 'Sessions ended because a keyring reload revoked their key.', (m) => m.keyringDisconnects),
  ]);
}
