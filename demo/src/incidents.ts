/**
 * The incidents that need more than a station's devices: a tampered record and a rogue device. Both
 * go through the gateway's real front door (TCP, device-token login), as an attacker would.
 *
 * Tampering: someone with the station's identity (a stolen key, or a box between the device and the
 * network) takes one of its records that the server already holds, changes the weight in the signed
 * bytes and publishes the copy on the station's own topic with the original signature. Ingest must
 * quarantine it as BAD_SIGNATURE and the chain must stay as it was. (Logging in as the station takes
 * its MQTT session over for a moment; the agent reconnects by itself.)
 *
 * Rogue device: a device that was never provisioned generates its own key and tries to log in and
 * publish a record; the gateway refuses the login (unknown device).
 */
import mqtt from 'mqtt';
import {
  canonicalJson,
  deviceAuthToken,
  deviceTopic,
  ed25519Signer,
  encodeEnvelope,
  formatDeviceTime,
  fromUtf8,
  generateEd25519KeyPair,
  GENESIS_PREV,
  signRecord,
  utf8,
  type Ed25519Signer,
} from '@wastetrail/firmware-protocol';
import type { Agent, OutboxRecord } from '@wastetrail/edge-agent';
import type { CityHooks } from '@wastetrail/simulators';
import type { StationKey } from './device-keys.ts';

export interface IncidentContext {
  /** Where devices log in: the gateway's TCP listener. */
  mqttUrl: string;
  agents: ReadonlyMap<string, Agent>;
  keys: ReadonlyMap<string, StationKey>;
  wallClock: () => number;
}

const CONNECT_TIMEOUT_MS = 5000;
/** How often a tampering that found no acknowledged record looks again (real ms). */
const TAMPER_RETRY_MS = 200;

export function incidentHooks(ctx: IncidentContext): CityHooks {
  let rogues = 0;
  return {
    async tamperRecord(deviceId) {
      const key = ctx.keys.get(deviceId);
      if (!ctx.agents.get(deviceId) || !key) return `no station ${deviceId} to tamper with`;
      // Under load the station may have nothing acknowledged yet: the tampering waits for a record the server holds.
      let victim: OutboxRecord | undefined;
      for (let agent = ctx.agents.get(deviceId); agent; agent = ctx.agents.get(deviceId)) {
        const acked = agent.outbox.ackedSeq();
        victim = agent.outbox.recentCustody(20).find((r) => r.seq <= acked) ?? agent.outbox.range(Math.max(1, acked), acked, 1)[0];
        if (victim) break;
        await new Promise((r) => setTimeout(r, TAMPER_RETRY_MS));
      }
      if (!victim) return `${deviceId} stopped before it had an acknowledged record; nothing tampered with`;
      const record = JSON.parse(fromUtf8(victim.bytes) ?? '{}') as { body?: { weight?: { value: number } } };
      let change: string;
      if (record.body?.weight) {
        const was = record.body.weight.value;
        record.body.weight.value = was + 500;
        change = `weight ${was} g -> ${record.body.weight.value} g`;
      } else {
        (record.body as Record<string, unknown>).uptime = 0;
        change = 'uptime changed';
      }
      const forged = encodeEnvelope({ bytes: utf8(canonicalJson(record)), signature: victim.signature });
      const outcome = await publishAs(ctx.mqttUrl, deviceId, key.signer, ctx.wallClock(), forged);
      return `seq ${victim.seq} of ${deviceId} (${victim.type}) republished with ${change}, original signature: ${outcome}; expect quarantine BAD_SIGNATURE`;
    },

    async rogueDevice() {
      const id = `rogue-${String(++rogues).padStart(2, '0')}`;
      const signer = ed25519Signer(generateEd25519KeyPair().privateKeyPem);
      const now = ctx.wallClock();
      const record = signRecord(
        { device: id, seq: 1, prev: GENESIS_PREV, time: formatDeviceTime(now), event: { type: 'heartbeat', body: { uptime: 1, backlog: 0 } } },
        signer,
      );
      const outcome = await publishAs(ctx.mqttUrl, id, signer, now, encodeEnvelope(record));
      return `device ${id} (not in the keyring) tried to log in and publish a record: ${outcome}`;
    },
  };
}

/** Logs in as `deviceId` with a token signed by `signer` and publishes one records payload. */
async function publishAs(url: string, deviceId: string, signer: Ed25519Signer, nowMs: number, payload: string): Promise<string> {
  const client = mqtt.connect(url, {
    clientId: deviceId,
    username: deviceId,
    password: deviceAuthToken(deviceId, signer, nowMs),
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed')));
    });
  } catch (err) {
    client.end(true);
    return `refused (${(err as Error).message})`;
  }
  try {
    await client.publishAsync(deviceTopic(deviceId, 'records'), payload, { qos: 1 });
    return 'published';
  } catch (err) {
    return `publish failed (${(err as Error).message})`;
  } finally {
    await client.endAsync().catch(() => {});
  }
}
