import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@wastetrail/firmware-protocol';
import { createMetricsRegistry } from '@wastetrail/runtime';
import type { Gateway } from '../src/gateway.ts';
import { closed, connectDevice, endAll, keyringOf, makeDevice, startTestGateway, tryConnect } from './helpers.ts';

const dev = makeDevice('ward-7-scale');
const stranger = makeDevice('ward-9-scale');

let gateway: Gateway | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await endAll(...clients.splice(0));
  await gateway?.close();
  gateway = undefined;
});

describe('gateway metrics on the process registry', () => {
  it('counts what happened on the wire: sessions, messages and bytes, refusals and auth failures by reason', async () => {
    const registry = createMetricsRegistry();
    gateway = await startTestGateway({ keyring: keyringOf([dev]), metrics: registry });
    const url = gateway.addresses.tcp!.url;

    const device = await connectDevice(url, dev);
    clients.push(device);
    await device.publishAsync(deviceTopic(dev.id, 'status'), 'x'.repeat(100), { qos: 1 });
    expect((await tryConnect(url, { clientId: stranger.id, username: stranger.id, password: 'not-a-token' })).ok).toBe(false);
    expect((await tryConnect(url, { clientId: 'nobody' })).ok).toBe(false);
    let text = await registry.metrics();
    expect(text).toContain('wastetrail_gateway_connected_devices 1\n');
    expect(text).toContain('wastetrail_gateway_connections_accepted_total 1\n');
    expect(text).toContain('wastetrail_gateway_messages_received_total 1\n');
    expect(text).toContain('wastetrail_gateway_received_payload_bytes_total 100\n');
    expect(text).toContain('wastetrail_gateway_auth_failures_total{reason="anonymous"} 1\n');
    expect(text).toMatch(/wastetrail_gateway_auth_failures_total\{reason="(malformed_token|unknown_device)"\} 1\n/);
    // A device publishing on another device's topic is cut off: counted once, by reason.
    device.publish(deviceTopic(stranger.id, 'records'), 'not mine', { qos: 1 });
    await closed(device);
    text = await registry.metrics();
    expect(text).toContain('wastetrail_gateway_refusals_total{reason="acl_publish"} 1\n');
    expect(text).toContain('wastetrail_gateway_connected_devices 0\n');
    // The process's default metrics are on the same registry.
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    // The plain object tells the same counts.
    expect(gateway.metrics()).toMatchObject({ connectionsAccepted: 1, refusals: { acl_publish: 1 }, authFailures: { anonymous: 1 } });
  });
});
