import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { allDevicesTopic, deviceTopic } from '@wastetrail/firmware-protocol';
import type { GatewayConfig } from '../src/config.ts';
import type { Gateway } from '../src/gateway.ts';
import { createCapturingLogger } from '@wastetrail/runtime';
import { closed, connectDevice, endAll, keyringOf, makeDevice, serverClientReady, sleep, startTestGateway, waitFor } from './helpers.ts';

const dev = makeDevice('store-room-1');
const records = deviceTopic(dev.id, 'records');

let gateway: Gateway | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await endAll(...clients.splice(0));
  await gateway?.close();
  gateway = undefined;
});

const logger = createCapturingLogger('warn');

/** A gateway plus an in-process server client collecting every record payload. */
async function setup(limits: GatewayConfig['limits'], extra: Partial<GatewayConfig> = {}) {
  gateway = await startTestGateway({ keyring: keyringOf([dev]), limits, ...extra });
  const server = await serverClientReady(gateway.connectServerClient());
  clients.push(server);
  const received: string[] = [];
  server.on('message', (_t, payload) => received.push(payload.toString()));
  await server.subscribeAsync(allDevicesTopic('records'), { qos: 1 });
  const device = await connectDevice(gateway.addresses.tcp!.url, dev);
  clients.push(device);
  return { gateway, device, received };
}

describe('payload size limit', () => {
  it('accepts a payload at the limit and refuses one above it (connection closed, never delivered)', async () => {
    const { gateway, device, received } = await setup({ maxPayloadBytes: 1024 });
    await device.publishAsync(records, 'a'.repeat(1024), { qos: 1 });
    device.publish(records, 'b'.repeat(1025), { qos: 1 });
    await closed(device);
    await sleep(20);
    expect(received.map((r) => r[0])).toEqual(['a']);
    expect(gateway.metrics().refusals.oversize).toBe(1);
  });

  it('cuts a connection that announces a packet far over the limit before it is buffered', async () => {
    const { gateway, device, received } = await setup({ maxPayloadBytes: 1024 }, { logger });
    device.publish(records, Buffer.alloc(4 * 1024 * 1024, 0x61), { qos: 1 });
    await closed(device);
    expect(received).toEqual([]);
    expect(gateway.metrics().refusals.oversize).toBe(1);
    // The frame guard saw the announced length; aedes never parsed the publish.
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: 'connection closed: packet too large', bytes: 4 * 1024 * 1024 + 2 + records.length + 2 }));
    expect(logger.lines.some((l) => l.msg === 'publish refused')).toBe(false);
  });
});

describe('per-device rate limit', () => {
  // The bucket reads the gateway's clock: frozen, it sees every message arrive at once however the
  // machine schedules the test, so the counts below are exact.
  const frozen = Date.now();
  const now = () => frozen;

  it('holds back a burst over the limit, then delivers it in order', async () => {
    const { gateway, device, received } = await setup({ rate: { messagesPerSecond: 40, burst: 2, maxDelayMs: 5000 } }, { now });
    const started = Date.now();
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => device.publishAsync(records, `r${i}`, { qos: 1 })));
    const elapsed = Date.now() - started;
    await waitFor(() => received.length === 6, 2000, 'six records');
    expect(received).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(elapsed).toBeGreaterThanOrEqual(90); // the fourth borrowed token is 100 ms away at 40/s
    const m = gateway.metrics();
    expect(m.throttledMessages).toBe(4);
    expect(m.refusals.rate_limited).toBe(0);
    expect([m.messagesIn, m.bytesIn, m.messagesOut, m.bytesOut]).toEqual([6, 12, 6, 12]);
  });

  it('disconnects a device that floods past what it may wait for', async () => {
    const { gateway, device, received } = await setup({ rate: { messagesPerSecond: 10, burst: 2, maxDelayMs: 250 } }, { now });
    for (let i = 0; i < 50; i++) device.publish(records, `flood-${i}`, { qos: 0 });
    await closed(device);
    await sleep(350);
    // Two from the bucket; the next two were held (100 and 200 ms), the fifth would wait 300 ms and
    // closed the connection, so the held ones were never released.
    expect(received).toEqual(['flood-0', 'flood-1']);
    expect(gateway.metrics().refusals.rate_limited).toBe(1);
    expect(gateway.metrics().throttledMessages).toBe(2);
  });
});

describe('QoS 2', () => {
  it('refuses a QoS 2 publish by closing the connection', async () => {
    const { gateway, device, received } = await setup({});
    device.publish(records, 'exactly-once?', { qos: 2 });
    await closed(device);
    expect(received).toEqual([]);
    expect(gateway.metrics().refusals.qos2).toBe(1);
  });
});

describe('connection limit', () => {
  it('closes connections beyond the limit at once', async () => {
    gateway = await startTestGateway({ keyring: keyringOf([dev]), limits: { maxConnections: 2 } });
    const { port } = gateway.addresses.tcp!;
    const sockets: Socket[] = [];
    const open = () =>
      new Promise<Socket>((resolve) => {
        const s = netConnect(port, '127.0.0.1', () => resolve(s));
        s.on('error', () => {});
        sockets.push(s);
      });
    await open();
    await open();
    await waitFor(() => gateway!.metrics().openConnections === 2, 2000, 'two connections');
    const third = await open();
    await new Promise((resolve) => third.once('close', resolve));
    expect(gateway.metrics().refusals.connection_limit).toBe(1);
    for (const s of sockets) s.destroy();
    await waitFor(() => gateway!.metrics().openConnections === 0, 2000, 'connections closed');
    // Room again: a device gets in.
    clients.push(await connectDevice(gateway.addresses.tcp!.url, dev));
  });
});
