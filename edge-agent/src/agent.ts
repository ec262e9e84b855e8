/**
 * The composition root: builds the outbox, the station workflow, the devices, the uplink, heartbeats
 * and the kiosk from one configuration, and wires them together. Device events become station inputs;
 * the workflow's `commit` effect becomes one outbox transaction, then a nudge to the uplink.
 */
import { dirname, join } from 'node:path';
import { formatDeviceTime, fromUtf8, type ClimateSample, type CustodyEvent, type Ed25519Signer, type TagId } from '@wastetrail/firmware-protocol';
import { createMetricsRegistry, createRootLogger, serveMetrics, type Logger, type MetricsListener, type Registry } from '@wastetrail/runtime';
import type { AgentConfig } from './config/config.ts';
import { ClimateSensor } from './devices/climate-sensor.ts';
import { QrScanner } from './devices/qr-scanner.ts';
import { RfidReader } from './devices/rfid-reader.ts';
import { ScaleDevice, type WeightEvent } from './devices/scale.ts';
import type { PortFactory } from './devices/serial-link.ts';
import { loadDeviceSigner } from './keys/device-key.ts';
import { startKiosk, type Kiosk } from './kiosk/server.ts';
import type { KioskSnapshot, RecordSummary } from './kiosk/view.ts';
import { registerAgentMetrics } from './metrics.ts';
import { Outbox, type OutboxRecord } from './outbox/outbox.ts';
import { qrInput } from './station/qr-input.ts';
import { DETAILS_OF_MODE, StationWorkflow, type StationInput, type StationState } from './station/workflow.ts';
import { Uplink, type UplinkStatus } from './uplink/uplink.ts';
import { LogWitness } from './witness/witness.ts';

export const AGENT_NAME = 'wastetrail-edge/0.1.0';
/** How long a notice (a refusal, "sealed") stays on the kiosk. */
const NOTICE_SHOW_MS = 30_000;
export const OUTBOX_FILE = 'outbox.sqlite';

export interface AgentDeps {
  /** The root logger; default: one from config.log. Every line gets the device id. */
  logger?: Logger;
  /** Where the agent's metrics go; default: a registry of its own with the process metrics. */
  registry?: Registry;
  /** The device key; default: read from config.keyFile. */
  signer?: Ed25519Signer;
  /** Serial ports (tests: a mock binding); default: the real serialport binding. */
  createPort?: PortFactory;
  /** Wall clock (record times, tokens), ms since the epoch. */
  wallClock?: () => number;
  /** Monotonic clock (timeouts, stability), ms. */
  monotonic?: () => number;
}

export interface Agent {
  readonly config: AgentConfig;
  readonly outbox: Outbox;
  readonly uplink: Uplink;
  /** http://127.0.0.1:PORT/ when the kiosk is enabled. */
  readonly kioskUrl: string | undefined;
  /** The agent's metrics (outbox depth, oldest unacknowledged record, uplink, devices). */
  readonly metrics: Registry;
  /** http://HOST:PORT/metrics when config.metrics is set. */
  readonly metricsUrl: string | undefined;
  readonly station: StationState;
  /** The device shells, for diagnostics (line counters, connection state). */
  readonly devices: { scale: ScaleDevice; reader: RfidReader; qr?: QrScanner; climate?: ClimateSensor };
  snapshot(): KioskSnapshot;
  /** Feeds one station input (operator commands come this way from the kiosk). */
  input(input: StationInput): void;
  /** Writes a heartbeat record now. */
  heartbeat(): OutboxRecord;
  /** Signs the climate readings not yet in a record now (storage stations with a sensor); undefined when there are none. */
  flushClimate(): OutboxRecord | undefined;
  stop(): Promise<void>;
}

export function outboxPath(config: AgentConfig): string {
  return join(config.dataDir, OUTBOX_FILE);
}

export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<Agent> {
  if (config.station.role === 'vehicle') throw new Error('a vehicle station runs with startVehicleAgent (src/vehicle/agent.ts)');
  const ctx = openStationContext(config, deps);
  try {
    return await runStation(config, deps, ctx);
  } catch (e) {
    ctx.outbox.close();
    throw e;
  }
}

/** The logger, clocks, key and outbox every kind of station starts from. */
export function openStationContext(config: AgentConfig, deps: AgentDeps): StationContext {
  const root = deps.logger ?? createRootLogger(config.log, { name: 'wastetrail-edge', ...(config.file ? { baseDir: dirname(config.file) } : {}) });
  const log = root.child({ device: config.deviceId });
  const wall = deps.wallClock ?? Date.now;
  const mono = deps.monotonic ?? (() => performance.now());
  const startedAt = mono();
  const signer = deps.signer ?? loadDeviceSigner(config.keyFile, (m) => log.warn(m));
  const outbox = new Outbox(outboxPath(config), { deviceId: config.deviceId, signer, clock: wall });
  return { log, wall, mono, startedAt, signer, outbox };
}

