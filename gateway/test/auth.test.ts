import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { hashPassword } from '../src/auth/password.ts';
import type { Gateway } from '../src/gateway.ts';
import { endAll, keyringOf, makeDevice, startTestGateway, tokenFor, tryConnect, type ConnectOutcome } from './helpers.ts';

const good = makeDevice('ward-3-scale');
const revoked = makeDevice('ward-4-scale');
const stranger = makeDevice('not-provisioned');
const impostor = makeDevice('ward-3-scale'); // same id, another key
const SERVER_PASSWORD = 'correct horse battery staple';

let gateway: Gateway;
let url: string;
const open: MqttClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({
    keyring: keyringOf([good, revoked], { revoked: [revoked.id] }),
    server: { username: 'wastetrail_server', passwordHash: await hashPassword(SERVER_PASSWORD, { log2N: 10 }) },
  });
  url = gateway.addresses.tcp!.url;
});
afterAll(async () => {
  await endAll(...open);
  await gateway.close();
});

function code(outcome: ConnectOutcome): number | 'accepted' {
  if (outcome.ok) {
    open.push(outcome.client);
    return 'accepted';
  }
  return outcome.code ?? -1;
}

describe('device authentication (CONNACK codes, MQTT 3.1.1)', () => {
  it('accepts a provisioned device with a fresh token', async () => {
    expect(code(await tryConnect(url, { clientId: good.id, username: good.id, password: tokenFor(good) }))).toBe('accepted');
  });

  it('refuses an unknown device with 5 (not authorized)', async () => {
    expect(code(await tryConnect(url, { clientId: stranger.id, username: stranger.id, password: tokenFor(stranger) }))).toBe(5);
  });

  it('refuses a token signed with the wrong key with 4 (bad user name or password)', async () => {
    expect(code(await tryConnect(url, { clientId: good.id, username: good.id, password: tokenFor(impostor) }))).toBe(4);
  });

  it('refuses an expired token with 4', async () => {
    const stale = tokenFor(good, Date.now() - 10 * 60_000);
    expect(code(await tryConnect(url, { clientId: good.id, username: good.id, password: stale }))).toBe(4);
  });

  it('refuses a revoked key with 5', async () => {
    expect(code(await tryConnect(url, { clientId: revoked.id, username: revoked.id, password: tokenFor(revoked) }))).toBe(5);
  });

  it('refuses a token that is not a token with 4', async () => {
    expect(code(await tryConnect(url, { clientId: good.id, username: good.id, password: 'hunter2' }))).toBe(4);
  });

  it('refuses a client id other than the device id with 2 (identifier rejected)', async () => {
    expect(code(await tryConnect(url, { clientId: 'ward-3-scale-b', username: good.id, password: tokenFor(good) }))).toBe(2);
  });

  it('refuses anonymous clients with 5', async () => {
    expect(code(await tryConnect(url, { clientId: 'anyone' }))).toBe(5);
  });

  it('counts every refusal by reason', () => {
    const m = gateway.metrics().authFailures;
    expect(m).toMatchObject({ unknown_device: 1, bad_signature: 1, token_expired: 1, key_revoked: 1, malformed_token: 1, client_id_mismatch: 1, anonymous: 1 });
  });
});

describe('server identity over the network', () => {
  it('accepts the right password', async () => {
    const o = await tryConnect(url, { clientId: 'wastetrail_server_ingest', username: 'wastetrail_server', password: SERVER_PASSWORD });
    expect(code(o)).toBe('accepted');
  });

  it('refuses a wrong password with 4', async () => {
    expect(code(await tryConnect(url, { clientId: 'wastetrail_server_ingest', username: 'wastetrail_server', password: 'guess' }))).toBe(4);
    expect(code(await tryConnect(url, { clientId: 'wastetrail_server_ingest', username: 'wastetrail_server' }))).toBe(4);
    expect(gateway.metrics().authFailures.server_bad_password).toBe(2);
  });

  it('refuses a server client id that looks like a device id with 2, so no device can take it over', async () => {
    expect(code(await tryConnect(url, { clientId: 'ingest-1', username: 'wastetrail_server', password: SERVER_PASSWORD }))).toBe(2);
  });
});
