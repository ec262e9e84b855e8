/** Uplink settings for tests: fast reconnects, small batches. */
import type { MqttConfig } from '../../src/config/config.ts';

export function mqttConfig(url: string, over: Partial<MqttConfig> = {}): MqttConfig {
  return {
    url,
    tls: { rejectUnauthorized: true },
    auth: { mode: 'none' },
    keepaliveSeconds: 10,
    connectTimeoutSeconds: 5,
    reconnect: { minMs: 50, maxMs: 400 },
    batch: { maxRecords: 50, maxBytes: 65_536 },
    window: 4,
    ackTimeoutSeconds: 30,
    ...over,
  };
}
