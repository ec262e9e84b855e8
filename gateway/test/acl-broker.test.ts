import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorWithSubackPacket, MqttClient } from 'mqtt';
import { allDevicesTopic, deviceTopic } from '@wastetrail/firmware-protocol';
import type { Gateway } from '../src/gateway.ts';
import { closed, connectDevice, endAll, keyringOf, makeDevice, serverClientReady, sleep, startTestGateway, waitFor } from './helpers.ts';

const a = makeDevice('ward-1-scale');
const b = makeDevice('ward-2-scale');

let gateway: Gateway;
let url: string;
let server: MqttClient;
const seenByServer: Array<{ topic: string; payload: string; retain: boolean }> = [];

beforeAll(async () => {
  gateway = await startTestGateway({ keyring: keyringOf([a, b]) });
  url = gateway.addresses.tcp!.url;
  server = await serverClientReady(gateway.connectServerClient());
  server.on('message', (topic, payload, packet) => seenByServer.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await server.subscribeAsync([allDevicesTopic('records'), allDevicesTopic('status')], { qos: 1 });
});
afterAll(async () => {
  await endAll(server);
  await gateway.close();
});

/** The SUBACK return codes for one subscription (MQTT.js rejects when any is 0x80). */
async function grantedQos(client: MqttClient, filter: string, qos: 0 | 1 | 2): Promise<number[]> {
  try {
    const subs = await client.subscribeAsync(filter, { qos });
    return subs.map((s) => s.qos);
  } catch (err) {
    return (err as ErrorWithSubackPacket).packet.granted.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos));
  }
}

describe('device topic ACL', () => {
  it('lets a device subscribe to its own acks and commands, and nothing else (granted 0x80)', async () => {
    const devA = await connectDevice(url, a);
    try {
      const granted = await devA.subscribeAsync([deviceTopic(a.id, 'acks'), deviceTopic(a.id, 'commands')], { qos: 1 });
      expect(granted.map((g) => g.qos)).toEqual([1, 1]);
      for (const filter of [deviceTopic(b.id, 'acks'), deviceTopic(b.id, 'commands'), allDevicesTopic('acks'), '#', deviceTopic(a.id, 'records')]) {
        expect(await grantedQos(devA, filter, 1), filter).toEqual([128]);
      }
      // The refused subscriptions leave the connection up: A still publishes its own records.
      await devA.publishAsync(deviceTopic(a.id, 'records'), 'a-record-1', { qos: 1 });
      await waitFor(() => seenByServer.some((m) => m.payload === 'a-record-1'), 2000, 'A record');
      expect(gateway.metrics().refusals.acl_subscribe).toBe(5);
    } finally {
      await endAll(devA);
    }
  });

  it("drops A's QoS 1 publish on B's records: A is disconnected without a PUBACK and the server never sees it", async () => {
    const devA = await connectDevice(url, a);
    let acked = false;
    devA.publish(deviceTopic(b.id, 'records'), 'forged-record', { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed(devA);
    await endAll(devA);
    await sleep(50);
    expect(acked).toBe(false);
    expect(seenByServer.some((m) => m.payload === 'forged-record')).toBe(false);
  });

  it("drops A's publish on B's acks: B never receives it", async () => {
    const devB = await connectDevice(url, b);
    const seenByB: string[] = [];
    devB.on('message', (_t, payload) => seenByB.push(payload.toString()));
    await devB.subscribeAsync([deviceTopic(b.id, 'acks'), deviceTopic(b.id, 'commands')], { qos: 1 });
    const devA = await connectDevice(url, a);
    devA.publish(deviceTopic(b.id, 'acks'), 'forged-ack', { qos: 1 });
    await closed(devA);
    devA.end(true);
    // A real ack from the server still arrives, and it is the only thing B got.
    await server.publishAsync(deviceTopic(b.id, 'acks'), 'real-ack', { qos: 1 });
    await waitFor(() => seenByB.includes('real-ack'), 2000, 'real ack');
    expect(seenByB).toEqual(['real-ack']);
    expect(gateway.metrics().refusals.acl_publish).toBeGreaterThanOrEqual(2);
    await endAll(devB);
  });

  it('refuses a device publishing on topics outside the table', async () => {
    for (const topic of ['wt/v1/dev/ward-1-scale/other', '$SYS/x', 'wt/v1/dev/ward-1-scale/records/extra']) {
      const devA = await connectDevice(url, a);
      devA.publish(topic, 'x', { qos: 1 });
      await closed(devA);
      devA.end(true);
    }
    expect(seenByServer.some((m) => m.payload === 'x')).toBe(false);
  });

  it('clears a retain flag on records but keeps it on status', async () => {
    const devA = await connectDevice(url, a);
    await devA.publishAsync(deviceTopic(a.id, 'records'), 'retained-record', { qos: 1, retain: true });
    await devA.publishAsync(deviceTopic(a.id, 'status'), '{"v":1,"state":"online","time":"2026-01-31T08:00:00.000Z"}', { qos: 1, retain: true });
    await endAll(devA);
    const late = await serverClientReady(gateway.connectServerClient());
    const retained: string[] = [];
    late.on('message', (topic, _p, packet) => {
      if (packet.retain) retained.push(topic);
    });
    await late.subscribeAsync([deviceTopic(a.id, 'records'), deviceTopic(a.id, 'status')], { qos: 1 });
    await waitFor(() => retained.length > 0, 2000, 'the retained status');
    await sleep(50);
    expect(retained).toEqual([deviceTopic(a.id, 'status')]);
    expect(gateway.metrics().retainFlagsCleared).toBe(1);
    await endAll(late);
  });
});

describe('server identity', () => {
  it('publishes acks and commands, and nothing a device would publish', async () => {
    const devB = await connectDevice(url, b);
    const got: string[] = [];
    devB.on('message', (_t, payload) => got.push(payload.toString()));
    await devB.subscribeAsync([deviceTopic(b.id, 'acks'), deviceTopic(b.id, 'commands')], { qos: 1 });
    await server.publishAsync(deviceTopic(b.id, 'commands'), 'resend', { qos: 1 });
    await waitFor(() => got.includes('resend'), 2000, 'command');

    const rogue = await serverClientReady(gateway.connectServerClient({ reconnectPeriod: 0 }));
    rogue.publish(deviceTopic(b.id, 'records'), 'server-forged-record', { qos: 1 });
    await closed(rogue);
    await endAll(rogue, devB);
    expect(seenByServer.some((m) => m.payload === 'server-forged-record')).toBe(false);
  });

  it('refuses a QoS 2 subscription (0x80) and grants QoS 0 and 1', async () => {
    const s = await serverClientReady(gateway.connectServerClient());
    expect(await grantedQos(s, allDevicesTopic('status'), 2)).toEqual([128]);
    expect(await grantedQos(s, allDevicesTopic('status'), 1)).toEqual([1]);
    expect(await grantedQos(s, allDevicesTopic('records'), 0)).toEqual([0]);
    expect(gateway.metrics().refusals.qos2).toBe(1);
    await endAll(s);
  });
});
