import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Gateway } from '../src/gateway.ts';
import { closed, connectDevice, keyringOf, makeDevice, startTestGateway, waitFor } from './helpers.ts';

const FLEET = 500;
const devices = Array.from({ length: FLEET }, (_, i) => makeDevice(`bin-${String(i).padStart(4, '0')}`));

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startTestGateway({ keyring: keyringOf(devices) });
});
afterAll(() => gateway.close());

describe('a fleet on loopback', () => {
  it(`authenticates ${FLEET} concurrent device connections, then closes them cleanly`, async () => {
    const url = gateway.addresses.tcp!.url;
    const clients: MqttClient[] = await Promise.all(devices.map((d) => connectDevice(url, d, { keepalive: 0 })));
    expect(gateway.metrics().connectedDevices).toBe(FLEET);
    expect(gateway.metrics().connectionsAccepted).toBe(FLEET);
    await Promise.all(clients.map((c) => c.endAsync()));
    await Promise.all(clients.map((c) => closed(c)));
    await waitFor(() => gateway.metrics().connectedDevices === 0 && gateway.metrics().openConnections === 0, 5000, 'all disconnected');
    expect(Object.values(gateway.metrics().authFailures).every((n) => n === 0)).toBe(true);
  });
});
