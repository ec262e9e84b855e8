import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { allDevicesTopic, deviceTopic } from '@wastetrail/firmware-protocol';
import type { Gateway } from '../src/gateway.ts';
import { closed, connectDevice, endAll, keyringOf, makeDevice, serverClientReady, sleep, startTestGateway, waitFor } from './helpers.ts';

const a = makeDevice('collection-cart-1');
const b = makeDevice('collection-cart-2');

let gateway: Gateway;
let server: MqttClient;
const statuses: Array<{ topic: string; payload: string }> = [];

beforeAll(async () => {
  gateway = await startTestGateway({ keyring: keyringOf([a, b]) });
  server = await serverClientReady(gateway.connectServerClient());
  server.on('message', (topic, p) => statuses.push({ topic, payload: p.toString() }));
  await server.subscribeAsync(allDevicesTopic('status'), { qos: 1 });
});
afterAll(async () => {
  await endAll(server);
  await gateway.close();
});

/** Drops the TCP connection without DISCONNECT, as a device losing power would. */
async function pullThePlug(client: MqttClient): Promise<void> {
  client.stream.destroy();
  await closed(client);
  client.end(true);
}

describe('wills', () => {
  it("publishes a device's will on its own status topic when it vanishes", async () => {
    const will = { topic: deviceTopic(a.id, 'status'), payload: Buffer.from('offline-a'), qos: 1 as const, retain: true };
    const dev = await connectDevice(gateway.addresses.tcp!.url, a, { will, reconnectPeriod: 0 });
    await pullThePlug(dev);
    await waitFor(() => statuses.some((s) => s.payload === 'offline-a'), 2000, 'the will');
    expect(statuses.find((s) => s.payload === 'offline-a')?.topic).toBe(deviceTopic(a.id, 'status'));
  });

  it("publishes the will even when the gateway closed the connection for a refused publish", async () => {
    const will = { topic: deviceTopic(a.id, 'status'), payload: Buffer.from('offline-a-2'), qos: 1 as const, retain: true };
    const dev = await connectDevice(gateway.addresses.tcp!.url, a, { will, reconnectPeriod: 0 });
    dev.publish(deviceTopic(b.id, 'records'), 'forged', { qos: 1 });
    await closed(dev);
    dev.end(true);
    await waitFor(() => statuses.some((s) => s.payload === 'offline-a-2'), 2000, 'the will');
  });

  it("refuses a will aimed at another device's status", async () => {
    const will = { topic: deviceTopic(b.id, 'status'), payload: Buffer.from('fake-offline-b'), qos: 1 as const, retain: true };
    const before = gateway.metrics().refusals.acl_publish;
    const dev = await connectDevice(gateway.addresses.tcp!.url, a, { will, reconnectPeriod: 0 });
    await pullThePlug(dev);
    await waitFor(() => gateway.metrics().refusals.acl_publish === before + 1, 2000, 'the refusal');
    await sleep(20);
    expect(statuses.some((s) => s.payload === 'fake-offline-b')).toBe(false);
  });
});
