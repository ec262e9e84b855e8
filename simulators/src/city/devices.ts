/**
 * A station's simulated devices: an XK3190 scale and a Chafon RFID reader, either behind in-process
 * @serialport/binding-mock ports (the default: no socat, nothing outside the process) or on real
 * pseudo-terminals (`--pty`: the agent opens /dev/pts/... exactly as it opens /dev/ttyUSB0).
 *
 * People put tags and badges into the reader's field and bags on the scale through these. The reader
 * only reports changes, so a tag or badge that left the field must have been forgotten by the station
 * before it can be reported again: enter() waits for that.
 */
import { SerialPortMock } from 'serialport';
import type { SerialEndpoint } from '../serial/endpoint.ts';
import { attachMockDevice } from '../serial/mock.ts';
import { openPtyDevice, type PtyDevice } from '../serial/pty.ts';
import { attachReaderModel, type ReaderDriver } from '../reader/driver.ts';
import { ReaderModel, type TagKind } from '../reader/model.ts';
import { ScaleSimulator } from '../scale/simulator.ts';
import { SensorBus, type SimulatedSensor } from '../climate/sensor.ts';
import type { ClimateReadingTenths } from './climate.ts';
import { toHex } from '@wastetrail/firmware-protocol';
import type { StationTiming } from './station.ts';

/** The line settings a host opens a port with (edge-agent's SerialLine & { autoOpen: false }). */
export interface MockPortSettings {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: string;
  stopBits?: 1 | 1.5 | 2;
  autoOpen?: boolean;
}

/** Opens a host-side port of the in-process mock binding (pass it as the agent's createPort). */
export type MockPortFactory = (settings: MockPortSettings) => SerialPortMock;

/** A device endpoint that survives the host closing and reopening its port (each open is a new mock port). */
class ReattachableEndpoint implements SerialEndpoint {
  private current: SerialEndpoint | undefined;
  private readonly listeners: Array<(chunk: Buffer) => void> = [];
  private closed = false;

  attach(port: SerialPortMock): void {
    if (this.closed) return;
    void this.current?.close();
    const endpoint = attachMockDevice(port);
    this.current = endpoint;
    endpoint.onData((chunk) => {
      if (endpoint === this.current) for (const l of this.listeners) l(chunk);
    });
  }

  write(data: Uint8Array): Promise<void> {
    // No port open on the host side: the bytes go nowhere, as on a cable with nothing at the other end.
    return this.current && !this.closed ? this.current.write(data).catch(() => {}) : Promise.resolve();
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.close();
    this.current = undefined;
  }
}

let registries = 0;

/** The in-process serial ports of one city: each device gets a unique path in the mock binding. */
export class MockSerialPorts {
  private readonly prefix: string;
  private readonly endpoints = new Map<string, ReattachableEndpoint>();

  constructor(prefix = `/dev/wastetrail-city-${process.pid}-${++registries}`) {
    this.prefix = prefix;
  }

  /** Registers a port for a device and returns the path the host opens and the device's end. */
  create(name: string): { path: string; endpoint: SerialEndpoint } {
    const path = `${this.prefix}/${name}`;
    if (this.endpoints.has(path)) throw new Error(`a mock port ${path} exists already`);
    // record: false, or the binding keeps every byte the host ever wrote.
    SerialPortMock.binding.createPort(path, { echo: false, record: false });
    const endpoint = new ReattachableEndpoint();
    this.endpoints.set(path, endpoint);
    return { path, endpoint };
  }

  readonly createPort: MockPortFactory = (settings) => {
    const { autoOpen, ...line } = settings;
    const port = new SerialPortMock({ ...line, autoOpen: autoOpen ?? false });
    this.endpoints.get(settings.path)?.attach(port);
    return port;
  };
}

export type SerialTransport = { kind: 'mock'; ports: MockSerialPorts } | { kind: 'pty' };

/** A badge held to the reader stays in its field until taken away (as long as the station needs). */
const HELD_MS = 3_600_000;

/** The Modbus addresses of a storage room's sensors on its RS-485 line: the room's and the outdoor probe's. */
export const CITY_CLIMATE_UNITS = { room: 1, outdoor: 2 } as const;

/** A storage room's RS-485 line: its climate sensor and the outdoor probe. */
class RoomSensors {
  private readonly bus: SensorBus;
  private readonly room: SimulatedSensor;
  private readonly outdoor: SimulatedSensor;

  constructor(endpoint: SerialEndpoint) {
    this.bus = new SensorBus({ endpoint, replyDelayMs: 1 });
    this.room = this.bus.add(CITY_CLIMATE_UNITS.room);
    this.outdoor = this.bus.add(CITY_CLIMATE_UNITS.outdoor);
  }

  set(r: ClimateReadingTenths): void {
    this.room.temperature = r.temperature;
    this.room.humidity = r.humidity;
    this.outdoor.temperature = r.outdoor;
  }
}

