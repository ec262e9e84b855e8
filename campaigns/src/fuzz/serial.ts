/**
 * Random serial chunks through every device parser: the scale protocols (MT-SICS, XK3190, A&D) and
 * the RFID readers' frames (Chafon with each inventory reply variant, Impinj R2000) in
 * firmware-protocol, and the edge agent's device drivers (scale, RFID reader, QR scanner) reading a
 * port that delivers the same chunks. A chunk is random bytes or a piece of a mutated genuine frame
 * stream. Counted: chunks, exceptions (must be 0), the most bytes a parser held (must stay bounded).
 */
import {
  ChafonFrameParser,
  CHAFON_VARIANTS,
  createReadingParser,
  decodeChafonInventoryReply,
  encodeAndLine,
  encodeChafonInventoryReplies,
  encodeMtSicsReply,
  encodeXk3190Frame,
  LineFramer,
  MtSicsReplyParser,
  R2000FrameParser,
  SCALE_PROTOCOLS,
  seededRandom,
  utf8,
  type ChafonVariant,
} from '@wastetrail/firmware-protocol';
import { parseConfig, QrScanner, RfidReader, ScaleDevice, type PortFactory, type PortLike } from '@wastetrail/edge-agent';
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
  return out;
}

interface Target {
  name: string;
  push(chunk: Uint8Array): number;
  pending(): number;
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
  return { targets, stop: () => stops.forEach((s) => s()) };
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
