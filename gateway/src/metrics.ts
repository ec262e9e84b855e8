/**
 * Gateway counters as a plain object, and their Prometheus text exposition (format 0.0.4) for the
 * server's /metrics. Byte counts are PUBLISH payload bytes, not wire bytes.
 */
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from './auth/connack.ts';

/** Why a connection, publish or subscribe was refused after (or instead of) authentication. */
export const REFUSAL_REASONS = ['acl_publish', 'acl_subscribe', 'oversize', 'rate_limited', 'qos2', 'connection_limit'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface GatewayMetrics {
  /** Devices with an authenticated session now. */
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

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: Array<[labels: string, value: number]>;
}

/** Renders the metrics in the Prometheus text format; `prefix` names every family. */
export function renderPrometheusMetrics(m: GatewayMetrics, prefix = 'wastetrail_gateway'): string {
  const one = (name: string, type: Family['type'], help: string, value: number): Family => ({ name, type, help, samples: [['', value]] });
  const byReason = (name: string, help: string, counts: Record<string, number>): Family => ({
    name,
    type: 'counter',
    help,
    samples: Object.entries(counts).map(([reason, value]) => [`{reason="${reason}"}`, value]),
  });
  const families: Family[] = [
    one('connected_devices', 'gauge', 'Devices with an authenticated MQTT session.', m.connectedDevices),
    one('connected_server_clients', 'gauge', 'Server-identity MQTT sessions.', m.connectedServerClients),
    one('open_connections', 'gauge', 'Open TCP, TLS and WebSocket connections, authenticated or not.', m.openConnections),
    one('connections_accepted_total', 'counter', 'CONNECT packets accepted.', m.connectionsAccepted),
    one('messages_received_total', 'counter', 'PUBLISH packets accepted from clients.', m.messagesIn),
    one('received_payload_bytes_total', 'counter', 'Payload bytes of accepted PUBLISH packets.', m.bytesIn),
    one('messages_sent_total', 'counter', 'PUBLISH packets delivered to subscribers.', m.messagesOut),
    one('sent_payload_bytes_total', 'counter', 'Payload bytes of delivered PUBLISH packets.', m.bytesOut),
    byReason('auth_failures_total', 'CONNECT packets refused, by reason.', m.authFailures),
    byReason('refusals_total', 'Connections, publishes and subscriptions refused after authentication, by reason.', m.refusals),
    one('throttled_messages_total', 'counter', 'Messages held back by the per-client rate limit.', m.throttledMessages),
    one('retain_flags_cleared_total', 'counter', 'Retain flags cleared on topics where nothing is retained.', m.retainFlagsCleared),
    one('keyring_disconnects_total', 'counter', 'Sessions ended because a keyring reload revoked their key.', m.keyringDisconnects),
  ];
  let out = '';
  for (const f of families) {
    const name = `${prefix}_${f.name}`;
    out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
    for (const [labels, value] of f.samples) out += `${name}${labels} ${value}\n`;
  }
  return out;
}
