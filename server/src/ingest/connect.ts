/**
 * The MQTT client ingest reads through: in-process to the embedded gateway, or over the network to an
 * external broker (Mosquitto, EMQX, HiveMQ) when several server processes share the records.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Gateway } from '@wastetrail/gateway';

export type IngestMqttConnection =
  | { kind: 'embedded'; gateway: Pick<Gateway, 'connectServerClient'>; clientId?: string }
  | {
      kind: 'external';
      /** mqtt://host:1883, mqtts://host:8883, ws(s)://... */
      url: string;
      username?: string;
      password?: string;
      /** Fixed per server process, so a persistent session (and its queue) survives a restart. */
      clientId?: string;
      /** Keep the broker-side session across reconnects (clean start off, one day's expiry). */
      persistentSession?: boolean;
      /** PEM of the CA that signed the broker's certificate (mqtts://). */
      ca?: string;
    };

export function connectIngestClient(c: IngestMqttConnection): MqttClient {
  if (c.kind === 'embedded') return c.gateway.connectServerClient(c.clientId !== undefined ? { clientId: c.clientId } : {});
  return mqtt.connect(c.url, {
    // MQTT 5 for shared subscriptions ($share/...); Mosquitto also serves them to 3.1.1 clients.
    protocolVersion: 5,
    clientId: c.clientId ?? `wastetrail_server_${process.pid}_${Math.random().toString(16).slice(2, 10)}`,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.ca !== undefined ? { ca: c.ca } : {}),
    clean: !c.persistentSession,
    ...(c.persistentSession ? { properties: { sessionExpiryInterval: 24 * 3600 } } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
}
