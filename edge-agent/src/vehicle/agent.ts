/**
 * The vehicle station's composition root: the GNSS receiver and the cargo I/O module feed the track
 * log, whose records go through the same durable outbox and uplink as any station's. In a tunnel or a
 * dead zone records simply wait in the outbox; nothing is sent live that is not also kept.
 */
import type { CustodyEvent } from '@wastetrail/firmware-protocol';
import { createMetricsRegistry, serveMetrics, type MetricsListener, type Registry } from '@wastetrail/runtime';
import { createUplink, openStationContext, type AgentDeps } from '../agent.ts';
import type { AgentConfig } from '../config/config.ts';
import { CargoIo } from '../devices/cargo-io.ts';
import { GnssReceiver } from '../devices/gnss-receiver.ts';
import { registerAgentMetrics } from '../metrics.ts';
import type { Outbox, OutboxRecord } from '../outbox/outbox.ts';
import type { Uplink } from '../uplink/uplink.ts';
import { TrackLog } from './track-log.ts';

export interface VehicleAgent {
  readonly config: AgentConfig;
  readonly outbox: Outbox;
  readonly uplink: Uplink;
  readonly metrics: Registry;
  readonly metricsUrl: string | undefined;
  /** A vehicle station has no screen. */
  readonly kioskUrl: undefined;
  readonly devices: { gnss: GnssReceiver; cargo?: CargoIo };
  /** Signs the open span now (tests, and on the way out). */
  flush(): void;
  heartbeat(): OutboxRecord;
  stop(): Promise<void>;
}

/** How often the station looks whether a span is due without new fixes. */
const TICK_MS = 1000;

export async function startVehicleAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<VehicleAgent> {
  const v = config.vehicle;
  if (config.station.role !== 'vehicle' || !v) throw new Error('startVehicleAgent needs a vehicle station config (station.role "vehicle" and "vehicle")');
  const ctx = openStationContext(config, deps);
  const { log, mono, startedAt, outbox } = ctx;
  const outboxLog = log.child({ component: 'outbox' });
  outboxLog.info({ file: outbox.file, head: outbox.head().seq, acked: outbox.ackedSeq() }, 'outbox open');
  outbox.setMeta('agent_pid', String(process.pid));

  let stopped = false;
  const uplink = createUplink(config, ctx, () => stopped, () => {});
  const track = new TrackLog({ vehicle: v.plate, trackSeconds: v.trackSeconds, temperatureSeconds: v.temperatureSeconds });
  const commit = (events: CustodyEvent[]): void => {
    if (stopped) return;
    for (const event of events) {
      try {
        const { seq } = outbox.append(event);
        outboxLog.debug({ seq, type: event.type }, 'record committed');
      } catch (e) {
        // The outbox is the station's only memory: a write that fails is an error worth paging about.
        outboxLog.error({ type: event.type, err: e }, 'could not commit the record');
      }
    }
    if (events.length > 0) uplink.notify();
  };

  const gnss = new GnssReceiver({
    line: v.gnss,
    logger: log.child({ component: 'gnss' }),
    ...(deps.createPort ? { createPort: deps.createPort } : {}),
    onFix: (fix) => commit(track.fix(fix, mono())),
    onNoFix: () => track.noFixSecond(mono()),
  });
  const cargo = v.cargo
    ? new CargoIo({
        line: v.cargo,
        logger: log.child({ component: 'cargo' }),
        ...(deps.createPort ? { createPort: deps.createPort } : {}),
        onReading: (r) => commit(track.cargo(r, ctx.wall())),
      })
    : undefined;

  const heartbeat = (): OutboxRecord => {
    const record = outbox.append({ type: 'heartbeat', body: { uptime: Math.floor((mono() - startedAt) / 1000), backlog: outbox.backlog() } });
    uplink.notify();
    return record;
  };
  const timers: NodeJS.Timeout[] = [
    setInterval(() => {
      if (track.due(mono())) commit(track.flush());
    }, TICK_MS),
  ];
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

  const registry = deps.registry ?? createMetricsRegistry();
  registerAgentMetrics(registry, { outbox, uplink, devices: { gnss, ...(cargo ? { cargo } : {}) }, wall: ctx.wall });
  let metricsListener: MetricsListener | undefined;
  try {
    if (config.metrics) metricsListener = await serveMetrics(registry, config.metrics);
  } catch (e) {
    for (const t of timers) clearInterval(t);
    outbox.close();
    throw e;
  }
  gnss.start();
  cargo?.start();
  uplink.start();
  log.info({ role: 'vehicle', plate: v.plate }, 'station ready');

  let stopping: Promise<void> | undefined;
  return {
    config,
    outbox,
    uplink,
    metrics: registry,
    metricsUrl: metricsListener?.url,
    kioskUrl: undefined,
    devices: { gnss, ...(cargo ? { cargo } : {}) },
    flush: () => commit(track.flush()),
    heartbeat,
    stop: () =>
      (stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        await metricsListener?.close();
        await Promise.all([gnss.close(), cargo?.close()]);
        // What the span holds so far is signed, not lost with the process.
        commit(track.flush());
        await uplink.stop();
        stopped = true;
        outbox.close();
        log.info('stopped');
      })()),
  };
}