export class StationDevices {
  readonly scalePath: string;
  readonly readerPath: string;
  /** Storage stations: the room's climate sensors' line. */
  readonly climatePath: string | undefined;
  readonly scale: ScaleSimulator;
  readonly reader: ReaderDriver;
  private readonly climate: RoomSensors | undefined;
  private readonly timing: StationTiming;
  private readonly endpoints: SerialEndpoint[];
  /** When each EPC last left the field (performance.now()). */
  private readonly left = new Map<string, number>();
  private closed = false;

  private constructor(o: {
    scalePath: string;
    readerPath: string;
    scaleEndpoint: SerialEndpoint;
    readerEndpoint: SerialEndpoint;
    climate?: { path: string; endpoint: SerialEndpoint };
    timing: StationTiming;
    capacityGrams: number;
  }) {
    this.scalePath = o.scalePath;
    this.readerPath = o.readerPath;
    this.climatePath = o.climate?.path;
    this.timing = o.timing;
    this.endpoints = [o.scaleEndpoint, o.readerEndpoint, ...(o.climate ? [o.climate.endpoint] : [])];
    this.climate = o.climate ? new RoomSensors(o.climate.endpoint) : undefined;
    this.scale = new ScaleSimulator({
      protocol: 'xk3190',
      endpoint: o.scaleEndpoint,
      intervalMs: o.timing.scaleIntervalMs,
      model: { settleMs: o.timing.scaleSettleMs, swing: 0.05, capacityGrams: o.capacityGrams },
    });
    this.scale.start();
    this.reader = attachReaderModel(o.readerEndpoint, new ReaderModel({ rssiJitter: 0 }), { onError: () => {} });
  }

  /** Opens the devices of a station (with `climate`, the storage room's sensors too). `name` makes the mock paths readable (the device id). */
  static async open(name: string, transport: SerialTransport, timing: StationTiming, capacityGrams = 2_000_000, climate = false): Promise<StationDevices> {
    if (transport.kind === 'mock') {
      const scale = transport.ports.create(`${name}-scale`);
      const reader = transport.ports.create(`${name}-rfid`);
      const sensors = climate ? transport.ports.create(`${name}-climate`) : undefined;
      return new StationDevices({ scalePath: scale.path, readerPath: reader.path, scaleEndpoint: scale.endpoint, readerEndpoint: reader.endpoint, ...(sensors ? { climate: sensors } : {}), timing, capacityGrams });
    }
    const ptys: PtyDevice[] = [];
    try {
      ptys.push(await openPtyDevice({ baudRate: 9600 }));
      ptys.push(await openPtyDevice({ baudRate: 57_600 }));
      if (climate) ptys.push(await openPtyDevice({ baudRate: 4800 }));
    } catch (err) {
      for (const p of ptys) await p.endpoint.close();
      throw err;
    }
    const [scale, reader, sensors] = ptys as [PtyDevice, PtyDevice, PtyDevice | undefined];
    return new StationDevices({
      scalePath: scale.devicePath,
      readerPath: reader.devicePath,
      scaleEndpoint: scale.endpoint,
      readerEndpoint: reader.endpoint,
      ...(sensors ? { climate: { path: sensors.devicePath, endpoint: sensors.endpoint } } : {}),
      timing,
      capacityGrams,
    });
  }

  /** Storage stations: what the room's sensor and the outdoor probe read from now on. */
  setClimate(r: ClimateReadingTenths): void {
    this.climate?.set(r);
  }

  /** Puts a tag (a bag) or a badge into the reader's field, once the station has forgotten it was there. */
  async enter(epc: Uint8Array, kind: TagKind, signal?: AbortSignal): Promise<void> {
    await this.forgotten(epc, signal);
    await this.reader.apply({ kind: 'enter', tag: { epc, kind, ...(kind === 'badge' ? { forMs: HELD_MS } : {}) } });
  }

  async leave(epc: Uint8Array): Promise<void> {
    const now = performance.now();
    // Long forgotten by the station: no need to remember when they left (bags never come back).
    if (this.left.size > 1000) for (const [k, at] of this.left) if (now - at > 60_000) this.left.delete(k);
    this.left.set(toHex(epc), now);
    await this.reader.apply({ kind: 'leave', epc });
  }

  /** Puts a load on the scale (on top of what is there). */
  put(grams: number): Promise<void> {
    return this.scale.run([{ op: 'put', grams }]);
  }

  /** Takes everything off the scale. */
  clear(): Promise<void> {
    return this.scale.run([{ op: 'remove' }]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scale.stop();
    await this.reader.close();
    for (const e of this.endpoints) await e.close();
  }

  /**
   * Until the station has certainly noticed that `epc` left: lostAfterMs since it left, then two more
   * inventories answered (the station judges presence when a reply comes in, however late).
   */
  private async forgotten(epc: Uint8Array, signal?: AbortSignal): Promise<void> {
    const key = toHex(epc);
    const leftAt = this.left.get(key);
    if (leftAt === undefined) return;
    const wait = leftAt + this.timing.rfidLostAfterMs + 10 - performance.now();
    if (wait > 0) await delay(wait, signal);
    const target = this.reader.model.stats.inventories + 2;
    while (this.reader.model.stats.inventories < target) {
      if (signal?.aborted || this.closed) return;
      await delay(this.timing.rfidPollMs / 2, signal);
    }
    this.left.delete(key);
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
