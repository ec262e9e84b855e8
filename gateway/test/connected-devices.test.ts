import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as netConnect, type Socket } from 'node:net';
import { MqttClient } from 'mqtt';
import { deviceTopic } from '@wastetrail/firmware-protocol';
import { createMetricsRegistry, type Registry } from '@wastetrail/runtime';
import type { Gateway } from '../src/gateway.ts';
import { connectDevice, deviceOptions, keyringOf, makeDevice, sleep, startTestGateway, waitFor, type TestDevice } from './helpers.ts';

// The connected-devices gauge after what a fleet does on a bad day: sessions taken over by a client
// with the same id, sockets that die without DISCONNECT, reconnects racing the old connection's
// close, keys revoked. After each step it must equal the device sessions that are really up.

const FLEET = 12;
const devices = Array.from({ length: FLEET }, (_, i) => makeDevice(`cart-${String(i).padStart(2, '0')}`));

let gateway: Gateway;
let registry: Registry;
/** Every connection the test opened (none reconnects by itself), and those that have closed. */
const opened = new Set<MqttClient>();
const ended = new WeakSet<MqttClient>();

function track(client: MqttClient): MqttClient {
  opened.add(client);
  client.once('close', () => ended.add(client));
  return client;
}

function closed(client: MqttClient): Promise<void> {
  return ended.has(client) ? Promise.resolve() : new Promise((resolve) => client.once('close', () => resolve()));
}

beforeAll(async () => {
  registry = createMetricsRegistry();
  gateway = await startTestGateway({ keyring: keyringOf(devices), metrics: registry });
});
afterAll(async () => {
  await Promise.all([...opened].map((c) => c.endAsync(true)));
  await gateway.close();
});

const url = () => gateway.addresses.tcp!.url;
const up = () => [...opened].filter((c) => c.connected);
const sessionOf = (device: TestDevice) => up().find((c) => c.options.clientId === device.id);

/** Connects and subscribes like an edge agent (so closing the session has subscriptions to clean up). */
async function connect(device: TestDevice): Promise<MqttClient> {
  const client = track(await connectDevice(url(), device, { keepalive: 0 }));
  // A session taken over at once never gets its SUBACK; that is fine here.
  await client.subscribeAsync(deviceTopic(device.id, 'acks'), { qos: 1 }).catch(() => undefined);
  return client;
}

/** The socket dies under the client: no DISCONNECT; the gateway learns it from TCP alone. */
function dropAbruptly(client: MqttClient): Promise<void> {
  client.stream.destroy();
  return closed(client);
}

/**
 * The device's new CONNECT and its old socket's end reach the gateway together (one read on its
 * side): aedes takes over a session that is already closing. The new TCP connection is opened
 * first so that only the CONNECT is in flight.
 */
async function reconnectAsOldSocketDies(device: TestDevice, old: MqttClient): Promise<void> {
  const { host, port } = gateway.addresses.tcp!;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect(port, host, () => resolve(s)).once('error', reject);
  });
  await sleep(2);
  const fresh = track(new MqttClient(() => socket, { ...deviceOptions(device), keepalive: 0, reconnectPeriod: 0, protocolVersion: 4 }));
  // MQTT.js writes the CONNECT on the next tick; the old socket is destroyed right behind it.
  process.nextTick(() => old.stream.destroy());
  await new Promise<void>((resolve, reject) => {
    fresh.once('connect', () => resolve());
    fresh.once('error', reject);
  });
  await closed(old);
}

async function scrapedGauge(): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith('wastetrail_gateway_connected_devices '));
  return Number(line?.split(' ')[1]);
}

/** One session per device at most, and the gauge (object and scrape) settles on their number and stays. */
async function expectGaugeToMatchLiveSessions(step: string): Promise<void> {
  await waitFor(() => gateway.metrics().connectedDevices === up().length, 3000).catch(() => undefined);
  await sleep(50);
  const ids = up().map((c) => c.options.clientId);
  expect({ step, sessions: ids.length, devices: new Set(ids).size }).toEqual({ step, sessions: ids.length, devices: ids.length });
  expect({ step, gauge: gateway.metrics().connectedDevices, scraped: await scrapedGauge() }).toEqual({ step, gauge: ids.length, scraped: ids.length });
}

describe('the connected-devices gauge', () => {
  it('equals the live device sessions through takeovers, abrupt drops, racing reconnects and revocations', async () => {
    await Promise.all(devices.map(connect));
    await expectGaugeToMatchLiveSessions('all connected');

    for (const device of devices.slice(0, 3)) {
      const old = sessionOf(device)!;
      await connect(device);
      await closed(old);
    }
    await expectGaugeToMatchLiveSessions('three sessions taken over by the same client id');

    await Promise.all(devices.slice(3, 6).map((d) => dropAbruptly(sessionOf(d)!)));
    await expectGaugeToMatchLiveSessions('three sockets destroyed');
    await Promise.all(devices.slice(3, 6).map(connect));
    await expectGaugeToMatchLiveSessions('the three reconnected');

    // Every device comes back with two connections at once (a retry after a slow CONNACK) while the
    // gateway still holds its old session: the newcomers take over the old session and each other.
    for (let round = 1; round <= 3; round++) {
      const stale = up();
      await Promise.allSettled(devices.flatMap((d) => [connect(d), connect(d)]));
      await Promise.all(stale.map(closed));
      await expectGaugeToMatchLiveSessions(`double reconnect, round ${round}`);
    }

    for (let round = 1; round <= 3; round++) {
      await Promise.all(devices.map(async (d) => reconnectAsOldSocketDies(d, sessionOf(d) ?? (await connect(d)))));
      await expectGaugeToMatchLiveSessions(`reconnect meets the old socket's end, round ${round}`);
    }
    await Promise.all(devices.slice(8, 10).map((d) => dropAbruptly(sessionOf(d)!)));
    await expectGaugeToMatchLiveSessions('two dropped after the races');

    const revoked = devices.slice(6, 8);
    const revokedSessions = revoked.map((d) => sessionOf(d)!);
    gateway.setKeyring(keyringOf(devices, { revoked: revoked.map((d) => d.id) }));
    await Promise.all(revokedSessions.map(closed));
    await expectGaugeToMatchLiveSessions('two keys revoked');

    await Promise.all(up().map((c) => c.endAsync()));
    await expectGaugeToMatchLiveSessions('everyone gone');
    expect(gateway.metrics().openConnections).toBe(0);
  });
});
