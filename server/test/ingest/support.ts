/**
 * Test fixtures for ingest: real SQLite files in a temp dir, devices that sign real records with their
 * own keys, and device clients that are plain MQTT clients. No test doubles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  deviceAuthToken,
  deviceTopic,
  ed25519Signer,
  encodeEnvelope,
  GENESIS_PREV,
  generateEd25519KeyPair,
  parseAck,
  parseCommand,
  parseKeyring,
  signRecord,
  toBase64,
  type AckMessage,
  type CommandMessage,
  type DecodedRecord,
  type Ed25519Signer,
  type Keyring,
  type StationRole,
} from '@wastetrail/firmware-protocol';
import { silentLogger } from '@wastetrail/runtime';
import type { EnvelopeLine } from '../../src/ingest/payload.ts';
import { openSqliteStore, type CustodyStore, type SqliteStore } from '../../src/store/index.ts';

export const quiet = silentLogger;

/** A short random suffix: device ids must be unique per run on a persistent broker. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestStore {
  store: SqliteStore;
  file: string;
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-ingest-'));
  const file = join(dir, 'wastetrail.db');
  const store = openSqliteStore(file);
  await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz' });
  return {
    store,
    file,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An edge device: its key and its hash chain of signed records. */
export class TestDevice {
  readonly id: string;
  readonly stations: StationRole[];
  readonly signer: Ed25519Signer;
  readonly publicKey: string;
  private readonly chain: DecodedRecord[] = [];

  /** Added to every weight: two devices with the same id and key but another variant sign other records. */
  private readonly variant: number;

  constructor(id: string, stations: StationRole[] = ['department'], signer?: Ed25519Signer, variant = 0) {
    this.id = id;
    this.stations = stations;
    this.variant = variant;
    this.signer = signer ?? ed25519Signer(generateEd25519KeyPair().privateKeyPem);
    this.publicKey = toBase64(this.signer.publicKeySpki);
  }

  /** Signs the next `n` records (bags sealed at the ICU). */
  seal(n = 1): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    for (let i = 0; i < n; i++) {
      const seq = this.chain.length + 1;
      const r = signRecord(
        {
          device: this.id,
          seq,
          prev: this.chain.at(-1)?.hash ?? GENESIS_PREV,
          time: new Date(Date.UTC(2026, 2, 2, 8, 0, 0) + seq * 1000).toISOString(),
          event: {
            type: 'sealed',
            body: {
              tags: [`epc:${seq.toString(16).padStart(24, '0')}`],
              category: 'infectious',
              weight: { value: 1000 + seq + this.variant, unit: 'g' },
              department: 'ICU',
              staff: 'badge-0101',
            },
          },
        },
        this.signer,
      );
      this.chain.push(r);
      out.push(r);
    }
    return out;
  }

  record(seq: number): DecodedRecord {
    const r = this.chain[seq - 1];
    if (!r) throw new RangeError(`no record ${seq}`);
    return r;
  }

  records(from: number, to: number): DecodedRecord[] {
    return this.chain.slice(from - 1, to);
  }
}

export async function provision(store: CustodyStore, ...devices: TestDevice[]): Promise<void> {
  for (const d of devices) {
    await store.registerDevice({ id: d.id, institution: 'hz-h001', stations: d.stations, keys: [{ publicKey: d.publicKey }] });
  }
}

export function envelopes(records: DecodedRecord[]): string {
  return records.map((r) => encodeEnvelope(r)).join('\n');
}

/** The keyring these devices would have once provisioned (institution hz-h001). */
export function keyringOf(...devices: TestDevice[]): Keyring {
  const json = { format: 'wastetrail.keyring.v1', devices: Object.fromEntries(devices.map((d) => [d.id, { institution: 'hz-h001', stations: d.stations, keys: [{ publicKey: d.publicKey }] }])) };
  const k = parseKeyring(json);
  if (!k.ok) throw new Error(k.error.message);
  return k.value;
}

/** Records as ingest reads them from a payload: envelope lines. */
export function envelopeLines(records: DecodedRecord[]): EnvelopeLine[] {
  return records.map((r) => ({ line: encodeEnvelope(r), signed: { bytes: r.bytes, signature: r.signature } }));
}

/** A device's MQTT side: publishes records, collects acks and commands, answers resends if asked. */
export class DeviceClient {
  readonly device: TestDevice;
  readonly client: MqttClient;
  readonly acks: AckMessage[] = [];
  readonly commands: CommandMessage[] = [];
  /** Called with each ack as it arrives (synchronously, before anything else runs). */
  onAck: ((ack: AckMessage) => void) | undefined;
  /** Resend what the server asks for, as the edge agent does. */
  answerResends = false;

  private constructor(device: TestDevice, client: MqttClient) {
    this.device = device;
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic === deviceTopic(device.id, 'acks')) {
        const ack = parseAck(payload.toString());
        if (!ack) return;
        this.acks.push(ack);
        this.onAck?.(ack);
      } else if (topic === deviceTopic(device.id, 'commands')) {
        const command = parseCommand(payload.toString());
        if (!command) return;
        this.commands.push(command);
        if (this.answerResends) void this.publish(device.records(command.from, command.to ?? command.from));
      }
    });
  }

  static async connect(url: string, device: TestDevice, auth: 'token' | 'anonymous'): Promise<DeviceClient> {
    const options: IClientOptions = { clientId: device.id, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 };
    if (auth === 'token') Object.assign(options, { username: device.id, password: deviceAuthToken(device.id, device.signer, Date.now()) });
    const client = await mqtt.connectAsync(url, options);
    const dc = new DeviceClient(device, client);
    await client.subscribeAsync([deviceTopic(device.id, 'acks'), deviceTopic(device.id, 'commands')], { qos: 1 });
    return dc;
  }

  lastAck(): AckMessage | undefined {
    return this.acks.at(-1);
  }

  async publish(records: DecodedRecord[] | string | Uint8Array, topic = deviceTopic(this.device.id, 'records')): Promise<void> {
    const payload = typeof records === 'string' ? records : records instanceof Uint8Array ? Buffer.from(records) : envelopes(records);
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Waits (polling) for a condition: never a timed assertion, only a bound on how long to wait. */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Removes retained messages (empty retained payloads), so a persistent broker keeps nothing of a run. */
export async function clearRetained(url: string, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clientId: uniqueId('wastetrail_test_cleaner') });
  try {
    for (const topic of topics) await client.publishAsync(topic, '', { qos: 1, retain: true });
  } finally {
    await client.endAsync();
  }
}
