/**
 * The uplink: publishes the outbox to the device's records topic (MQTT QoS 1) and applies the server's
 * acknowledgements. A broker PUBACK proves nothing (Mosquitto can drop queued QoS 1 messages, aedes
 * acks before forwarding), so it is used only as flow control; what counts is the server's ack
 * {seq, hash} on the acks topic. After every (re)connect everything above that ack is sent again, in
 * order. Records go out in batches (envelope lines joined by "\n") with a bounded number of messages
 * in flight and a bounded number of records ahead of the last ack, read from SQLite as they are
 * needed, so a 100 000-record backlog drains at full speed without being loaded whole and while new
 * records keep being committed behind it.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  deviceAuthToken,
  deviceTopic,
  encodeEnvelope,
  formatDeviceTime,
  parseAck,
  receiptPairs,
  type ReceiptRange,
  parseCommand,
  type Ed25519Signer,
  type StatusMessage,
} from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import { ConfigError, type MqttConfig } from '../config/config.ts';
import type { Outbox, OutboxRecord } from '../outbox/outbox.ts';
import { backoffDelay } from './backoff.ts';

export type UplinkState = 'connecting' | 'connected' | 'offline' | 'stopped';

export interface UplinkStatus {
  state: UplinkState;
  /** Wall-clock ms when the state last changed. */
  since: number;
  ackedSeq: number;
  headSeq: number;
  backlog: number;
  /** Failed connection attempts since the last success. */
  attempts: number;
  lastError?: string;
  /** The server holds a chain that is not ours (ack hash mismatch or beyond our head). */
  conflict?: string;
}

export interface UplinkStats {
  messagesPublished: number;
  recordsPublished: number;
  /** The most messages ever waiting for a broker PUBACK at once (bounded by `window`). */
  maxInFlight: number;
  /** The most records ever sent and not yet acknowledged by the server. */
  maxUnacked: number;
  reconnects: number;
  resendCommands: number;
  ackTimeouts: number;
}

export interface UplinkOptions {
  deviceId: string;
  outbox: Outbox;
  config: MqttConfig;
  /** Signs the MQTT password in device-token mode. */
  signer: Ed25519Signer;
  logger: Logger;
  /** Put in the birth message, e.g. "wastetrail-edge/0.1.0". */
  agent?: string;
  /** Wall clock in ms (tokens, status times). */
  now?: () => number;
  random?: () => number;
  /** Told about every status change (kiosk, status file). */
  onStatus?: (status: UplinkStatus) => void;
}

const GOODBYE_MS = 2000;

function readTlsFile(field: 'ca' | 'cert' | 'key', file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`mqtt.tls.${field}: cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)} (${file})`, `mqtt.tls.${field}`);
  }
}

/** True if `p` settled within `ms`. */
function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([p.then(() => true), late]).finally(() => clearTimeout(timer));
}

interface Range {
  from: number;
  to: number;
}

