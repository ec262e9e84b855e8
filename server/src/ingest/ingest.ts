/**
 * MQTT ingest: reads every device's records (and status) through any MQTT client, verifies them with
 * firmware-protocol's ChainVerifier, stores them in group commits, and only then acknowledges them.
 *
 *   message -> readRecordsPayload -> [verification workers] -> queue -> DeviceChain.push (chain order)
 *           -> pending batch -> store.appendRecords (one transaction) -> acks, alerts, onAccepted hooks
 *
 * Arrival order means nothing (the device resends, a shared subscription splits, Mosquitto may drop):
 * the chain holds records behind a gap and asks the device for the missing ones; (device, seq) makes
 * everything idempotent. Nothing that arrives can crash it: every refusal is quarantined and counted.
 * docs/server/ingest.md describes the protocol and the settings.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { MqttClient, Packet } from 'mqtt';
import {
  allDevicesTopic,
  deviceTopic,
  fromUtf8,
  receiptRanges,
  parseAck,
  parseDeviceTopic,
  parseStatus,
  recordHash,
  sharedSubscription,
  utf8,
  verifyRecord,
  type AckMessage,
  type CommandMessage,
  type CustodyEvent,
  type DecodedRecord,
  type Keyring,
  type ReceiptRange,
  type RecordError,
  type VerifyContext,
} from '@wastetrail/firmware-protocol';
import { Registry, silentLogger, type Logger } from '@wastetrail/runtime';
import { tagsOfEvent } from '../custody/index.ts';
import type { AppendOutcome, CustodyStore, DeviceAck, NewQuarantineEntry, NewRecord } from '../store/index.ts';
import type { QuarantineCode } from './codes.ts';
import { DeviceChain, type Arrival, type ChainStep } from './device-chain.ts';
import { fileIntegrityFindings, integrityDedupeKey, integrityFinding, type IntegrityFinding, type IntegrityHook, type IntegrityProblem } from './integrity.ts';
import { readRecordsPayload, type EnvelopeLine } from './payload.ts';
import { ArrivalRate } from './arrival-rate.ts';
import { peekRecord, TrustedVerdicts, type RecordCheck } from './record-check.ts';
import { copyIngestStats, emptyIngestStats, exposeIngestStats, ingestTimings, type IngestStats, type IngestTimings } from './stats.ts';
import { DEFAULT_INGEST_SETTINGS, type IngestSettings } from './settings.ts';
import { VerifyPool } from './verify-pool.ts';

/** A record as the custody and rules layers get it after its commit. */
export interface AcceptedRecord extends DecodedRecord {
  receivedAt: string;
  tags: string[];
}

export type AcceptedHook = (records: AcceptedRecord[]) => void | Promise<void>;

export interface IngestOptions {
  /** Any MQTT.js client: gateway.connectServerClient() or mqtt.connect(url) to an external broker. */
  client: MqttClient;
  store: CustodyStore;
  settings?: Partial<IngestSettings>;
  /** Default: the store's keyring. */
  keyring?: Keyring;
  onAccepted?: AcceptedHook;
  /** A child of the process's root logger; default: silent. */
  logger?: Logger;
  /** The process's registry: ingest's counts and timings are added to it (wastetrail_ingest_*). */
  metrics?: Registry;
  /** The clock (ms since the epoch). */
  now?: () => number;
}

export interface Ingest {
  readonly settings: Readonly<IngestSettings>;
  /** Worker threads verifying signatures (0: all on the main thread). */
  readonly workers: number;
  stats(): IngestStats;
  /** Called after every commit with the records it stored, in chain order per device. */
  onAccepted(hook: AcceptedHook): () => void;
  /** Takes each commit's integrity findings (before the onAccepted hooks); with none, ingest files them into the alert book itself. */
  onIntegrity(hook: IntegrityHook): () => void;
  setKeyring(keyring: Keyring): void;
  reloadKeyring(): Promise<void>;
  /** Resolves when everything received so far is linked and committed (tests, shutdown). */
  drain(): Promise<void>;
  /**
   * Stops reading, commits what is pending, stops the workers. The MQTT client stays the caller's:
   * end it after this (messages in between are dropped unacknowledged; the devices resend them).
   */
  close(): Promise<void>;
}

