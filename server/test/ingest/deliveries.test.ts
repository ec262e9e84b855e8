/** Ingest's side of the broker: subscriptions, and holding deliveries while too much waits (backpressure). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { Deliveries, ingestTopics } from '../../src/ingest/deliveries.ts';
import { eventually, quiet } from './support.ts';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: quiet });
});
afterAll(async () => {
  await gateway.close();
});

describe('ingestTopics', () => {
  it('reads records and status of every device; in a group, shared, plus every ack unshared', () => {
    expect(ingestTopics(undefined)).toEqual(['wt/v1/dev/+/records', 'wt/v1/dev/+/status']);
    expect(ingestTopics('ingest')).toEqual(['$share/ingest/wt/v1/dev/+/records', '$share/ingest/wt/v1/dev/+/status', 'wt/v1/dev/+/acks']);
  });
});

describe('Deliveries', () => {
  it('holds the broker once the queue is full and lets it go when the queue is below half', async () => {
    const client = gateway.connectServerClient();
    let queued = 0;
    const received: string[] = [];
    const deliveries = new Deliveries(client, 4, () => queued);
    await deliveries.listen((_topic, payload) => {
      received.push(payload.toString());
      queued += 2;
    });
    // The server side may publish only acks and commands on the gateway: a commands topic stands in for records.
    await deliveries.subscribe(['wt/v1/dev/hz-h001-dl-01/commands']);
    const publisher = gateway.connectServerClient();
    // Not awaited one by one: the broker may hold a publisher's acknowledgement while a subscriber is held.
    const published = Promise.all([1, 2, 3, 4, 5, 6].map((i) => publisher.publishAsync('wt/v1/dev/hz-h001-dl-01/commands', `m${i}`, { qos: 1 })));
    // Two messages fill the queue (4): the second one's delivery is held, so no third arrives.
    await eventually(() => deliveries.held === 1, 'a held delivery');
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(['m1', 'm2']);
    // At half the limit nothing moves yet.
    queued = 2;
    deliveries.resume();
    expect(deliveries.held).toBe(1);
    queued = 1;
    deliveries.resume();
    await eventually(() => received.length === 4 && deliveries.held === 1, 'two more messages');
    expect(received).toEqual(['m1', 'm2', 'm3', 'm4']);
    // Closing lets everything go and gives the client back: no listener, MQTT.js's own handler.
    deliveries.close();
    expect(deliveries.held).toBe(0);
    await published;
    expect(received).toHaveLength(4);
    expect(client.listenerCount('message')).toBe(0);
    await publisher.endAsync();
    await client.endAsync();
  });

  it('waits for the client to connect before it resolves', async () => {
    const client = gateway.connectServerClient();
    expect(client.connected).toBe(false);
    const deliveries = new Deliveries(client, 10, () => 0);
    await deliveries.listen(() => {});
    expect(client.connected).toBe(true);
    deliveries.close();
    await client.endAsync();
  });
});
