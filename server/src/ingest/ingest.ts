/**
 * MQTT ingest: reads every device's records (and status) through any MQTT client, verifies them with
 * firmware-protocol's ChainVerifier, stores them in group commits, and only then acknowledges them.
 *
 *   message -> readRecordsPayload -> [verification workers] -> queue -> DeviceChain.push (chain order)
 *           -> pending batch -> store.appendRecords (one transaction) -> acks, alerts, onAccepted hooks
 *
 * This file is the shell: it wires the parts and runs the linking queue. Each part is tested alone:
 * deliveries.ts (subscriptions, backpressure), verify-dispatch.ts (worker dispatch), chain-linker.ts
 * (chain linking), gap-watch.ts (gap timers, resend requests), quarantine.ts (refusals),
 * pending-batch.ts and group-commit.ts (group commit), replies.ts (acks, resends), after-commit.ts
 * (integrity alerts, hooks). docs/server/ingest.md describes the protocol and the settings.
 *
 * Arrival order means nothing (the device resends, a shared subscription splits, Mosquitto may drop):
 * the chain holds records behind a gap and asks the device for the missing ones; (device, seq) makes
 * everything idempotent. Nothing that arrives can crash it: every refusal is quarantined and counted.
 */
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { fromUtf8, parseAck, parseDeviceTopic, parseStatus, type Keyring, type VerifyContext } from '@wastetrail/firmware-protocol';
import { Registry, silentLogger, type Logger } from '@wastetrail/runtime';
import type { CustodyStore } from '../store/index.ts';
import { AfterCommit, type AcceptedHook } from './after-commit.ts';
import { ChainLinker, type RecordsMessage } from './chain-linker.ts';
import { Deliveries, ingestTopics } from './deliveries.ts';
import { GapWatch } from './gap-watch.ts';
import { GroupCommit } from './group-commit.ts';
import type { IntegrityHook } from './integrity.ts';
import { readRecordsPayload } from './payload.ts';
import { payloadRefusal, Quarantine, type Refusal } from './quarantine.ts';
import { TrustedVerdicts } from './record-check.ts';
import { Replies } from './replies.ts';
import { DEFAULT_INGEST_SETTINGS, type IngestSettings } from './settings.ts';
import { copyIngestStats, emptyIngestStats, exposeIngestStats, ingestTimings, type IngestStats } from './stats.ts';
import { VerifyDispatch } from './verify-dispatch.ts';
import { VerifyPool } from './verify-pool.ts';

export type { AcceptedRecord } from './pending-batch.ts';
export type { AcceptedHook } from './after-commit.ts';

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

// ---- The shell ----

/** What waits to be linked, in arrival order: a records message, or a gap check. */
type Task = { kind: 'records'; message: RecordsMessage } | { kind: 'control'; run: () => Promise<void> };

/** Linked tasks between yields to the event loop, so timers and sockets keep running under load. */
const YIELD_EVERY = 64;

class RecordIngest implements Ingest {
  readonly settings: IngestSettings;
  readonly workers: number;
  private readonly client: MqttClient;
  private readonly store: CustodyStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly ctx: VerifyContext;
  private readonly trusted: TrustedVerdicts;
  private readonly pool: VerifyPool | undefined;
  private readonly counters = emptyIngestStats();
  private readonly deliveries: Deliveries;
  private readonly dispatch: VerifyDispatch;
  private readonly replies: Replies;
  private readonly quarantine: Quarantine;
  private readonly after: AfterCommit;
  private readonly batches: GroupCommit;
  private readonly linker: ChainLinker;
  private readonly gaps: GapWatch;

