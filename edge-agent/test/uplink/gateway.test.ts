/**
 * The uplink against the wastetrail gateway (aedes with device authentication and ACLs): the agent logs
 * in with a token signed by its own key, publishes only on its own topics, and the server side
 * (here the test double, connected in-process as the server identity) acknowledges.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generateEd25519KeyPair, ed25519Signer, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { Outbox } from '../../src/outbox/outbox.ts';
import { Uplink } from '../../src/uplink/uplink.ts';
import { FakeServer } from '../support/fake-server.ts';
import { tempDir, testIdentity } from '../support/identity.ts';
import { waitFor } from '../support/wait.ts';
import { mqttConfig } from '../support/mqtt-config.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const heartbeat = (i: number): CustodyEvent => ({ type: 'heartbeat', body: { uptime: i, backlog: 0 } });

async function gatewayFor(keyring: Parameters<typeof startGateway>[0]['keyring']): Promise<Gateway> {
  const gateway = await startGateway({ keyring, tcp: { port: 0, host: '127.0.0.1' } });
  cleanups.push(() => gateway.close());
  return gateway;
}

/** A throwaway self-signed certificate for 127.0.0.1, which is also its own CA (needs openssl). */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

describe('uplink through the wastetrail gateway', () => {
  it('authenticates with a device token and gets every record acknowledged', async () => {
    const id = testIdentity();
    const gateway = await gatewayFor(id.keyring);
    const server = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring, client: gateway.connectServerClient() });
    cleanups.push(() => server.close());
    const t = tempDir();
    cleanups.push(t.cleanup);
    const outbox = new Outbox(join(t.dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
    cleanups.push(() => outbox.close());
    outbox.appendMany(Array.from({ length: 300 }, (_, i) => heartbeat(i)));
    const uplink = new Uplink({ deviceId: id.deviceId, outbox, config: mqttConfig(`mqtt://127.0.0.1:${gateway.addresses.tcp!.port}`, { auth: { mode: 'device-token' } }), signer: id.signer, logger: createCapturingLogger() });
    cleanups.push(() => uplink.stop());
    uplink.start();
    await server.untilHead(300);
    await waitFor(() => outbox.ackedSeq() === 300, 'ack 300');
    expect(server.rejected).toEqual([]);
    expect(gateway.metrics().refusals).toMatchObject({ acl_publish: 0, acl_subscribe: 0, oversize: 0 });
  });

  it('a key the keyring does not hold is refused at the door, and the outbox keeps everything', async () => {
    const id = testIdentity();
    const gateway = await gatewayFor(id.keyring);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const impostor = ed25519Signer(generateEd25519KeyPair().privateKeyPem);
    const outbox = new Outbox(join(t.dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: impostor });
    cleanups.push(() => outbox.close());
    outbox.append(heartbeat(1));
    const uplink = new Uplink({ deviceId: id.deviceId, outbox, config: mqttConfig(`mqtt://127.0.0.1:${gateway.addresses.tcp!.port}`, { auth: { mode: 'device-token' } }), signer: impostor, logger: createCapturingLogger() });
    cleanups.push(() => uplink.stop());
    uplink.start();
    await waitFor(() => uplink.status().attempts >= 1 && uplink.status().lastError !== undefined, 'a refused connection');
    expect(uplink.status().lastError).toMatch(/Bad username or password/i);
    expect(gateway.metrics().authFailures.bad_signature).toBeGreaterThanOrEqual(1);
    expect(outbox.backlog()).toBe(1);
  });

  it('over TLS: trusts the broker through mqtt.tls.ca, and refuses a broker it cannot verify', async () => {
    const id = testIdentity();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const server = selfSigned(t.dir, 'broker');
    const stranger = selfSigned(t.dir, 'stranger');
    const gateway = await startGateway({ keyring: id.keyring, tcp: false, tls: { port: 0, host: '127.0.0.1', certFile: server.cert, keyFile: server.key } });
    cleanups.push(() => gateway.close());
    const fake = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring, client: gateway.connectServerClient() });
    cleanups.push(() => fake.close());
    const outbox = new Outbox(join(t.dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
    cleanups.push(() => outbox.close());
    outbox.appendMany([heartbeat(1), heartbeat(2)]);
    const url = `mqtts://127.0.0.1:${gateway.addresses.tls!.port}`;
    const make = (ca: string) => {
      const u = new Uplink({ deviceId: id.deviceId, outbox, config: mqttConfig(url, { auth: { mode: 'device-token' }, tls: { ca, rejectUnauthorized: true } }), signer: id.signer, logger: createCapturingLogger() });
      cleanups.push(() => u.stop());
      u.start();
      return u;
    };
    const untrusting = make(stranger.cert);
    await waitFor(() => untrusting.status().lastError !== undefined, 'a failed TLS handshake');
    expect(untrusting.status().lastError).toMatch(/self[- ]signed|unable to verify|certificate/i);
    await untrusting.stop();
    expect(fake.messages).toBe(0);
    make(server.cert);
    await fake.untilHead(2);
    await waitFor(() => outbox.ackedSeq() === 2, 'ack over TLS');
  });
});
