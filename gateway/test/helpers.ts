import {
  deviceAuthToken,
  ed25519Signer,
  generateEd25519KeyPair,
  keyId,
  keyringToJson,
  parseKeyring,
  type DeviceEntry,
  type Ed25519Signer,
  type Keyring,
} from '@wastetrail/firmware-protocol';
import { connect as netConnect } from 'node:net';
import { connect, MqttClient, type IClientOptions } from 'mqtt';
import { startGateway, type Gateway } from '../src/gateway.ts';
import type { GatewayConfig } from '../src/config.ts';

export interface TestDevice {
  id: string;
  signer: Ed25519Signer;
}

export function makeDevice(id: string): TestDevice {
  return { id, signer: ed25519Signer(generateEd25519KeyPair().privateKeyPem) };
}

/** A keyring holding these devices; `revoked` devices have their (only) key revoked an hour ago. */
export function keyringOf(devices: TestDevice[], options: { revoked?: string[] } = {}): Keyring {
  const revokedAt = new Date(Date.now() - 3600_000).toISOString();
  const entries = devices.map((d): [string, DeviceEntry] => [
    d.id,
    {
      device: d.id,
      institution: 'hospital-1',
      stations: ['department'],
      keys: [
        {
          publicKeySpki: d.signer.publicKeySpki,
          kid: keyId(d.signer.publicKeySpki),
          ...(options.revoked?.includes(d.id) ? { revokedAt } : {}),
        },
      ],
    },
  ]);
  return { devices: new Map(entries) };
}

/** The same keyring as the JSON file the standalone gateway reads. */
export function keyringJson(devices: TestDevice[], options: { revoked?: string[] } = {}): string {
  const json = JSON.stringify(keyringToJson(keyringOf(devices, options)));
  if (!parseKeyring(JSON.parse(json)).ok) throw new Error('keyringToJson wrote a keyring parseKeyring refuses');
  return json;
}

export function tokenFor(device: TestDevice, nowMs = Date.now()): string {
  return deviceAuthToken(device.id, device.signer, nowMs);
}

export function deviceOptions(device: TestDevice, extra: IClientOptions = {}): IClientOptions {
  return { clientId: device.id, username: device.id, password: tokenFor(device), ...extra };
}

export function startTestGateway(config: Partial<GatewayConfig> & { keyring: Keyring }): Promise<Gateway> {
  return startGateway({ tcp: { port: 0, host: '127.0.0.1' }, ...config });
}

export type ConnectOutcome = { ok: true; client: MqttClient } | { ok: false; code: number | undefined; message: string };

/**
 * Connects once (no reconnects) and reports the CONNACK outcome. `localAddress` picks the source
 * address (another loopback address, say 127.0.0.2, is another client as far as the gateway knows).
 */
export function tryConnect(url: string, options: IClientOptions, localAddress?: string): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const all: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options };
    const { hostname, port } = new URL(url);
    const client = localAddress === undefined ? connect(url, all) : new MqttClient(() => netConnect({ host: hostname, port: Number(port), localAddress }), all);
    const fail = (err: Error & { code?: unknown }) => {
      client.end(true);
      resolve({ ok: false, code: typeof err.code === 'number' ? err.code : undefined, message: err.message });
    };
    client.once('connect', () => {
      client.off('error', fail);
      resolve({ ok: true, client });
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

export async function connectDevice(url: string, device: TestDevice, extra: IClientOptions = {}, localAddress?: string): Promise<MqttClient> {
  const outcome = await tryConnect(url, deviceOptions(device, extra), localAddress);
  if (!outcome.ok) throw new Error(`${device.id} refused: ${outcome.message} (code ${outcome.code})`);
  return outcome.client;
}

export function serverClientReady(client: MqttClient): Promise<MqttClient> {
  if (client.connected) return Promise.resolve(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

export async function endAll(...clients: Array<MqttClient | undefined>): Promise<void> {
  await Promise.all(clients.map((c) => c?.endAsync(true)));
}

export function closed(client: MqttClient): Promise<void> {
  if (client.disconnected || (!client.connected && !client.reconnecting && client.disconnecting)) return Promise.resolve();
  return new Promise((resolve) => client.once('close', () => resolve()));
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
