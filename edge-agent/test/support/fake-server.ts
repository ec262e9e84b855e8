/**
 * A test double of the wastetrail server's ingest, just enough to play its part in the delivery
 * protocol: subscribes to a device's records topic, verifies every envelope with firmware-protocol's
 * ChainVerifier (the one definition of valid), keeps what it accepted, publishes the highest
 * contiguous {seq, hash} on the acks topic (retained), and asks for a resend when it sees a gap.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  ChainVerifier,
  decodeEnvelope,
  deviceTopic,
  nodeEd25519Verify,
  splitEnvelopeLines,
  type DecodedRecord,
  type Keyring,
  type RecordError,
} from '@wastetrail/firmware-protocol';

export interface FakeServerOptions {
  deviceId: string;
  keyring: Keyring;
  /** An MQTT client to use (e.g. the gateway's in-process server client); default: connect to `url`. */
  client?: MqttClient;
  url?: string;
  /** Records (by seq) to lose the first time they arrive, as a broker dropping a queued message would. */
  loseOnce?: Iterable<number>;
  /** Keep every accepted record in `accepted` (default true; a benchmark of 100 000 records does not). */
  keepAccepted?: boolean;
}

export class FakeServer {
  readonly accepted: DecodedRecord[] = [];
  readonly rejected: RecordError[] = [];
  duplicates = 0;
  messages = 0;
  resendRequests: { from: number; to: number }[] = [];
  private readonly o: FakeServerOptions;
  private readonly client: MqttClient;
  private readonly verifier: ChainVerifier;
  private readonly lose: Set<number>;
  private paused = false;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private lastAcked = 0;
  private lastResendFrom = 0;

  private constructor(o: FakeServerOptions, client: MqttClient) {
    this.o = o;
    this.client = client;
    this.verifier = new ChainVerifier({ keyring: o.keyring, ed25519Verify: nodeEd25519Verify }, { strictOrder: false });
    this.lose = new Set(o.loseOnce ?? []);
  }

  static async start(o: FakeServerOptions): Promise<FakeServer> {
    const client = o.client ?? mqtt.connect(o.url ?? 'mqtt://127.0.0.1:1883', { clientId: `wt_test_server_${randomBytes(4).toString('hex')}`, reconnectPeriod: 200 });
    const server = new FakeServer(o, client);
    client.on('message', (topic, payload) => {
      if (topic === deviceTopic(o.deviceId, 'records')) server.onRecords(payload.toString('utf8'));
    });
    if (!client.connected) await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(deviceTopic(o.deviceId, 'records'), { qos: 1 });
    return server;
  }

  get topics() {
    return { records: deviceTopic(this.o.deviceId, 'records'), acks: deviceTopic(this.o.deviceId, 'acks'), status: deviceTopic(this.o.deviceId, 'status'), commands: deviceTopic(this.o.deviceId, 'commands') };
  }

  headSeq(): number {
    return this.verifier.head(this.o.deviceId)?.seq ?? 0;
  }

  /** Stops processing and acknowledging (messages arriving meanwhile are dropped, as by a crashed ingest). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  publishAck(seq: number, hash: string): Promise<unknown> {
    return this.client.publishAsync(this.topics.acks, JSON.stringify({ v: 1, seq, hash }), { qos: 1, retain: true });
  }

  requestResend(from: number, to?: number): Promise<unknown> {
    return this.client.publishAsync(this.topics.commands, JSON.stringify({ v: 1, type: 'resend', from, ...(to !== undefined ? { to } : {}) }), { qos: 1 });
  }

  /** Resolves once `pred` holds (checked after every message); rejects after `timeoutMs`. */
  until(pred: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`fake server: ${what} not reached in ${timeoutMs} ms (head ${this.headSeq()}, messages ${this.messages}, rejected ${this.rejected.map((r) => r.code).join(',')})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  untilHead(seq: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.headSeq() >= seq, timeoutMs, `head ${seq}`);
  }

  /**
   * Clears the retained messages this device left on a shared broker, then disconnects. On the gateway
   * (a client passed in) nothing is cleared: it keeps retained messages in memory only, and the
   * server identity may not publish on status topics.
   */
  async close(): Promise<void> {
    if (!this.o.client && this.client.connected) {
      await this.client.publishAsync(this.topics.acks, '', { qos: 1, retain: true });
      await this.client.publishAsync(this.topics.status, '', { qos: 1, retain: true });
    }
    if (!this.o.client) await this.client.endAsync();
  }

  private onRecords(payload: string): void {
    if (this.paused) return;
    this.messages++;
    for (const line of splitEnvelopeLines(payload)) {
      const env = decodeEnvelope(line);
      if (!env.ok) {
        this.rejected.push(env.error);
        continue;
      }
      const seq = seqOf(env.value.bytes);
      if (seq !== undefined && this.lose.delete(seq)) continue;
      for (const e of this.verifier.push(env.value)) {
        if (e.kind === 'accepted') {
          if (this.o.keepAccepted !== false) this.accepted.push(e.record);
        }
        else if (e.error.code === 'DUPLICATE_RECORD') this.duplicates++;
        else this.rejected.push(e.error);
      }
    }
    const head = this.verifier.head(this.o.deviceId);
    if (head && head.seq > this.lastAcked) {
      this.lastAcked = head.seq;
      void this.publishAck(head.seq, head.hash);
    }
    const gap = this.verifier.missing(this.o.deviceId);
    if (gap && gap.from !== this.lastResendFrom) {
      this.lastResendFrom = gap.from;
      this.resendRequests.push(gap);
      void this.requestResend(gap.from, gap.to);
    }
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred()) return true;
      w.resolve();
      return false;
    });
  }
}

function seqOf(bytes: Uint8Array): number | undefined {
  try {
    return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { seq?: number }).seq;
  } catch {
    return undefined;
  }
}