export class Uplink {
  readonly stats: UplinkStats = { messagesPublished: 0, recordsPublished: 0, maxInFlight: 0, maxUnacked: 0, reconnects: 0, resendCommands: 0, ackTimeouts: 0 };
  private readonly o: UplinkOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly topics: { records: string; status: string; acks: string; commands: string };
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Records ahead of the server's ack before sending pauses (protects the broker's queues). */
  private readonly maxAhead: number;
  private client: MqttClient | undefined;
  /** Bumped per connection, so callbacks of an old connection are recognised and ignored. */
  private generation = 0;
  private state: UplinkState = 'offline';
  private since: number;
  private attempts = 0;
  private lastError: string | undefined;
  private conflict: string | undefined;
  private ready = false;
  private nextSeq = 1;
  private resend: Range[] = [];
  private inFlight = 0;
  private pumping = false;
  private lastAckProgress = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: UplinkOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.logger;
    this.since = this.now();
    const id = options.deviceId;
    this.topics = { records: deviceTopic(id, 'records'), status: deviceTopic(id, 'status'), acks: deviceTopic(id, 'acks'), commands: deviceTopic(id, 'commands') };
    const t = options.config.tls;
    this.tls = {
      ...(t.ca ? { ca: readTlsFile('ca', t.ca) } : {}),
      ...(t.cert ? { cert: readTlsFile('cert', t.cert) } : {}),
      ...(t.key ? { key: readTlsFile('key', t.key) } : {}),
    };
    this.maxAhead = options.config.window * options.config.batch.maxRecords * 2;
  }

  start(): void {
    if (this.stopping || this.client || this.reconnectTimer) return;
    this.connect();
    const period = Math.max(250, Math.floor((this.o.config.ackTimeoutSeconds * 1000) / 4));
    this.ackTimer = setInterval(() => this.checkAckTimeout(), period);
    this.ackTimer.unref();
  }

  /** New records were committed: send them if the window allows. */
  notify(): void {
    this.pump();
  }

  status(): UplinkStatus {
    const head = this.o.outbox.head().seq;
    const acked = this.o.outbox.ackedSeq();
    return {
      state: this.state,
      since: this.since,
      ackedSeq: acked,
      headSeq: head,
      backlog: Math.max(0, head - acked),
      attempts: this.attempts,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.conflict ? { conflict: this.conflict } : {}),
    };
  }

  /** Says goodbye (retained offline status) if connected, then closes. Safe to call twice. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      clearTimeout(this.reconnectTimer);
      clearInterval(this.ackTimer);
      this.reconnectTimer = undefined;
      const client = this.client;
      this.client = undefined;
      this.generation++;
      this.setState('stopped');
      if (!client) return;
      if (client.connected) {
        // A goodbye, not a requirement: a broker that does not answer gets GOODBYE_MS, then the will.
        const goodbye = new Promise<void>((resolve) => client.publish(this.topics.status, this.statusPayload('offline'), { qos: 1, retain: true }, () => resolve()));
        if (await withTimeout(goodbye, GOODBYE_MS)) {
          if (await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), GOODBYE_MS)) return;
        }
      }
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    })());
  }

  // ---- connection ----

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.stopping) return;
    const gen = ++this.generation;
    this.setState('connecting');
    const c = this.o.config;
    const auth =
      c.auth.mode === 'device-token'
        ? { username: this.o.deviceId, password: deviceAuthToken(this.o.deviceId, this.o.signer, this.now()) }
        : c.auth.mode === 'password'
          ? { username: c.auth.username, password: c.auth.password }
          : {};
    const options: IClientOptions = {
      clientId: this.o.deviceId,
      ...auth,
      protocolVersion: 4,
      clean: true,
      keepalive: c.keepaliveSeconds,
      connectTimeout: c.connectTimeoutSeconds * 1000,
      // Reconnects are ours: a fresh token each time, backoff with jitter, and a resend from the ack.
      reconnectPeriod: 0,
      will: { topic: this.topics.status, payload: Buffer.from(this.statusPayload('offline')), qos: 1, retain: true },
      rejectUnauthorized: c.tls.rejectUnauthorized,
      ...this.tls,
    };
    const client = mqtt.connect(c.url, options);
    this.client = client;
    client.on('connect', () => {
      if (gen !== this.generation) return;
      this.onConnected(client, gen);
    });
    client.on('message', (topic, payload) => {
      if (gen !== this.generation) return;
      this.onMessage(topic, payload.toString('utf8'));
    });
    client.on('error', (err: Error & { code?: unknown }) => {
      if (gen !== this.generation) return;
      this.lastError = err.message;
      // CONNACK 5 "not authorised": an operator has to provision the device; try again rarely.
      if (err.code === 5) this.attempts = Math.max(this.attempts, 30);
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.onClosed(client);
    });
  }

  private onConnected(client: MqttClient, gen: number): void {
    this.attempts = 0;
    this.lastError = undefined;
    this.stats.reconnects++;
    this.ready = false;
    this.inFlight = 0;
    this.resend = [];
    // Everything the server has not acknowledged goes again, in order.
    this.nextSeq = this.o.outbox.ackedSeq() + 1;
    this.lastAckProgress = this.now();
    this.setState('connected');
    this.log.info({ url: this.o.config.url, resendFrom: this.nextSeq, head: this.o.outbox.head().seq }, 'connected');
    client.publish(this.topics.status, this.statusPayload('online'), { qos: 1, retain: true });
    client.subscribe({ [this.topics.acks]: { qos: 1 }, [this.topics.commands]: { qos: 1 } }, (err, granted) => {
      if (gen !== this.generation) return;
      const refused = granted?.filter((g) => g.qos === 128) ?? [];
      if (err || refused.length > 0) {
        this.log.error({ err, refused: refused.map((g) => g.topic) }, 'could not subscribe to acks and commands: the server cannot confirm records');
      }
      this.ready = true;
      this.pump();
    });
  }

  private onClosed(client: MqttClient): void {
    client.end(true);
    this.client = undefined;
    this.ready = false;
    this.inFlight = 0;
    if (this.stopping) return;
    const delay = backoffDelay(this.attempts, this.o.config.reconnect, this.random);
    this.attempts++;
    this.setState('offline');
    this.log.warn({ inMs: delay, attempt: this.attempts, error: this.lastError }, 'disconnected; will reconnect');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  // ---- sending ----

  private pump(): void {
    if (this.pumping || !this.ready || this.state !== 'connected' || !this.client) return;
    this.pumping = true;
    try {
      while (this.ready && this.inFlight < this.o.config.window) {
        const batch = this.nextBatch();
        if (!batch) break;
        this.publish(batch);
      }
    } catch (e) {
      // The outbox is unreadable (disk error): keep the connection, try again on the next event.
      this.log.error({ err: e }, 'could not read the outbox');
    } finally {
      this.pumping = false;
    }
  }

  private nextBatch(): OutboxRecord[] | undefined {
    const acked = this.o.outbox.ackedSeq();
    while (this.resend.length > 0) {
      const r = this.resend[0]!;
      r.from = Math.max(r.from, acked + 1);
      const records = r.from <= r.to ? this.read(r.from, r.to) : [];
      if (records.length === 0) {
        this.resend.shift();
        continue;
      }
      r.from = records[records.length - 1]!.seq + 1;
      return records;
    }
    this.nextSeq = Math.max(this.nextSeq, acked + 1);
    if (this.nextSeq - 1 - acked >= this.maxAhead) return undefined;
    const records = this.read(this.nextSeq, Number.MAX_SAFE_INTEGER);
    if (records.length === 0) return undefined;
    this.nextSeq = records[records.length - 1]!.seq + 1;
    this.stats.maxUnacked = Math.max(this.stats.maxUnacked, this.nextSeq - 1 - acked);
    return records;
  }

  /** Up to one batch of records from `from`, cut at the byte limit (at least one record). */
  private read(from: number, to: number): OutboxRecord[] {
    const { maxRecords, maxBytes } = this.o.config.batch;
    const records = this.o.outbox.range(from, to, maxRecords);
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      // Base64 of the record and the signature plus the envelope's fixed text and a newline.
      bytes += Math.ceil(records[i]!.bytes.length / 3) * 4 + 88 + 25;
      if (bytes > maxBytes && i > 0) return records.slice(0, i);
    }
    return records;
  }

  private publish(records: OutboxRecord[]): void {
    const client = this.client!;
    const gen = this.generation;
    const payload = records.map((r) => encodeEnvelope(r)).join('\n');
    this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    this.stats.messagesPublished++;
    this.stats.recordsPublished += records.length;
    client.publish(this.topics.records, payload, { qos: 1 }, (err) => {
      if (gen !== this.generation) return;
      this.inFlight = Math.max(0, this.inFlight - 1);
      // A failed publish means the connection is going; the reconnect resends from the ack.
      if (err) this.log.debug({ error: err.message }, 'publish failed');
      else setImmediate(() => this.pump());
    });
  }

  // ---- from the server ----

  private onMessage(topic: string, payload: string): void {
    if (topic === this.topics.acks) {
      if (payload === '') return; // a cleared retained ack
      const ack = parseAck(payload);
      if (!ack) return this.log.warn({ payload: payload.slice(0, 200) }, 'ignored a malformed ack');
      const outcome = this.o.outbox.acknowledge(ack.seq, ack.hash);
      // Receipts only ride on an ack of our own chain (docs/protocol/log.md#receipts).
      if (ack.leaves && (outcome.kind === 'advanced' || outcome.kind === 'stale')) this.keepReceipts(ack.leaves);
      switch (outcome.kind) {
        case 'advanced':
          this.lastAckProgress = this.now();
          this.emitStatus();
          this.pump();
          return;
        case 'stale':
          return;
        case 'mismatch':
          this.conflict = `the server's record at seq ${ack.seq} has hash ${ack.hash}, ours is ${outcome.ours}`;
          this.log.error({ seq: ack.seq, ours: outcome.ours, theirs: ack.hash }, 'ACK HASH MISMATCH: the server holds a different chain for this device (cloned device id, or an outbox restored from an old backup?). Records stay in the outbox; investigate before going on.');
          this.emitStatus();
          return;
        case 'beyond-head':
          this.conflict = `the server acknowledged seq ${ack.seq}, but this outbox ends at seq ${outcome.head}`;
          this.log.error({ seq: ack.seq, head: outcome.head }, 'ACK BEYOND OUR CHAIN: the server has records of this device that this outbox does not (restored from an old backup, or a cloned device id?). New records would fork the chain; investigate.');
          this.emitStatus();
          return;
      }
    }
    if (topic === this.topics.commands) {
      const cmd = parseCommand(payload);
      if (!cmd) return this.log.warn({ payload: payload.slice(0, 200) }, 'ignored a malformed command');
      const to = Math.min(cmd.to ?? Number.MAX_SAFE_INTEGER, this.o.outbox.head().seq);
      this.stats.resendCommands++;
      this.log.info({ from: cmd.from, to }, 'resend requested');
      if (cmd.from <= to) this.resend.push({ from: cmd.from, to });
      this.pump();
    }
  }

  /** Receipts are kept for audits; failing to keep them must not stop the acks they came with. */
  private keepReceipts(leaves: readonly ReceiptRange[]): void {
    try {
      this.o.outbox.addReceipts(receiptPairs(leaves));
    } catch (err) {
      this.log.warn({ err }, 'receipts not kept: the next audit cannot check these records');
    }
  }

  /** Sent records with no ack progress for ackTimeoutSeconds: they were lost on the way; go back. */
  private checkAckTimeout(): void {
    if (this.state !== 'connected' || !this.ready) return;
    const acked = this.o.outbox.ackedSeq();
    if (this.nextSeq - 1 <= acked) {
      this.lastAckProgress = this.now();
      return;
    }
    if (this.now() - this.lastAckProgress < this.o.config.ackTimeoutSeconds * 1000) return;
    this.stats.ackTimeouts++;
    this.log.warn({ from: acked + 1, sentUpTo: this.nextSeq - 1 }, 'no acknowledgement in time: sending again from the last ack');
    this.nextSeq = acked + 1;
    this.lastAckProgress = this.now();
    this.pump();
  }

  private statusPayload(state: 'online' | 'offline'): string {
    const msg: StatusMessage = { v: 1, state, time: formatDeviceTime(this.now()), ...(this.o.agent ? { agent: this.o.agent } : {}), ...(state === 'online' ? { backlog: this.o.outbox.backlog() } : {}) };
    return JSON.stringify(msg);
  }

  private setState(state: UplinkState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = this.now();
    this.emitStatus();
  }

  private emitStatus(): void {
    try {
      this.o.onStatus?.(this.status());
    } catch (e) {
      this.log.warn({ err: e }, 'status listener failed');
    }
  }
}
