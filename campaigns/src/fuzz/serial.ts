/**
 * Random serial chunks through every device parser: the scale protocols (MT-SICS, XK3190, A&D), the
 * RFID readers' frames (Chafon with each inventory reply variant, Impinj R2000), the vehicle's NMEA
 * GNSS sentences and cargo I/O `$PWTIO` sentences in firmware-protocol, and the edge agent's device
 * drivers (scale, RFID reader, QR scanner, GNSS receiver, cargo I/O, the storage room's Modbus RTU
 * climate sensor) reading a port that delivers the same chunks. A chunk is random bytes or a piece of a
 * mutated genuine frame stream. Counted: chunks, exceptions (must be 0), the most bytes a parser held
 * (must stay bounded).
 */
import {
  CargoIoParser,
  ChafonFrameParser,
  CHAFON_VARIANTS,
  crc16Modbus,
  createReadingParser,
  decodeChafonInventoryReply,
  encodeAndLine,
  encodeCargoSentence,
  encodeChafonInventoryReplies,
  encodeMtSicsReply,
  encodeNmeaEpoch,
  encodeXk3190Frame,
  GnssFixParser,
  LineFramer,
  MtSicsReplyParser,
  R2000FrameParser,
  SCALE_PROTOCOLS,
  seededRandom,
  utf8,
  type ChafonVariant,
} from '@wastetrail/firmware-protocol';
import { CargoIo, ClimateSensor, GnssReceiver, parseConfig, QrScanner, RfidReader, ScaleDevice, type PortFactory, type PortLike } from '@wastetrail/edge-agent';
import { silentLogger } from '@wastetrail/runtime';
import { chunked, int, mutate, randomBytes, type Random } from './mutate.ts';

export interface SerialFuzzResult {
  chunks: number;
  bytes: number;
  byTarget: Record<string, { chunks: number; outputs: number; exceptions: number; maxPending: number }>;
  exceptions: string[];
}

/** The largest number of bytes a parser may hold, whatever arrives (their own bounds are smaller). */
export const PENDING_BOUND = 4096;

/** Genuine frames of every kind, the seeds that mutations start from. */
function genuineFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let g = 0; g < 20; g++) {
    const display = { value: (g * 0.137).toFixed(3), unit: 'kg' };
    out.push(encodeXk3190Frame(display.value));
    out.push(encodeMtSicsReply({ kind: 'weight', state: g % 2 ? 'stable' : 'dynamic', display }));
    out.push(encodeAndLine({ state: g % 2 ? 'stable' : 'dynamic', display, ...(g % 3 === 0 ? { basis: 'gross' as const } : {}) }));
  }
  for (const variant of CHAFON_VARIANTS) {
    const tags = [1, 2, 3].map((n) => ({ epc: randomBytes(seededRandom(n), 12), antenna: 1, rssi: 40 + n }));
    for (const r of encodeChafonInventoryReplies({ address: 0, variant, tags })) out.push(r);
  }
  out.push(utf8('WT1:BAG:epc:3035a537c80000400000001c\r'));
  for (let g = 0; g < 10; g++) {
    const atMs = Date.UTC(2026, 11, 6, 7, 30, g, g * 10);
    out.push(utf8(encodeNmeaEpoch(g % 4 === 3 ? { atMs } : { atMs, lat: 30.25 + g * 1e-4, lon: 120.16 - g * 1e-4, speedKmh: g * 7.5, satellites: 4 + g }, g % 2 ? 'GP' : 'GN')));
    out.push(utf8(encodeCargoSentence(g % 3 === 2 ? { door: g % 2 ? 'open' : 'close' } : { door: g % 2 ? 'open' : 'close', tenthsC: -185 + g * 45 })));
    out.push(modbusFrame([CLIMATE_UNIT, 3, 4, 0x02, g * 20, (g * 37) >> 8, (g * 37) & 0xff]));
  }
  // The climate sensor's exception replies: illegal data address, device failure.
  out.push(modbusFrame([CLIMATE_UNIT, 0x83, 2]), modbusFrame([CLIMATE_UNIT, 0x83, 4]));
  return out;
}