export interface StationContext {
  log: Logger;
  wall: () => number;
  mono: () => number;
  startedAt: number;
  signer: Ed25519Signer;
  outbox: Outbox;
}

/** Builds and starts everything around an open outbox; the caller closes the outbox if this throws. */
async function runStation(config: AgentConfig, deps: AgentDeps, ctx: StationContext): Promise<Agent> {
  const { log, wall, mono, startedAt, outbox } = ctx;
  // resolveConfig requires the serial devices of every custody role.
  const serial = config.serial!;
  const head = outbox.head();
  const outboxLog = log.child({ component: 'outbox' });
  outboxLog.info({ file: outbox.file, head: head.seq, acked: outbox.ackedSeq() }, 'outbox open');
  outbox.setMeta('agent_pid', String(process.pid));

  const known = config.badges.known ? new Map(config.badges.known.map((b) => [b.id, { ...(b.name ? { name: b.name } : {}), ...(b.roles ? { roles: b.roles } : {}) }])) : undefined;
  const workflow = new StationWorkflow({
    role: config.station.role,
    mode: config.station.mode,
    ...(config.department ? { department: config.department } : {}),
    ...(config.site ? { room: config.site } : {}),
    defaults: {
      ...(config.pickup ? { vehicle: config.pickup.vehicle, ...(config.pickup.manifest ? { manifest: config.pickup.manifest } : {}) } : {}),
      method: config.disposal.method,
    },
    ...(known ? { knownBadges: known, refuseUnknownBadges: config.badges.refuseUnknown } : {}),
    stepTimeoutMs: config.station.stepTimeoutSeconds * 1000,
    weighTimeoutMs: config.station.weighTimeoutSeconds * 1000,
    minGrams: config.station.minGrams,
    maxBags: config.station.maxBags,
  });
  let station = workflow.initial();
  let scaleView: WeightEvent = { stable: false, state: 'offline' };
  let kiosk: Kiosk | undefined;
  let stopped = false;

  const stationLog = log.child({ component: 'station' });
  const feed = (input: StationInput): void => {
    if (stopped) return;
    const before = station;
    const out = workflow.next(station, input, mono());
    station = out.state;
    if (station.notice && station.notice !== before.notice && station.notice.level === 'refusal') {
      stationLog.info({ code: station.notice.code, ...station.notice.params }, 'refused');
    }
    for (const effect of out.effects) commit(effect.event);
    if (station !== before) kiosk?.changed();
  };
  const commit = (event: CustodyEvent): void => {
    let seq: number;
    try {
      seq = outbox.append(event).seq;
    } catch (e) {
      outboxLog.error({ type: event.type, err: e }, 'could not commit the record; nothing was written');
      return feed({ kind: 'commit-failed', reason: e instanceof Error ? e.message : String(e) });
    }
    outboxLog.info({ seq, type: event.type }, 'record committed');
    feed({ kind: 'committed', seq });
    uplink.notify();
  };

  const uplink = createUplink(config, ctx, () => stopped, () => kiosk?.changed());

  const history = (tagId: TagId) => outbox.tagHistory(tagId);
  const scale = new ScaleDevice({
    config: serial.scale,
    stability: config.stability,
    logger: log.child({ component: 'scale' }),
    now: mono,
    ...(deps.createPort ? { createPort: deps.createPort } : {}),
    onWeight: (w) => {
      const changed = w.grams !== scaleView.grams || w.stable !== scaleView.stable;
      scaleView = w;
      feed({ kind: 'weight', ...(w.grams !== undefined ? { grams: w.grams } : {}), stable: w.stable });
      if (changed) kiosk?.changed();
    },
    onState: () => kiosk?.changed(),
  });
  const reader = new RfidReader({
    config: serial.rfid,
    convention: config.badges.convention,
    logger: log.child({ component: 'rfid' }),
    now: mono,
    ...(deps.createPort ? { createPort: deps.createPort } : {}),
    onTag: (tagId) => feed({ kind: 'tag', tagId, source: 'rfid', history: history(tagId) }),
    onTagLost: (tagId) => feed({ kind: 'tag-lost', tagId }),
    onBadge: (badgeId) => feed({ kind: 'badge', badgeId }),
    onState: () => kiosk?.changed(),
  });
  const qr = serial.qr
    ? new QrScanner({
        config: serial.qr,
        logger: log.child({ component: 'qr' }),
        ...(deps.createPort ? { createPort: deps.createPort } : {}),
        onScan: (payload) => feed(qrInput(payload, history)),
      })
    : undefined;

  // Readings are signed in batches (serial.climate.samplesPerRecord); a failed poll is counted in the
  // batch, so the record shows the gap. Only the batch still in memory is lost if the process dies.
  const climateConfig = serial.climate;
  const climateLog = log.child({ component: 'climate' });
  let climateBatch: { samples: ClimateSample[]; failed: number } = { samples: [], failed: 0 };
  const flushClimate = (): OutboxRecord | undefined => {
    if (!climateConfig || !config.site || (climateBatch.samples.length === 0 && climateBatch.failed === 0)) return undefined;
    const batch = climateBatch;
    let record: OutboxRecord;
    try {
      record = outbox.append({ type: 'climate', body: { room: config.site, unit: climateConfig.unit, samples: batch.samples, failed: batch.failed } });
    } catch (e) {
      // Kept for the next batch: nothing is dropped because the disk was full once.
      climateLog.error({ err: e, samples: batch.samples.length }, 'could not commit the climate record; kept for the next one');
      return undefined;
    }
    climateBatch = { samples: [], failed: 0 };
    outboxLog.info({ seq: record.seq, type: 'climate', samples: batch.samples.length, failed: batch.failed }, 'record committed');
    uplink.notify();
    return record;
  };
  const climateBatchFull = () => {
    if (climateConfig && climateBatch.samples.length + climateBatch.failed >= climateConfig.samplesPerRecord) flushClimate();
  };
  const climate =
    climateConfig && config.site
      ? new ClimateSensor({
          config: climateConfig,
          logger: climateLog,
          wall,
          ...(deps.createPort ? { createPort: deps.createPort } : {}),
          onReading: (r) => {
            climateBatch.samples.push({ time: formatDeviceTime(r.at), temperature: r.temperature, humidity: r.humidity, ...(r.outdoor !== undefined ? { outdoor: r.outdoor } : {}) });
            climateBatchFull();
          },
          onFailure: () => {
            climateBatch.failed++;
            climateBatchFull();
          },
        })
      : undefined;

  const heartbeat = (): OutboxRecord => {
    const record = outbox.append({ type: 'heartbeat', body: { uptime: Math.floor((mono() - startedAt) / 1000), backlog: outbox.backlog() } });
    uplink.notify();
    kiosk?.changed();
    return record;
  };
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setInterval(() => {
      if (station.tx || station.correcting) feed({ kind: 'tick' });
    }, 250),
  );
  if (config.heartbeatMinutes > 0) {
    timers.push(
      setInterval(() => {
        try {
          heartbeat();
        } catch (e) {
          outboxLog.error({ err: e }, 'could not write a heartbeat');
        }
      }, Math.max(1, Math.round(config.heartbeatMinutes * 60_000))),
    );
  }

  // The light witness: audits the server's log on a schedule (docs/protocol/log.md#the-edge-agent-as-a-light-witness).
  const vlog = config.verifiableLog;
  const witnessLog = log.child({ component: 'witness' });
  const witness = vlog ? new LogWitness({ outbox, url: vlog.url, key: vlog.key, logger: witnessLog }) : undefined;
  if (witness && vlog && vlog.auditMinutes > 0) {
    const audit = () => witness.audit().catch((err: unknown) => witnessLog.error({ err }, 'the log audit could not run (outbox)'));
    timers.push(setInterval(() => void audit(), Math.max(1, Math.round(vlog.auditMinutes * 60_000))));
  }

  /** A correction names its target by seq on the kiosk: the outbox gives its hash and type (or nothing). */
  const withCorrectionTarget = (input: Extract<StationInput, { kind: 'correct' }>): StationInput => {
    const r = Number.isSafeInteger(input.seq) && input.seq > 0 ? outbox.range(input.seq, input.seq, 1)[0] : undefined;
    const { target: _, ...rest } = input;
    return r ? { ...rest, target: { device: config.deviceId, seq: r.seq, hash: r.hash, type: r.type } } : rest;
  };

  const summaries = new Map<number, RecordSummary>();
  const snapshot = (): KioskSnapshot => {
    const tx = station.tx;
    return {
      device: { id: config.deviceId, institution: config.institution, ...(config.site ? { site: config.site } : {}), role: config.station.role },
      station: {
        mode: station.mode,
        modes: workflow.modes,
        step: station.step,
        prompt: station.prompt,
        ...(station.notice && mono() - station.notice.at < NOTICE_SHOW_MS ? { notice: station.notice } : {}),
        bags: tx?.bags.map((b) => b.tagId) ?? [],
        ...(tx?.category ? { category: tx.category } : {}),
        badges: tx?.badges ?? [],
        ...(tx?.box ? { box: tx.box } : {}),
        ...(station.correcting ? { correcting: { seq: station.correcting.target.seq, action: station.correcting.action } } : {}),
        details: station.details,
        detailFields: DETAILS_OF_MODE[station.mode],
      },
      scale: { ...(scaleView.grams !== undefined ? { grams: scaleView.grams } : {}), stable: scaleView.stable, state: scaleView.state, connected: scale.connected },
      reader: { connected: reader.connected },
      uplink: uplink.status(),
      lastRecords: outbox.recentCustody(8).map((r) => summarise(r, summaries)),
    };
  };

  const registry = deps.registry ?? createMetricsRegistry();
  registerAgentMetrics(registry, { outbox, uplink, devices: { scale, reader }, wall, ...(witness ? { witness } : {}) });
  let metricsListener: MetricsListener | undefined;
  try {
    if (config.kiosk.enabled) {
      kiosk = await startKiosk({ host: config.kiosk.host, port: config.kiosk.port, language: config.kiosk.language, source: { snapshot, command: (input) => feed(input.kind === 'correct' ? withCorrectionTarget(input) : input) }, logger: log.child({ component: 'kiosk' }) });
    }
    if (config.metrics) {
      metricsListener = await serveMetrics(registry, config.metrics);
      log.info({ url: metricsListener.url }, 'metrics listening');
    }
  } catch (e) {
    for (const t of timers) clearInterval(t);
    await kiosk?.close();
    throw e;
  }
  scale.start();
  reader.start();
  qr?.start();
  climate?.start();
  uplink.start();
  log.info({ role: config.station.role, mode: station.mode }, 'station ready');

  let stopping: Promise<void> | undefined;
  return {
    config,
    outbox,
    uplink,
    kioskUrl: kiosk?.url,
    metrics: registry,
    metricsUrl: metricsListener?.url,
    get station() {
      return station;
    },
    devices: { scale, reader, ...(qr ? { qr } : {}), ...(climate ? { climate } : {}) },
    snapshot,
    input: feed,
    heartbeat,
    flushClimate,
    stop: () =>
      (stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        await metricsListener?.close();
        await Promise.all([scale.close(), reader.close(), qr?.close(), climate?.close()]);
        // The readings of a batch not yet full are signed on the way out, not dropped.
        flushClimate();
        await kiosk?.close();
        await uplink.stop();
        await witness?.idle();
        stopped = true;
        outbox.close();
        log.info('stopped');
      })()),
  };
}