export function resolveIngestSettings(partial: Partial<IngestSettings> = {}): IngestSettings {
  const s: IngestSettings = { ...DEFAULT_INGEST_SETTINGS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  return s;
}

export function verifyWorkerCount(setting: IngestSettings['verifyWorkers']): number {
  return setting === 'auto' ? Math.max(0, availableParallelism() - 1) : setting;
}

export async function startIngest(options: IngestOptions): Promise<Ingest> {
  const keyring = options.keyring ?? (await options.store.keyring());
  const ingest = new RecordIngest(options, keyring);
  try {
    await ingest.start();
  } catch (err) {
    await ingest.close();
    throw err;
  }
  return ingest;
}

// ---- Internals ----

type Task =
  | {
      kind: 'records';
      topic: string;
      device: string;
      receivedAt: string;
      envelopes: EnvelopeLine[];
      /** Set when the records went to the verification workers. */
      checks?: Promise<Array<RecordCheck | null> | undefined>;
    }
  | { kind: 'control'; run: () => Promise<void> };

interface Pending {
  records: NewRecord[];
  accepted: AcceptedRecord[];
  quarantine: NewQuarantineEntry[];
  problems: Map<string, IntegrityProblem>;
  /** Devices to acknowledge after the commit (new records, or a resend of stored ones). */
  ack: Set<string>;
  /** Per device, the seqs whose leaf index its ack carries (docs/protocol/log.md#receipts): new and resent records. */
  receipts: Map<string, Set<number>>;
  seen: Map<string, string>;
}

const emptyPending = (): Pending => ({ records: [], accepted: [], quarantine: [], problems: new Map(), ack: new Set(), receipts: new Map(), seen: new Map() });

/** Records per message to the workers: big enough to amortise the message, small enough to spread. */
const WORKER_CHUNK = 256;
/** Linked tasks between yields to the event loop, so timers and sockets keep running under load. */
const YIELD_EVERY = 64;

class RecordIngest implements Ingest {
  readonly settings: IngestSettings;
  readonly workers: number;
  private readonly client: MqttClient;
  private readonly store: CustodyStore;
  private readonly log: Logger;
  private readonly timings: IngestTimings;
  private readonly now: () => number;
  private readonly ctx: VerifyContext;
  private readonly trusted: TrustedVerdicts;
  private readonly pool: VerifyPool | undefined;
  private readonly hooks = new Set<AcceptedHook>();
  private readonly integrityHooks = new Set<IntegrityHook>();
  private readonly counters = emptyIngestStats();
  private readonly arrivals = new ArrivalRate();
  private readonly chains = new Map<string, DeviceChain>();
  /** Chains whose last commit failed: rebuilt from the store before their next record. */
  private readonly poisoned = new Set<string>();
  private readonly gapTimers = new Map<string, NodeJS.Timeout>();
  private readonly institutionJurisdiction = new Map<string, string | undefined>();
  /** Accepted and not yet committed: (device, seq) -> hash, to recognise resends of them. */
  private readonly uncommitted = new Map<string, string>();

  private queue: Task[] = [];
  private queuedRecords = 0;
  private toDispatch: Array<{ task: Extract<Task, { kind: 'records' }>; resolve: (c: Array<RecordCheck | null> | undefined) => void }> = [];
  private dispatchScheduled = false;
  private running: Promise<void> | undefined;
  private pending = emptyPending();
  private batchTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private reloadTimer: NodeJS.Timeout | undefined;
  /** MQTT deliveries waiting for the queue to shrink (backpressure). */
  private paused: Array<() => void> = [];
  private originalHandleMessage: MqttClient['handleMessage'] | undefined;
  private workerFailureLogged = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: IngestOptions, keyring: Keyring) {
    this.settings = resolveIngestSettings(options.settings);
    this.client = options.client;
    this.store = options.store;
    this.log = options.logger ?? silentLogger;
    const registry = options.metrics ?? new Registry();
    this.timings = ingestTimings(registry);
    exposeIngestStats(registry, () => this.stats());
    this.trusted = new TrustedVerdicts((seconds) => this.timings.verify.observe({ where: 'main' }, seconds));
    this.now = options.now ?? Date.now;
    this.ctx = { keyring, ed25519Verify: this.trusted.verify };
    if (options.onAccepted) this.hooks.add(options.onAccepted);
    this.workers = verifyWorkerCount(this.settings.verifyWorkers);
    this.pool = this.workers > 0 ? new VerifyPool(this.workers, keyring) : undefined;
  }

  async start(): Promise<void> {
    const c = this.client;
    // MQTT.js waits for this callback before it reads the next packet: holding it pauses the broker's
    // deliveries to us (TCP backpressure) instead of queueing without bound.
    this.originalHandleMessage = c.handleMessage;
    c.handleMessage = (_packet: Packet, callback: (error?: Error) => void) => {
      if (this.queuedRecords < this.settings.maxQueuedRecords || this.closed) callback();
      else this.paused.push(() => callback());
    };
    c.on('message', this.onMessage);
    if (!c.connected) await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    if (this.settings.republishAcks) await this.republishAcks();
    const topics = this.topics();
    const granted = await c.subscribeAsync(topics, { qos: 1 });
    const refused = granted.filter((g) => g.qos !== 0 && g.qos !== 1);
    if (refused.length > 0) throw new Error(`the broker refused the subscription to ${refused.map((g) => g.topic).join(', ')}`);
    if (this.settings.keyringReloadMs > 0) {
      this.reloadTimer = setInterval(() => {
        this.reloadKeyring().catch((err: unknown) => this.log.warn({ err }, 'keyring reload failed'));
      }, this.settings.keyringReloadMs);
      this.reloadTimer.unref();
    }
    this.log.info({ topics, workers: this.workers, batchMs: this.settings.batchMs }, 'ingest started');
  }

  /**
   * Records and status, shared between the processes of a group if there is one. A group also reads
   * every ack (not shared): another process's ack says the store moved past a gap this one waits on.
   */
  private topics(): string[] {
    const group = this.settings.sharedGroup;
    if (!group) return [allDevicesTopic('records'), allDevicesTopic('status')];
    return [sharedSubscription(group, 'records'), sharedSubscription(group, 'status'), allDevicesTopic('acks')];
  }

  stats(): IngestStats {
    const s = copyIngestStats(this.counters);
    s.queued = this.queuedRecords;
    s.held = [...this.chains.values()].reduce((n, c) => n + c.heldCount(), 0);
    s.verifiedInWorkers = this.trusted.reused;
    s.verifiedInline = this.trusted.verified;
    return s;
  }

  onAccepted(hook: AcceptedHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  onIntegrity(hook: IntegrityHook): () => void {
    this.integrityHooks.add(hook);
    return () => this.integrityHooks.delete(hook);
  }

  setKeyring(keyring: Keyring): void {
    this.ctx.keyring = keyring;
    this.pool?.setKeyring(keyring);
  }

  async reloadKeyring(): Promise<void> {
    this.setKeyring(await this.store.keyring());
  }

  async drain(): Promise<void> {
    // Linking may add refusals and commits may add forks to quarantine: repeat until nothing moves.
    for (;;) {
      while (this.running) await this.running;
      if (this.dispatchScheduled) await yieldToIo();
      await this.commit();
      if (!this.running && this.queue.length === 0 && isEmpty(this.pending)) return;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const c = this.client;
    c.removeListener('message', this.onMessage);
    if (this.originalHandleMessage) c.handleMessage = this.originalHandleMessage;
    for (const resume of this.paused.splice(0)) resume();
    clearInterval(this.reloadTimer);
    for (const t of this.gapTimers.values()) clearTimeout(t);
    this.gapTimers.clear();
    try {
      await this.drain();
    } catch (err) {
      this.log.error({ err }, 'final commit failed');
    }
    clearTimeout(this.batchTimer);
    await this.pool?.close();
    // No unsubscribe: with a persistent session the broker should keep queueing for the next start.
    // What arrives until the caller ends the client is dropped unacknowledged, and resent by devices.
    this.log.info('ingest closed');
  }

  // ---- Receiving ----

  private readonly onMessage = (topic: string, payload: Buffer): void => {
    if (this.closed) return;
    try {
      this.receive(topic, payload);
    } catch (err) {
      // A bug must not take ingest down with it; the device resends what was not acknowledged.
      this.log.error({ topic: topic.slice(0, 160), err }, 'message handling failed');
    }
  };

  private receive(topic: string, payload: Uint8Array): void {
    const receivedAt = new Date(this.now()).toISOString();
    const where = parseDeviceTopic(topic);
    if (where?.kind === 'acks' && this.settings.sharedGroup) {
      this.receivePeerAck(where.device, payload);
      return;
    }
    if (!where || (where.kind !== 'records' && where.kind !== 'status')) {
      this.refuse({ receivedAt, topic, code: 'WRONG_TOPIC', message: 'not a device records or status topic', payload, payloadBytes: payload.length });
      return;
    }
    if (where.kind === 'status') {
      this.receiveStatus(where.device, topic, payload, receivedAt);
      return;
    }
    this.counters.messages++;
    const read = readRecordsPayload(payload, this.settings.maxPayloadBytes);
    for (const r of read.refused) {
      this.refuse({ receivedAt, topic, code: r.code, message: r.message, device: where.device, payload: r.payload, payloadBytes: r.payloadBytes });
      this.problem({ device: where.device, code: r.code, message: r.message, at: receivedAt });
    }
    if (read.envelopes.length === 0) return;
    this.counters.received += read.envelopes.length;
    const task: Extract<Task, { kind: 'records' }> = { kind: 'records', topic, device: where.device, receivedAt, envelopes: read.envelopes };
    this.queuedRecords += read.envelopes.length;
    const rate = this.arrivals.add(read.envelopes.length, performance.now());
    if (this.pool && this.pool.alive > 0 && rate >= this.settings.workerThreshold) {
      task.checks = new Promise((resolve) => this.toDispatch.push({ task, resolve }));
      if (!this.dispatchScheduled) {
        this.dispatchScheduled = true;
        setImmediate(() => this.dispatch());
      }
    }
    this.enqueue(task);
  }

  private receiveStatus(device: string, topic: string, payload: Uint8Array, receivedAt: string): void {
    this.counters.statusMessages++;
    const text = payload.length <= 4096 ? fromUtf8(payload) : undefined;
    const status = text === undefined ? undefined : parseStatus(text);
    if (!status) {
      this.refuse({ receivedAt, topic, code: 'MALFORMED_STATUS', message: 'not a v1 status message', device, payload, payloadBytes: payload.length });
      return;
    }
    // Anyone can publish on an unauthenticated broker: keep rows for provisioned devices only.
    if (!this.ctx.keyring.devices.has(device)) {
      this.counters.statusIgnored++;
      return;
    }
    this.store
      .upsertDeviceStatus(device, {
        state: status.state,
        stateAt: receivedAt,
        lastSeenAt: receivedAt,
        ...(status.agent !== undefined ? { agent: status.agent } : {}),
        ...(status.backlog !== undefined ? { backlog: status.backlog } : {}),
      })
      .catch((err: unknown) => this.log.warn({ device, err }, 'device status not stored'));
  }

  /** An ack from any server process: if it covers a gap this one waits on, look at the store now. */
  private receivePeerAck(device: string, payload: Uint8Array): void {
    const chain = this.chains.get(device);
    if (!chain?.gap) return;
    const text = payload.length <= 512 ? fromUtf8(payload) : undefined;
    const ack = text === undefined ? undefined : parseAck(text);
    if (!ack || ack.seq < chain.gap.from) return;
    this.enqueue({ kind: 'control', run: () => this.checkGap(device) });
  }

  /** Sends waiting records to the workers, several messages' worth per worker message. */
  private dispatch(): void {
    this.dispatchScheduled = false;
    const items = this.toDispatch.splice(0);
    for (let i = 0; i < items.length; ) {
      const chunk: typeof items = [];
      let lines = 0;
      while (i < items.length && (chunk.length === 0 || lines + items[i]!.task.envelopes.length <= WORKER_CHUNK)) {
        lines += items[i]!.task.envelopes.length;
        chunk.push(items[i++]!);
      }
      const all = chunk.flatMap((c) => c.task.envelopes.map((e) => e.line));
      const endTimer = this.timings.verify.startTimer({ where: 'workers' });
      const checked = this.pool ? this.pool.check(all) : Promise.reject(new Error('no pool'));
      checked.then(
        (checks) => {
          endTimer();
          let at = 0;
          for (const c of chunk) {
            c.resolve(checks.slice(at, at + c.task.envelopes.length));
            at += c.task.envelopes.length;
          }
        },
        (err: unknown) => {
          if (!this.workerFailureLogged) this.log.warn({ err }, 'verification workers failed; verifying on the main thread');
          this.workerFailureLogged = true;
          for (const c of chunk) c.resolve(undefined);
        },
      );
    }
  }

  private enqueue(task: Task): void {
    this.queue.push(task);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // A task queued while the loop was finishing would otherwise wait for the next message.
      if (this.queue.length > 0 && !this.closed) this.enqueue({ kind: 'control', run: async () => {} });
    });
  }

  // ---- Linking, in arrival order ----

  private async run(): Promise<void> {
    let done = 0;
    for (let task = this.queue.shift(); task; task = this.queue.shift()) {
      try {
        if (task.kind === 'control') await task.run();
        else await this.link(task);
      } catch (err) {
        this.log.error({ err }, 'linking failed');
      }
      if (task.kind === 'records') this.queuedRecords -= task.envelopes.length;
      this.resumeDeliveries();
      if (sizeOf(this.pending) >= this.settings.batchMaxRecords) await this.commit();
      else this.scheduleCommit();
      if (++done % YIELD_EVERY === 0) await yieldToIo();
    }
  }

  private async link(task: Extract<Task, { kind: 'records' }>): Promise<void> {
    const checks = task.checks ? await task.checks : undefined;
    for (const [i, envelope] of task.envelopes.entries()) {
      const check = checks?.[i] ?? undefined;
      const peek = check ? check.peek : peekRecord(envelope.signed.bytes);
      if (!peek.ok) {
        this.refuseLine(task, envelope, peek.error.code, peek.error.message, peek.error.device ?? task.device, peek.error.seq);
        continue;
      }
      if (peek.device !== task.device) {
        const message = `a record of device ${peek.device} arrived on the topic of device ${task.device}`;
        this.refuseLine(task, envelope, 'TOPIC_MISMATCH', message, task.device);
        continue;
      }
      const arrival: Arrival = { ...envelope, topic: task.topic, receivedAt: task.receivedAt, seq: peek.seq };
      if (!this.ctx.keyring.devices.has(peek.device)) {
        // No chain for strangers (an open broker could name a million): verification says why.
        const verified = verifyRecord(envelope.signed, this.ctx);
        if (!verified.ok) {
          this.refuseArrival(arrival, verified.error);
          continue;
        }
      }
      const chain = await this.chainOf(peek.device);
      const step = chain.push(arrival, this.trusted, check?.signature);
      if (step.duplicate === 'accepted') this.wantReceipt(peek.device, arrival.seq);
      await this.settle(chain, step);
      this.watchGap(chain);
    }
  }

  private async chainOf(device: string): Promise<DeviceChain> {
    let chain = this.poisoned.has(device) ? undefined : this.chains.get(device);
    if (!chain) {
      // Seeded from the store on first sight, so a restart or another process's work is picked up.
      const head = await this.store.headOf(device);
      chain = new DeviceChain(device, this.ctx, head, this.settings.maxHeldPerDevice);
      this.poisoned.delete(device);
      this.chains.set(device, chain);
      const timer = this.gapTimers.get(device);
      if (timer) clearTimeout(timer);
      this.gapTimers.delete(device);
    }
    return chain;
  }

  /** Takes a chain step's outcome into the pending batch. */
  private async settle(chain: DeviceChain, step: ChainStep): Promise<void> {
    const { device } = chain;
    for (const { record, arrival } of step.accepted) {
      const event = { type: record.record.type, body: record.record.body } as CustodyEvent;
      const tags = tagsOfEvent(event);
      this.pending.records.push({
        device,
        seq: record.record.seq,
        hash: record.hash,
        prev: record.record.prev,
        kid: record.record.kid,
        deviceTime: record.record.time,
        receivedAt: arrival.receivedAt,
        type: record.record.type,
        bytes: record.bytes,
        signature: record.signature,
        body: record.record.body,
        tags,
      });
      this.pending.accepted.push({ ...record, receivedAt: arrival.receivedAt, tags });
      this.pending.ack.add(device);
      this.wantReceipt(device, record.record.seq);
      this.pending.seen.set(device, arrival.receivedAt);
      this.uncommitted.set(`${device}\n${record.record.seq}`, record.hash);
    }
    for (const { error, arrival } of step.refused) {
      if (arrival) {
        this.refuseArrival(arrival, error);
      } else {
        // SEQUENCE_GAP: nothing to quarantine, the records never came.
        this.counters.gapsGivenUp++;
        this.problem({ device, code: error.code, message: error.message, ...(error.seq !== undefined ? { seq: error.seq } : {}), at: this.isoNow() });
      }
    }
    if (step.duplicate) {
      this.counters.duplicates++;
      // A resend of an accepted record: the device missed our ack, so it gets one (after the commit).
      if (step.duplicate === 'accepted') this.pending.ack.add(device);
    }
    if (step.behind) await this.settleBehind(chain, step.behind.arrival, step.behind.error);
  }

  private wantReceipt(device: string, seq: number): void {
    let seqs = this.pending.receipts.get(device);
    if (!seqs) this.pending.receipts.set(device, (seqs = new Set()));
    seqs.add(seq);
  }

  /** A record behind the chain's window: the store tells a resend from a fork. */
  private async settleBehind(chain: DeviceChain, arrival: Arrival, error: RecordError): Promise<void> {
    const key = `${chain.device}\n${arrival.seq}`;
    const known = this.uncommitted.get(key) ?? (await this.store.recordAt(chain.device, arrival.seq))?.hash;
    const hash = recordHash(arrival.signed.bytes);
    if (known === hash) {
      this.counters.duplicates++;
      this.pending.ack.add(chain.device);
      this.wantReceipt(chain.device, arrival.seq);
    } else if (known !== undefined) {
      this.refuseArrival(arrival, { code: 'FORK', message: `a different record is stored at seq ${arrival.seq}: the chain forks`, device: chain.device, seq: arrival.seq });
    } else {
      // Behind the head yet never stored: it belongs to a gap that was given up.
      this.refuseArrival(arrival, error);
    }
  }

  // ---- Gaps ----

  /** After a push: asks for what is missing, and starts (or stops) the gap's clock. */
  private watchGap(chain: DeviceChain): void {
    const missing = chain.missing();
    if (!missing) {
      if (chain.gap) {
        chain.gap = undefined;
        clearTimeout(this.gapTimers.get(chain.device));
        this.gapTimers.delete(chain.device);
      }
      return;
    }
    if (!chain.gap) {
      chain.gap = { ...missing, since: this.now() };
      // In a group the missing records may be in the store already (another process took them).
      this.scheduleGapCheck(chain.device, this.settings.sharedGroup ? 0 : this.gapCheckDelay(chain));
    } else {
      chain.gap.from = missing.from;
      chain.gap.to = missing.to;
    }
    // In a group, the gap is most often another process's share: ask the device only once the store
    // has been looked at (checkGap).
    if (!this.settings.sharedGroup) this.askForGap(chain);
  }

  private askForGap(chain: DeviceChain): void {
    const gap = chain.gap;
    if (!gap) return;
    // One request per gap: a device already resending 5..9 is not asked again when 5 arrives.
    if (gap.requested && gap.requested.from <= gap.from && gap.to <= gap.requested.to) return;
    gap.requested = { from: gap.from, to: gap.to };
    this.requestResend(chain.device, gap.from, gap.to);
  }

  private gapCheckDelay(chain: DeviceChain): number {
    const left = Math.max(0, (chain.gap?.since ?? this.now()) + this.settings.gapTimeoutMs - this.now());
    return this.settings.sharedGroup ? Math.min(left, this.settings.gapRecheckMs) : left;
  }

  private scheduleGapCheck(device: string, delayMs: number): void {
    clearTimeout(this.gapTimers.get(device));
    const timer = setTimeout(() => {
      this.gapTimers.delete(device);
      if (!this.closed) this.enqueue({ kind: 'control', run: () => this.checkGap(device) });
    }, delayMs);
    this.gapTimers.set(device, timer);
  }

  private async checkGap(device: string): Promise<void> {
    const chain = this.chains.get(device);
    if (this.closed || !chain?.gap) return;
    if (this.settings.sharedGroup) {
      // Another process may have stored the missing records: continue from the store's head.
      const stored = await this.store.headOf(device);
      if (stored && stored.seq > (chain.head()?.seq ?? 0)) {
        // Progress: whatever gap is left now gets a fresh clock.
        this.counters.resyncs++;
        chain.gap = undefined;
        for (const step of chain.resync(stored, this.trusted)) await this.settle(chain, step);
        this.watchGap(chain);
      }
    }
    if (!chain.gap) return;
    if (this.settings.sharedGroup && this.now() - chain.gap.since >= this.settings.gapRecheckMs) this.askForGap(chain);
    if (this.now() - chain.gap.since < this.settings.gapTimeoutMs) {
      this.scheduleGapCheck(device, this.gapCheckDelay(chain));
      return;
    }
    chain.gap = undefined;
    await this.settle(chain, chain.giveUpGap());
    this.watchGap(chain);
  }

  private requestResend(device: string, from: number, to?: number): void {
    const command: CommandMessage = { v: 1, type: 'resend', from, ...(to !== undefined ? { to } : {}) };
    this.counters.resendsRequested++;
    this.client.publish(deviceTopic(device, 'commands'), JSON.stringify(command), { qos: 1 }, (err) => {
      if (err) this.log.warn({ device, err }, 'resend request not sent');
    });
  }

  // ---- Refusals and integrity problems ----

  private refuseLine(task: Extract<Task, { kind: 'records' }>, e: EnvelopeLine, code: QuarantineCode, message: string, device: string, seq?: number): void {
    const payload = utf8(e.line);
    this.refuse({ receivedAt: task.receivedAt, topic: task.topic, code, message, device, ...(seq !== undefined ? { seq } : {}), payload, payloadBytes: payload.length });
    this.problem({ device: task.device, code, message, ...(seq !== undefined ? { seq } : {}), at: task.receivedAt });
  }

  private refuseArrival(a: Arrival, error: RecordError): void {
    const payload = utf8(a.line);
    const device = error.device ?? parseDeviceTopic(a.topic)?.device;
    this.refuse({
      receivedAt: a.receivedAt,
      topic: a.topic,
      code: error.code,
      message: error.message,
      ...(device !== undefined ? { device } : {}),
      seq: error.seq ?? a.seq,
      payload,
      payloadBytes: payload.length,
    });
    if (device !== undefined) this.problem({ device, code: error.code, message: error.message, seq: error.seq ?? a.seq, hash: recordHash(a.signed.bytes), at: a.receivedAt });
  }

  private refuse(entry: NewQuarantineEntry): void {
    this.counters.quarantined[entry.code] = (this.counters.quarantined[entry.code] ?? 0) + 1;
    this.log.info({ device: entry.device, seq: entry.seq, code: entry.code, reason: entry.message, topic: entry.topic?.slice(0, 160) }, 'quarantined');
    this.pending.quarantine.push(entry);
    this.scheduleCommit();
  }

  private problem(p: IntegrityProblem): void {
    this.pending.problems.set(integrityDedupeKey(p.device, p.code), p);
  }

  // ---- Group commit ----

  private scheduleCommit(): void {
    if (this.batchTimer || isEmpty(this.pending)) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      void this.commit();
    }, this.settings.batchMs);
  }

  /** Commits what is pending; commits run one after another, each taking what was pending when it starts. */
  private commit(): Promise<void> {
    this.committing = this.committing
      .then(() => this.commitPending())
      .catch((err: unknown) => this.log.error({ err }, 'commit failed'));
    return this.committing;
  }

  private async commitPending(): Promise<void> {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (isEmpty(this.pending)) return;
    const batch = this.pending;
    this.pending = emptyPending();

    // Acks name each device's chain head now: every record up to it is in this batch or committed.
    const acks: DeviceAck[] = [];
    for (const device of batch.ack) {
      const head = this.poisoned.has(device) ? undefined : this.chains.get(device)?.head();
      if (head) acks.push({ device, seq: head.seq, hash: head.hash });
    }
    const started = performance.now();
    let outcome;
    try {
      outcome = await this.store.appendRecords({
        records: batch.records,
        quarantine: batch.quarantine,
        acks,
        seen: [...batch.seen].map(([device, at]) => ({ device, at })),
      });
    } catch (err) {
      await this.commitFailed(batch, err);
      return;
    }
    this.timings.commit.observe((performance.now() - started) / 1000);
    this.counters.batches++;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.records.length);
    this.counters.accepted += outcome.stored;
    this.counters.duplicates += outcome.duplicates.length;
    for (const r of batch.records) this.uncommitted.delete(`${r.device}\n${r.seq}`);

    const notStored = new Set([...outcome.duplicates, ...outcome.conflicts].map((r) => `${r.device}\n${r.seq}`));
    const forked = new Set(outcome.conflicts.map((r) => `${r.device}\n${r.seq}`));
    const receipts = await this.receiptsOf(outcome.acks, batch.receipts, forked, outcome.leaves);
    for (const ack of outcome.acks) {
      const chain = this.chains.get(ack.device);
      if (chain) chain.committed = { seq: ack.seq, hash: ack.hash };
      this.publishAck(ack, receipts.get(ack.device));
    }
    for (const c of outcome.conflicts) {
      // Another process stored a different record at this seq: a fork, found at commit time.
      const r = batch.records.find((x) => x.device === c.device && x.seq === c.seq)!;
      const message = `a different record (${c.storedHash.slice(0, 16)}...) is stored at seq ${c.seq}: the chain forks`;
      this.refuse({ receivedAt: r.receivedAt, code: 'FORK', message, device: c.device, seq: c.seq, payload: r.bytes, payloadBytes: r.bytes.length });
      this.problem({ device: c.device, code: 'FORK', message, seq: c.seq, at: r.receivedAt });
      this.poisoned.add(c.device);
    }
    if (outcome.conflicts.length > 0) this.scheduleCommit();

    await this.raiseAlerts(batch.problems);
    const stored = batch.accepted.filter((r) => !notStored.has(`${r.record.device}\n${r.record.seq}`));
    if (stored.length > 0) await this.runHooks(stored);
  }

  private async commitFailed(batch: Pending, err: unknown): Promise<void> {
    this.counters.commitFailures++;
    const devices = new Set(batch.records.map((r) => r.device));
    this.log.error({ records: batch.records.length, devices: devices.size, err }, 'group commit failed; the devices will be asked to resend');
    for (const r of batch.records) this.uncommitted.delete(`${r.device}\n${r.seq}`);
    // Records of these devices linked since (pending now) continue the chain past the failed ones: storing
    // them would leave a hole in the store that a later ack would cover. They come again with the resend.
    const failed = (device: string) => devices.has(device);
    for (const r of this.pending.records) if (failed(r.device)) this.uncommitted.delete(`${r.device}\n${r.seq}`);
    this.pending.records = this.pending.records.filter((r) => !failed(r.device));
    this.pending.accepted = this.pending.accepted.filter((r) => !failed(r.record.device));
    for (const device of devices) {
      this.pending.ack.delete(device);
      this.pending.receipts.delete(device);
      // The chain ran ahead of the store: rebuild it from the store, and ask for everything after.
      this.poisoned.add(device);
    }
    for (const device of devices) {
      const head = await this.store.headOf(device).catch(() => undefined);
      this.requestResend(device, (head?.seq ?? 0) + 1);
    }
  }

  /**
   * Each acknowledged device's leaf ranges: the seqs it sent in this batch that the ack covers. The commit
   * returned the leaves it appended; only the others (resends of records stored before, or stored by another
   * process) are read from the store.
   */
  private async receiptsOf(
    acks: readonly DeviceAck[],
    wanted: Map<string, Set<number>>,
    forked: Set<string>,
    appended: AppendOutcome['leaves'],
  ): Promise<Map<string, ReceiptRange[]>> {
    const records = acks.flatMap((ack) => [...(wanted.get(ack.device) ?? [])].filter((seq) => seq <= ack.seq && !forked.has(`${ack.device}\n${seq}`)).map((seq) => ({ device: ack.device, seq })));
    const out = new Map<string, ReceiptRange[]>();
    if (records.length === 0) return out;
    const known = new Map(appended.map((l) => [`${l.device}\n${l.seq}`, l.index]));
    let indexes = records.map((r) => known.get(`${r.device}\n${r.seq}`));
    const missing = records.filter((_, i) => indexes[i] === undefined);
    if (missing.length > 0) {
      try {
        const read = await this.store.logIndexes(missing);
        let k = 0;
        indexes = indexes.map((index) => index ?? read[k++]);
      } catch (err) {
        // The acks go out without receipts: they are an addition, and the records are stored either way.
        this.log.warn({ err }, 'leaf indexes not read: acks go out without receipts');
        return out;
      }
    }
    const pairs = new Map<string, Array<{ seq: number; index: number }>>();
    records.forEach((r, i) => {
      const index = indexes[i];
      if (index === undefined) return;
      let list = pairs.get(r.device);
      if (!list) pairs.set(r.device, (list = []));
      list.push({ seq: r.seq, index });
    });
    for (const [device, list] of pairs) out.set(device, receiptRanges(list));
    return out;
  }

  private publishAck(ack: DeviceAck, leaves?: ReceiptRange[]): void {
    const message: AckMessage = { v: 1, seq: ack.seq, hash: ack.hash, ...(leaves && leaves.length > 0 ? { leaves } : {}) };
    this.counters.acksPublished++;
    this.client.publish(deviceTopic(ack.device, 'acks'), JSON.stringify(message), { qos: 1, retain: true }, (err) => {
      if (err) this.log.warn({ device: ack.device, err }, 'ack not published');
    });
  }

  private async republishAcks(): Promise<void> {
    for (const s of await this.store.deviceStatuses()) {
      if (s.ackedSeq !== null && s.ackedHash !== null) this.publishAck({ device: s.device, seq: s.ackedSeq, hash: s.ackedHash });
    }
  }

  private async raiseAlerts(problems: Map<string, IntegrityProblem>): Promise<void> {
    if (problems.size === 0) return;
    try {
      const found: IntegrityFinding[] = [];
      for (const p of problems.values()) {
        const institution = this.ctx.keyring.devices.get(p.device)?.institution;
        const jurisdiction = institution === undefined ? undefined : await this.jurisdictionOf(institution);
        found.push(integrityFinding(p, { institution, jurisdiction }));
      }
      if (this.integrityHooks.size === 0) await fileIntegrityFindings(this.store, found, this.now());
      else for (const hook of this.integrityHooks) await hook(found);
      this.counters.integrityAlerts += found.length;
    } catch (err) {
      this.log.error({ problems: [...problems.keys()], err }, 'integrity alerts not stored');
    }
  }

  private async jurisdictionOf(institution: string): Promise<string | undefined> {
    if (!this.institutionJurisdiction.has(institution)) {
      this.institutionJurisdiction.set(institution, (await this.store.institution(institution))?.jurisdiction);
    }
    return this.institutionJurisdiction.get(institution);
  }

  private async runHooks(records: AcceptedRecord[]): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook(records);
      } catch (err) {
        this.log.error({ err }, 'onAccepted hook failed');
      }
    }
  }

  private resumeDeliveries(): void {
    if (this.paused.length === 0 || this.queuedRecords >= this.settings.maxQueuedRecords / 2) return;
    for (const resume of this.paused.splice(0)) resume();
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}

function sizeOf(p: Pending): number {
  return p.records.length + p.quarantine.length;
}

function isEmpty(p: Pending): boolean {
  return sizeOf(p) === 0 && p.ack.size === 0 && p.problems.size === 0;
}