/** The Modbus address of the fuzzed climate sensor. */
const CLIMATE_UNIT = 1;

/** A Modbus RTU frame: the bytes and their CRC, low byte first. */
function modbusFrame(bytes: readonly number[]): Uint8Array {
  const crc = crc16Modbus(Uint8Array.from(bytes));
  return Uint8Array.from([...bytes, crc & 0xff, crc >> 8]);
}

interface Target {
  name: string;
  push(chunk: Uint8Array): number;
  pending(): number;
  /** After each stream: let a request/reply driver's promises and timeouts run, as on a device; resolves to what it put out meanwhile. */
  settle?(): Promise<number>;
}

function parserTargets(): Target[] {
  const targets: Target[] = [];
  for (const protocol of SCALE_PROTOCOLS) {
    const p = createReadingParser(protocol, { unit: 'kg' });
    targets.push({ name: `scale ${protocol}`, push: (c) => p.push(c).length, pending: () => p.pending });
  }
  const sics = new MtSicsReplyParser();
  targets.push({ name: 'scale mt-sics replies', push: (c) => sics.push(c).length, pending: () => sics.pending });
  for (const variant of CHAFON_VARIANTS) {
    const p = new ChafonFrameParser();
    targets.push({
      name: `rfid chafon ${variant}`,
      push: (c) => {
        let n = 0;
        for (const f of p.push(c)) {
          n++;
          decodeChafonInventoryReply(f as never, variant as ChafonVariant);
        }
        return n;
      },
      pending: () => p.buffered,
    });
  }
  const r2000 = new R2000FrameParser();
  targets.push({ name: 'rfid r2000', push: (c) => r2000.push(c).length, pending: () => r2000.buffered });
  const framer = new LineFramer(256);
  targets.push({
    name: 'qr lines',
    push: (c) => {
      let n = 0;
      framer.push(c, () => void n++);
      return n;
    },
    pending: () => framer.pending,
  });
  let fixes = 0;
  const gnss = new GnssFixParser({ onFix: () => void fixes++, onNoFix: () => void fixes++ });
  targets.push({ name: 'gnss nmea', push: (c) => delta(() => gnss.push(c), () => fixes), pending: () => gnss.pending });
  let readings = 0;
  const cargo = new CargoIoParser(() => void readings++);
  targets.push({ name: 'cargo pwtio', push: (c) => delta(() => cargo.push(c), () => readings), pending: () => cargo.pending });
  return targets;
}

/** A port that is always open and delivers what the fuzzer hands it. */
class FuzzPort implements PortLike {
  isOpen = false;
  private onData: ((chunk: Buffer) => void) | undefined;
  open(cb: (err: Error | null) => void): void {
    this.isOpen = true;
    cb(null);
  }
  close(cb?: (err: Error | null) => void): void {
    this.isOpen = false;
    cb?.(null);
  }
  write(_data: Buffer, cb?: (err: Error | null | undefined) => void): boolean {
    cb?.(null);
    return true;
  }
  on(event: string, listener: (x: never) => void): this {
    if (event === 'data') this.onData = listener as (chunk: Buffer) => void;
    return this;
  }
  removeAllListeners(): this {
    this.onData = undefined;
    return this;
  }
  deliver(chunk: Uint8Array): void {
    this.onData?.(Buffer.from(chunk));
  }
}

/** What a driver put out while `run` ran. */
function delta(run: () => void, count: () => number): number {
  const before = count();
  run();
  return count() - before;
}