/** The uplink of a station, persisting its connection state for `wastetrail-edge status`. */
export function createUplink(config: AgentConfig, ctx: StationContext, stopped: () => boolean, changed: () => void): Uplink {
  const { log, signer, outbox, wall } = ctx;
  const uplinkLog = log.child({ component: 'uplink' });
  let lastPersisted = '';
  return new Uplink({
    deviceId: config.deviceId,
    outbox,
    config: config.mqtt,
    signer,
    logger: uplinkLog,
    agent: AGENT_NAME,
    now: wall,
    onStatus: (s: UplinkStatus) => {
      // For `wastetrail-edge status`: written only when the connection state changes.
      const persisted = JSON.stringify({ state: s.state, since: new Date(s.since).toISOString(), ...(s.lastError ? { lastError: s.lastError } : {}), ...(s.conflict ? { conflict: s.conflict } : {}) });
      if (persisted !== lastPersisted && !stopped()) {
        lastPersisted = persisted;
        try {
          outbox.setMeta('uplink_status', persisted);
        } catch (e) {
          uplinkLog.warn({ err: e }, 'could not record the uplink state');
        }
      }
      changed();
    },
  });
}

function summarise(r: OutboxRecord, cache: Map<number, RecordSummary>): RecordSummary {
  const hit = cache.get(r.seq);
  if (hit) return hit;
  const s: RecordSummary = { seq: r.seq, type: r.type, time: r.time };
  try {
    const body = (JSON.parse(fromUtf8(r.bytes) ?? '{}') as { body?: Record<string, unknown> }).body ?? {};
    const weight = body.weight as { value?: number } | undefined;
    if (typeof weight?.value === 'number') s.grams = weight.value;
    if (Array.isArray(body.bags)) s.count = body.bags.length;
    if (typeof body.category === 'string') s.category = body.category;
  } catch {
    // A summary is a convenience: the record itself is what counts.
  }
  if (cache.size > 1000) cache.clear();
  cache.set(r.seq, s);
  return s;
}
