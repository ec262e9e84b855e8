import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { allDevicesTopic, deviceTopic } from '@wastetrail/firmware-protocol';
import type { Gateway } from '../src/gateway.ts';
import { PortInUseError } from '../src/transport/listeners.ts';
import { closed, connectDevice, endAll, keyringOf, makeDevice, serverClientReady, startTestGateway, tryConnect, waitFor } from './helpers.ts';

const dev = makeDevice('pickup-van-7');
const dev2 = makeDevice('pickup-van-8');
const keyring = keyringOf([dev, dev2]);

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 (P-256, one day). */
function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wt-gateway-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Connects, publishes one record, and checks the server side received it. */
async function roundTrip(gateway: Gateway, url: string, extra: Parameters<typeof connectDevice>[2] = {}): Promise<void> {
  const server = await serverClientReady(gateway.connectServerClient());
  const got: string[] = [];
  server.on('message', (_t, p) => got.push(p.toString()));
  await server.subscribeAsync(allDevicesTopic('records'), { qos: 1 });
  const device = await connectDevice(url, dev, extra);
  await device.publishAsync(deviceTopic(dev.id, 'records'), `via ${url}`, { qos: 1 });
  await waitFor(() => got.includes(`via ${url}`), 2000, 'record');
  await endAll(device, server);
}

describe('TLS and secure WebSocket listeners', () => {
  // A needed tool or service missing is a failure, not a skip: CI always has it.
  beforeAll(() => {
    if (!(hasOpenssl())) throw new Error('openssl is not installed (Debian package openssl; .ci/run installs it)');
  });
  let gateway: Gateway;
  let tls: { cert: string; key: string };
  beforeAll(async () => {
    tls = selfSignedCert();
    gateway = await startTestGateway({
      keyring,
      tcp: false,
      tls: { port: 0, host: '127.0.0.1', ...tls },
      websocket: { port: 0, host: '127.0.0.1', path: '/mqtt', ...tls },
    });
  });
  afterAll(() => gateway.close());

  it('accepts an authenticated device over mqtts:// with certificate verification', async () => {
    expect(gateway.addresses.tcp).toBeUndefined();
    expect(gateway.addresses.tls!.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    await roundTrip(gateway, gateway.addresses.tls!.url, { ca: tls.cert, rejectUnauthorized: true });
  });

  it('accepts an authenticated device over wss://', async () => {
    expect(gateway.addresses.websocket!.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    await roundTrip(gateway, gateway.addresses.websocket!.url, { ca: tls.cert, rejectUnauthorized: true });
  });

  it('still refuses bad credentials over TLS', async () => {
    const o = await tryConnect(gateway.addresses.tls!.url, { clientId: dev.id, username: dev.id, password: 'x', ca: tls.cert });
    expect(o.ok ? 0 : o.code).toBe(4);
  });
});

describe('WebSocket listener', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ keyring, tcp: false, websocket: { port: 0, host: '127.0.0.1' } });
  });
  afterAll(() => gateway.close());

  it('accepts an authenticated device over ws://', async () => {
    await roundTrip(gateway, gateway.addresses.websocket!.url);
  });

  it('answers a plain HTTP request with 426', async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.addresses.websocket!.port}/`);
    expect(res.status).toBe(426);
    await res.text();
  });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s: Server = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('shutdown', () => {
  it('disconnects every client, frees the ports, and can be called twice', async () => {
    const gateway = await startTestGateway({ keyring, websocket: { port: 0, host: '127.0.0.1' } });
    const { tcp, websocket } = gateway.addresses;
    const clients: MqttClient[] = [
      await connectDevice(tcp!.url, dev, { reconnectPeriod: 0 }),
      await connectDevice(websocket!.url, dev2, { reconnectPeriod: 0 }),
    ];
    const server = await serverClientReady(gateway.connectServerClient());
    // A socket that never sends CONNECT is not an aedes client yet; close() must end it too.
    const silent = netConnect(tcp!.port, '127.0.0.1');
    silent.on('error', () => {});
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    await waitFor(() => gateway.metrics().openConnections === 3, 2000, 'connections');
    expect(gateway.metrics().connectedDevices).toBe(2);

    await gateway.close();
    await Promise.all(clients.map((c) => closed(c)));
    await silentClosed;
    expect(server.connected).toBe(false);
    expect(await portIsFree(tcp!.port)).toBe(true);
    expect(await portIsFree(websocket!.port)).toBe(true);
    await gateway.close();
    await endAll(...clients, server);
  });
});

describe('ports', () => {
  it('reports a port in use by number', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const err = await startTestGateway({ keyring, tcp: { port, host: '127.0.0.1' } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as PortInUseError).port).toBe(port);
      expect((err as Error).message).toBe(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('names Mosquitto as the likely holder of 1883', () => {
    expect(new PortInUseError('tcp', 1883, undefined).message).toBe('port 1883 is in use (is Mosquitto running?)');
  });

  it('closes listeners it already opened when a later one fails', async () => {
    const first = await startTestGateway({ keyring, websocket: { port: 0, host: '127.0.0.1' } });
    const taken = first.addresses.websocket!.port;
    const err = await startTestGateway({ keyring, websocket: { port: taken, host: '127.0.0.1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    await first.close();
  });
});