function driverTargets(): { targets: Target[]; stop(): void } {
  const agent = parseConfig({
    deviceId: 'fuzz-01',
    keyFile: '/nonexistent/device.key',
    institution: 'hz-h01',
    department: 'ICU',
    station: { role: 'department' },
    serial: { scale: { path: '/dev/fuzz-scale', protocol: 'xk3190', unit: 'kg' }, rfid: { path: '/dev/fuzz-rfid' }, qr: { path: '/dev/fuzz-qr' } },
    mqtt: { url: 'mqtt://127.0.0.1:1', auth: { mode: 'device-token' } },
    dataDir: '/nonexistent',
  });
  const serial = agent.serial;
  if (!serial) throw new Error('a department station has its serial devices');
  const stops: (() => void)[] = [];
  const targets: Target[] = [];
  const portFor = (): { port: FuzzPort; factory: PortFactory } => {
    const port = new FuzzPort();
    return { port, factory: () => port };
  };
  for (const protocol of SCALE_PROTOCOLS) {
    const { port, factory } = portFor();
    let weights = 0;
    const scale = new ScaleDevice({
      config: { ...serial.scale, protocol },
      stability: agent.stability,
      logger: silentLogger,
      now: () => performance.now(),
      onWeight: () => void weights++,
      createPort: factory,
    });
    scale.start();
    stops.push(() => void scale.close());
    targets.push({ name: `driver scale ${protocol}`, push: (c) => delta(() => port.deliver(c), () => weights), pending: () => 0 });
  }
  for (const variant of CHAFON_VARIANTS) {
    const { port, factory } = portFor();
    let changes = 0;
    const reader = new RfidReader({
      config: { ...serial.rfid, variant, pollMs: 3_600_000 },
      convention: agent.badges.convention,
      logger: silentLogger,
      now: () => performance.now(),
      onTag: () => void changes++,
      onTagLost: () => void changes++,
      onBadge: () => void changes++,
      createPort: factory,
    });
    reader.start();
    stops.push(() => void reader.close());
    targets.push({ name: `driver rfid ${variant}`, push: (c) => delta(() => port.deliver(c), () => changes), pending: () => 0 });
  }
  {
    const { port, factory } = portFor();
    let scans = 0;
    const qr = new QrScanner({ config: serial.qr!, logger: silentLogger, onScan: () => void scans++, createPort: factory });
    qr.start();
    stops.push(() => void qr.close());
    targets.push({ name: 'driver qr', push: (c) => delta(() => port.deliver(c), () => scans), pending: () => 0 });
  }
  const vehicle = parseConfig({
    deviceId: 'fuzz-02',
    keyFile: '/nonexistent/device.key',
    institution: 'hz-h01',
    station: { role: 'vehicle' },
    vehicle: { plate: '浙A12345', gnss: { path: '/dev/fuzz-gnss' }, cargo: { path: '/dev/fuzz-cargo' } },
    mqtt: { url: 'mqtt://127.0.0.1:1', auth: { mode: 'device-token' } },
    dataDir: '/nonexistent',
  }).vehicle;
  if (!vehicle?.cargo) throw new Error('a vehicle station has its GNSS receiver and cargo module');
  {
    const { port, factory } = portFor();
    let fixes = 0;
    const gnss = new GnssReceiver({ line: vehicle.gnss, logger: silentLogger, onFix: () => void fixes++, onNoFix: () => void fixes++, createPort: factory });
    gnss.start();
    stops.push(() => void gnss.close());
    targets.push({ name: 'driver gnss', push: (c) => delta(() => port.deliver(c), () => fixes), pending: () => 0 });
  }
  {
    const { port, factory } = portFor();
    let readings = 0;
    const cargo = new CargoIo({ line: vehicle.cargo, logger: silentLogger, onReading: () => void readings++, createPort: factory });
    cargo.start();
    stops.push(() => void cargo.close());
    targets.push({ name: 'driver cargo', push: (c) => delta(() => port.deliver(c), () => readings), pending: () => 0 });
  }
  targets.push(climateTarget(portFor(), stops));
  return { targets, stop: () => stops.forEach((s) => s()) };
}

