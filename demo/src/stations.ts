/**
 * The demo's stations are real edge agents (edge-agent's startAgent), in this process: each with its
 * own outbox under DATA/agents/<device>/, its own key, the simulated scale and reader on its serial
 * ports, and its own MQTT connection to the gateway through a NetworkLink (so an outage can be played).
 * Record times come from the city's accelerated clock (deps.wallClock); timeouts, stability and
 * polling run on real time, as the devices do.
 */
import { join } from 'node:path';
import { parseConfig, startAgent, startVehicleAgent, toStationInput, type Agent, type PortFactory, type VehicleAgent } from '@wastetrail/edge-agent';
import { createRootLogger, Registry, type Logger } from '@wastetrail/runtime';
import type { CityStation, StationFactory, StationSpec } from '@wastetrail/simulators';
import type { StationKey } from './device-keys.ts';
import { NetworkLink } from './network.ts';

export interface EdgeStationContext {
  /** DATA/agents: one folder per device. */
  agentsDir: string;
  broker: { host: string; port: number };
  keys: ReadonlyMap<string, StationKey>;
  /** The city's simulated wall clock. */
  wallClock: () => number;
  /** Simulated ms per real ms: heartbeats and ack timeouts are set in simulated time. */
  speed: number;
  /** An agent's error lines (its message), for the demo's display. */
  onAgentError?: (deviceId: string, message: string) => void;
  /** The running agents, for the incidents that need one (tampering reads an outbox). */
  agents: Map<string, Agent>;
  /** The station whose kiosk page is served (on a free loopback port). */
  kioskFor?: string;
}

/** A heartbeat every 15 simulated minutes: the device-silent rule allows 30. */
const HEARTBEAT_SIM_MINUTES = 15;
/** A climate reading every 10 simulated minutes, three to a record: the climate-silent rule allows 60. */
const CLIMATE_SIM_MINUTES = 10;
const CLIMATE_SAMPLES_PER_RECORD = 3;

export function edgeStationFactory(ctx: EdgeStationContext): StationFactory {
  return async (spec: StationSpec): Promise<CityStation> => {
    const { plan } = spec;
    const key = ctx.keys.get(plan.deviceId);
    if (!key) throw new Error(`no key for station ${plan.deviceId}`);
    const link = await NetworkLink.open(ctx.broker);
    try {
      if (spec.vehicle) {
        const agent = await startVehicleAgent(parseConfig(vehicleStationConfig(spec, key.keyFile, join(ctx.agentsDir, plan.deviceId), link.url, ctx.speed)), {
          logger: agentErrorLogger((message) => ctx.onAgentError?.(plan.deviceId, message)),
          registry: new Registry(),
          signer: key.signer,
          wallClock: ctx.wallClock,
          ...(spec.createPort ? { createPort: spec.createPort as unknown as PortFactory } : {}),
        });
        return adaptVehicle(agent, link);
      }
      const config = parseConfig(stationConfig(spec, key.keyFile, join(ctx.agentsDir, plan.deviceId), link.url, ctx.speed, ctx.kioskFor === plan.deviceId));
      const agent = await startAgent(config, {
        logger: agentErrorLogger((message) => ctx.onAgentError?.(plan.deviceId, message)),
        // Its own metrics without the process metrics: a dozen agents share this process and nobody scrapes them.
        registry: new Registry(),
        signer: key.signer,
        wallClock: ctx.wallClock,
        ...(spec.createPort ? { createPort: spec.createPort as unknown as PortFactory } : {}),
      });
      ctx.agents.set(plan.deviceId, agent);
      return adapt(agent, link, ctx);
    } catch (err) {
      await link.close();
      throw err;
    }
  };
}

/** An agent's own pino logger at error level, whose lines go to the demo's display instead of stderr. */
export function agentErrorLogger(onError: (message: string) => void): Logger {
  const write = (line: string) => onError((JSON.parse(line) as { msg: string }).msg);
  return createRootLogger({ level: 'error' }, { name: 'wastetrail-edge', stream: { write } });
}

function adapt(agent: Agent, link: NetworkLink, ctx: EdgeStationContext): CityStation {
  const deviceId = agent.config.deviceId;
  return {
    deviceId,
    view() {
      const s = agent.station;
      return {
        mode: s.mode,
        step: s.step,
        bags: s.tx?.bags.map((b) => b.tagId) ?? [],
        badges: s.tx?.badges.length ?? 0,
        lastSeq: s.last?.seq ?? 0,
        notice: s.notice,
      };
    },
    // What the kiosk's buttons send, checked the way the kiosk checks it.
    command(c) {
      const { kind, ...rest } = c;
      const input = toStationInput({ type: kind, ...rest });
      if (input) agent.input(input);
    },
    counts() {
      const u = agent.uplink.status();
      return { records: u.headSeq, backlog: u.backlog, online: u.state === 'connected' };
    },
    async flush() {
      // The room's sensor stops being polled, and its batch not yet full is signed now rather than at the stop.
      await agent.devices.climate?.close();
      agent.flushClimate();
    },
    setNetwork: async (up) => link.set(up),
    async stop() {
      ctx.agents.delete(deviceId);
      await agent.stop();
      await link.close();
    },
  };
}

