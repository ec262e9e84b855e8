import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway.ts';
import { closed, connectDevice, deviceOptions, endAll, keyringOf, makeDevice, sleep, startTestGateway, tryConnect } from './helpers.ts';

const kept = makeDevice('ward-1-badge');
const revoked = makeDevice('ward-2-badge');
const removed = makeDevice('ward-3-badge');

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startTestGateway({ keyring: keyringOf([kept, revoked, removed]) });
});
afterAll(() => gateway.close());

describe('keyring reload', () => {
  it('disconnects devices whose key was revoked or removed, and keeps the rest', async () => {
    const url = gateway.addresses.tcp!.url;
    const [k, r, x] = await Promise.all([kept, revoked, removed].map((d) => connectDevice(url, d, { reconnectPeriod: 0 })));
    gateway.setKeyring(keyringOf([kept, revoked], { revoked: [revoked.id] }));
    await Promise.all([closed(r!), closed(x!)]);
    await sleep(20);
    expect(k!.connected).toBe(true);
    expect(gateway.metrics().keyringDisconnects).toBe(2);
    expect(gateway.metrics().connectedDevices).toBe(1);

    const again = await tryConnect(url, deviceOptions(revoked));
    expect(again.ok ? 0 : again.code).toBe(5);
    const gone = await tryConnect(url, deviceOptions(removed));
    expect(gone.ok ? 0 : gone.code).toBe(5);
    await endAll(k, r, x);
  });
});