/**
 * The storage room's climate sensor driver (modbus-serial over our SerialLink): it asks, then reads
 * whatever comes back. Each stream is the reply to a poll; a poll ends in a reading or a failure with a
 * code (a reply never completed times out after 50 ms of real time). Counted as outputs: the readings.
 */
function climateTarget({ port, factory }: { port: FuzzPort; factory: PortFactory }, stops: (() => void)[]): Target {
  const storage = parseConfig({
    deviceId: 'fuzz-03',
    keyFile: '/nonexistent/device.key',
    institution: 'hz-h01',
    station: { role: 'storage' },
    site: 'STORE-1',
    serial: {
      scale: { path: '/dev/fuzz-scale', protocol: 'xk3190', unit: 'kg' },
      rfid: { path: '/dev/fuzz-rfid' },
      // One poll an hour by its own timer: the fuzzer polls, one poll a stream.
      climate: { path: '/dev/fuzz-climate', unit: CLIMATE_UNIT, intervalSeconds: 3600, replyTimeoutMs: 50 },
    },
    mqtt: { url: 'mqtt://127.0.0.1:1', auth: { mode: 'device-token' } },
    dataDir: '/nonexistent',
  });
  const config = storage.serial?.climate;
  if (!config) throw new Error('a storage station has its climate sensor');
  let readings = 0;
  const sensor = new ClimateSensor({ config, logger: silentLogger, wall: () => Date.now(), onReading: () => void readings++, onFailure: () => {}, createPort: factory });
  sensor.start();
  stops.push(() => void sensor.close());
  let polling = false;
  return {
    name: 'driver climate modbus',
    push: (c) => {
      if (!polling) {
        polling = true;
        void sensor.poll().finally(() => (polling = false));
      }
      return delta(() => port.deliver(c), () => readings);
    },
    pending: () => 0,
    settle: async () => {
      const before = readings;
      await new Promise((r) => setImmediate(r));
      return readings - before;
    },
  };
}

export async function fuzzSerial(o: { chunks: number; seed: number; log: (line: string) => void }): Promise<SerialFuzzResult> {
  const random: Random = seededRandom(o.seed);
  const seeds = genuineFrames();
  const drivers = driverTargets();
  const targets = [...parserTargets(), ...drivers.targets];
  const result: SerialFuzzResult = { chunks: 0, bytes: 0, byTarget: {}, exceptions: [] };
  for (const t of targets) result.byTarget[t.name] = { chunks: 0, outputs: 0, exceptions: 0, maxPending: 0 };
  try {
    let next = 1_000_000;
    while (result.chunks < o.chunks) {
      // A stream: random bytes, or genuine frames mutated and run together; cut at random places.
      const stream =
        random() < 0.3
          ? randomBytes(random, 1 + int(random, 512))
          : Uint8Array.from(Array.from({ length: 1 + int(random, 8) }, () => Array.from(random() < 0.5 ? seeds[int(random, seeds.length)]! : mutate(random, seeds[int(random, seeds.length)]!, seeds, 512))).flat());
      const t = targets[int(random, targets.length)]!;
      const s = result.byTarget[t.name]!;
      for (const chunk of chunked(random, stream, 64)) {
        if (result.chunks >= o.chunks) break;
        result.chunks++;
        result.bytes += chunk.length;
        s.chunks++;
        try {
          s.outputs += t.push(chunk);
        } catch (err) {
          s.exceptions++;
          if (result.exceptions.length < 10) result.exceptions.push(`${t.name}: ${(err as Error).stack ?? String(err)} after ${Buffer.from(stream).toString('hex').slice(0, 200)}`);
        }
        s.maxPending = Math.max(s.maxPending, t.pending());
      }
      if (t.settle) s.outputs += await t.settle();
      if (result.chunks >= next) {
        o.log(`serial: ${result.chunks.toLocaleString('en')} chunks`);
        next += 1_000_000;
        // Let the drivers' timers run now and then, as on a device.
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    drivers.stop();
  }
  return result;
}