/** A vehicle station has no screen and takes no commands: the city drives it through its receiver and cargo module. */
function adaptVehicle(agent: VehicleAgent, link: NetworkLink): CityStation {
  return {
    deviceId: agent.config.deviceId,
    view: () => ({ mode: 'vehicle', step: 'idle', bags: [], badges: 0, lastSeq: agent.outbox.head().seq, notice: undefined }),
    command() {},
    flush: () => agent.flush(),
    counts() {
      const u = agent.uplink.status();
      return { records: u.headSeq, backlog: u.backlog, online: u.state === 'connected' };
    },
    setNetwork: async (up) => link.set(up),
    async stop() {
      await agent.stop();
      await link.close();
    },
  };
}

/** The storage room's sensors (the city's: room at address 1, outdoor probe at 2), polled on the accelerated clock. */
function climateConfig(path: string, speed: number) {
  const intervalSeconds = Math.max(0.1, (CLIMATE_SIM_MINUTES * 60) / speed);
  return { path, unit: 1, outdoorUnit: 2, intervalSeconds, samplesPerRecord: CLIMATE_SAMPLES_PER_RECORD, replyTimeoutMs: Math.max(50, Math.min(500, Math.floor((intervalSeconds * 1000) / 3))) };
}

/** The agent configuration of one station (the file a site would write; see edge-agent/config/example.jsonc). */
export function stationConfig(spec: StationSpec, keyFile: string, dataDir: string, mqttUrl: string, speed: number, kiosk = false): unknown {
  const { plan, timing } = spec;
  return {
    deviceId: plan.deviceId,
    keyFile,
    institution: plan.institution,
    ...(plan.department ? { department: plan.department } : {}),
    ...(plan.site ? { site: plan.site } : {}),
    station: { role: plan.role, stepTimeoutSeconds: 60, weighTimeoutSeconds: 20, maxBags: 500 },
    serial: {
      scale: { path: spec.scalePath ?? '', protocol: 'xk3190', unit: 'kg', staleMs: 1000 },
      rfid: { path: spec.readerPath ?? '', pollMs: timing.rfidPollMs, lostAfterMs: timing.rfidLostAfterMs, replyTimeoutMs: 500 },
      ...(spec.climatePath ? { climate: climateConfig(spec.climatePath, speed) } : {}),
    },
    stability: { minSamples: 3, toleranceGrams: 0, minDurationMs: 60, maxGapMs: 500 },
    mqtt: mqttConfig(mqttUrl, speed),
    heartbeatMinutes: Math.max(0.0001, HEARTBEAT_SIM_MINUTES / speed),
    kiosk: kiosk ? { enabled: true, host: '127.0.0.1', port: 0, language: 'zh-CN' } : { enabled: false },
    dataDir,
    badges: { known: plan.people.map((p) => ({ id: p.badge, name: p.name, roles: [p.role] })), refuseUnknown: true },
    ...(plan.vehicle ? { pickup: { vehicle: plan.vehicle } } : {}),
    log: { level: 'error' },
  };
}

/** How every demo station reaches the broker: through its relay, with a device token. */
function mqttConfig(mqttUrl: string, speed: number) {
  return {
    url: mqttUrl,
    auth: { mode: 'device-token' },
    reconnect: { minMs: 200, maxMs: 2000 },
    keepaliveSeconds: 30,
    connectTimeoutSeconds: 5,
    // The agent measures this on its wall clock, which runs `speed` times faster: 30 s of real time.
    ackTimeoutSeconds: Math.min(86_400, Math.max(60, Math.round(30 * speed))),
  };
}

/**
 * A vehicle station's configuration (edge-agent/config/vehicle.example.jsonc). One track record per 5
 * simulated minutes rather than the default minute: at 1440x a minute is 40 ms, and a round of records a
 * minute would outnumber the rest of the city; the rules judge fixes, not records.
 */
export function vehicleStationConfig(spec: StationSpec, keyFile: string, dataDir: string, mqttUrl: string, speed: number): unknown {
  const { plan } = spec;
  if (!spec.vehicle || !plan.vehicle) throw new Error(`station ${plan.deviceId} is not a vehicle station`);
  return {
    deviceId: plan.deviceId,
    keyFile,
    institution: plan.institution,
    station: { role: 'vehicle' },
    vehicle: { plate: plan.vehicle, gnss: { path: spec.vehicle.gnssPath }, cargo: { path: spec.vehicle.cargoPath }, trackSeconds: VEHICLE_TRACK_SECONDS, temperatureSeconds: VEHICLE_TRACK_SECONDS },
    mqtt: mqttConfig(mqttUrl, speed),
    heartbeatMinutes: Math.max(0.0001, HEARTBEAT_SIM_MINUTES / speed),
    kiosk: { enabled: false },
    dataDir,
    log: { level: 'error' },
  };
}

const VEHICLE_TRACK_SECONDS = 300;