  private queue: Task[] = [];
  private queuedRecords = 0;
  private running: Promise<void> | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: IngestOptions, keyring: Keyring) {
    const settings = (this.settings = resolveIngestSettings(options.settings));
    this.client = options.client;
    const store = (this.store = options.store);
    const log = (this.log = options.logger ?? silentLogger);
    const registry = options.metrics ?? new Registry();
    const timings = ingestTimings(registry);
    exposeIngestStats(registry, () => this.stats());
    const now = (this.now = options.now ?? Date.now);
    const counters = this.counters;
    const trusted = (this.trusted = new TrustedVerdicts((seconds) => timings.verify.observe({ where: 'main' }, seconds)));
    this.ctx = { keyring, ed25519Verify: trusted.verify };
    this.workers = verifyWorkerCount(settings.verifyWorkers);
    this.pool = this.workers > 0 ? new VerifyPool(this.workers, keyring) : undefined;

    this.deliveries = new Deliveries(this.client, settings.maxQueuedRecords, () => this.queuedRecords);
    this.dispatch = new VerifyDispatch({ pool: this.pool, threshold: settings.workerThreshold, log, timeRoundTrip: () => timings.verify.startTimer({ where: 'workers' }) });
    this.replies = new Replies(this.client, counters, log);
    this.after = new AfterCommit({ store, keyring: () => this.ctx.keyring, counters, log, now });
    if (options.onAccepted) this.after.onAccepted(options.onAccepted);
    const refuse = (r: Refusal) => this.quarantine.refuse(r);
    this.batches = new GroupCommit({
      store,
      batchMs: settings.batchMs,
      counters,
      log,
      observeCommit: (seconds) => timings.commit.observe(seconds),
      linker: { ackHead: (d) => this.linker.ackHead(d), committed: (d, h) => this.linker.committed(d, h), poison: (d) => this.linker.poison(d), forget: (r) => this.linker.forget(r) },
      replies: this.replies,
      refuse,
      after: this.after,
    });
    this.quarantine = new Quarantine(counters, log, this.batches);
    this.linker = new ChainLinker({
      store,
      ctx: this.ctx,
      trusted,
      maxHeldPerDevice: settings.maxHeldPerDevice,
      counters,
      batch: this.batches,
      refuse,
      pushed: (chain) => this.gaps.watch(chain),
      rebuilt: (device) => this.gaps.stop(device),
      now,
    });
    this.gaps = new GapWatch({
      settings,
      store,
      counters,
      trusted,
      chains: this.linker,
      resend: (device, from, to) => this.replies.resend(device, from, to),
      enqueue: (run) => {
        if (!this.closed) this.enqueue({ kind: 'control', run });
      },
      now,
    });
  }

  async start(): Promise<void> {
    await this.deliveries.listen(this.onMessage);
    if (this.settings.republishAcks) await this.replies.republish(this.store);
    const topics = ingestTopics(this.settings.sharedGroup);
    await this.deliveries.subscribe(topics);
    if (this.settings.keyringReloadMs > 0) {
      this.reloadTimer = setInterval(() => {
        this.reloadKeyring().catch((err: unknown) => this.log.warn({ err }, 'keyring reload failed'));
      }, this.settings.keyringReloadMs);
      this.reloadTimer.unref();
    }
    this.log.info({ topics, workers: this.workers, batchMs: this.settings.batchMs }, 'ingest started');
  }

  stats(): IngestStats {
    const s = copyIngestStats(this.counters);
    s.queued = this.queuedRecords;
    s.held = this.linker.heldCount();
    s.verifiedInWorkers = this.trusted.reused;
    s.verifiedInline = this.trusted.verified;
    return s;
  }

  onAccepted(hook: AcceptedHook): () => void {
    return this.after.onAccepted(hook);
  }

  onIntegrity(hook: IntegrityHook): () => void {
    return this.after.onIntegrity(hook);
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
      if (this.dispatch.scheduled) await yieldToIo();
      await this.batches.commit();
      if (!this.running && this.queue.length === 0 && this.batches.pending.isEmpty()) return;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.deliveries.close();
    clearInterval(this.reloadTimer);
    this.gaps.close();
    try {
      await this.drain();
    } catch (err) {
      this.log.error({ err }, 'final commit failed');
    }
    this.batches.close();
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
      this.quarantine.refuse({ entry: { receivedAt, topic, code: 'WRONG_TOPIC', message: 'not a device records or status topic', payload, payloadBytes: payload.length } });
      return;
    }
    if (where.kind === 'status') {
      this.receiveStatus(where.device, topic, payload, receivedAt);
      return;
    }
    this.counters.messages++;
    const origin = { topic, device: where.device, receivedAt };
    const read = readRecordsPayload(payload, this.settings.maxPayloadBytes);
    for (const r of read.refused) this.quarantine.refuse(payloadRefusal(origin, r));
    if (read.envelopes.length === 0) return;
    this.counters.received += read.envelopes.length;
    this.queuedRecords += read.envelopes.length;
    const message: RecordsMessage = { ...origin, envelopes: read.envelopes };
    const checks = this.dispatch.checks(read.envelopes);
    if (checks) message.checks = checks;
    this.enqueue({ kind: 'records', message });
  }

  private receiveStatus(device: string, topic: string, payload: Uint8Array, receivedAt: string): void {
    this.counters.statusMessages++;
    const text = payload.length <= 4096 ? fromUtf8(payload) : undefined;
    const status = text === undefined ? undefined : parseStatus(text);
    if (!status) {
      this.quarantine.refuse({ entry: { receivedAt, topic, code: 'MALFORMED_STATUS', message: 'not a v1 status message', device, payload, payloadBytes: payload.length } });
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
    const text = payload.length <= 512 ? fromUtf8(payload) : undefined;
    const ack = text === undefined ? undefined : parseAck(text);
    if (ack) this.gaps.peerAck(device, ack.seq);
  }

  // ---- Linking, in arrival order ----

  private enqueue(task: Task): void {
    this.queue.push(task);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // A task queued while the loop was finishing would otherwise wait for the next message.
      if (this.queue.length > 0 && !this.closed) this.enqueue({ kind: 'control', run: async () => {} });
    });
  }

  private async run(): Promise<void> {
    let done = 0;
    for (let task = this.queue.shift(); task; task = this.queue.shift()) {
      try {
        if (task.kind === 'control') await task.run();
        else await this.linker.link(task.message);
      } catch (err) {
        this.log.error({ err }, 'linking failed');
      }
      if (task.kind === 'records') this.queuedRecords -= task.message.envelopes.length;
      this.deliveries.resume();
      if (this.batches.pending.size >= this.settings.batchMaxRecords) await this.batches.commit();
      else this.batches.schedule();
      if (++done % YIELD_EVERY === 0) await yieldToIo();
    }
  }
}
