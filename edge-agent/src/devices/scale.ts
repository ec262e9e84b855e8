/**
 * A scale on a serial line: bytes -> readings (firmware-protocol's parsers) -> the stability rule ->
 * weight events for the station. MT-SICS balances are asked (SI) every pollMs; XK3190 and A&D
 * indicators stream by themselves. No reading for staleMs means the weight is unknown.
 */
import {
  createReadingParser,
  encodeMtSicsCommand,
  StabilityDetector,
  type ScaleReading,
  type ScaleStreamParser,
  type StabilityRule,
} from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { ScaleConfig } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

export interface WeightEvent {
  /** Integer grams; undefined when the scale is offline, overloaded or underloaded. */
  grams?: number;
  stable: boolean;
  /** What the scale reported: stable / dynamic / overload / underload, or offline. */
  state: ScaleReading['state'] | 'offline';
}

export interface ScaleDeviceOptions {
  config: ScaleConfig;
  stability: StabilityRule & { requireScaleFlag: boolean };
  logger: Logger;
  /** Monotonic ms. */
  now: () => number;
  onWeight: (w: WeightEvent) => void;
  onState?: (open: boolean) => void;
  createPort?: PortFactory;
}

export interface ScaleStats {
  /** Readings parsed from the line. */
  readings: number;
  /** Input the parser threw away (noise, a bad checksum, a frame it cannot read). */
  dropped: number;
}

export class ScaleDevice {
  readonly stats: ScaleStats = { readings: 0, dropped: 0 };
  private readonly o: ScaleDeviceOptions;
  private readonly link: SerialLink;
  private readonly parser: ScaleStreamParser<ScaleReading>;
  private readonly detector: StabilityDetector;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastReadingAt = -Infinity;
  private stale = true;
  private lastPollAt = -Infinity;
  private awaitingReply = false;

  constructor(options: ScaleDeviceOptions) {
    this.o = options;
    const log = options.logger;
    this.parser = createReadingParser(options.config.protocol, {
      unit: options.config.unit,
      onDrop: (d) => {
        // A noisy line drops often: log the first few and then every hundredth.
        const drops = ++this.stats.dropped;
        if (drops <= 5 || drops % 100 === 0) log.debug({ reason: d.reason, bytes: d.bytes, error: d.error?.message, count: drops }, 'scale input dropped');
      },
    });
    const { requireScaleFlag: _, ...rule } = options.stability;
    this.detector = new StabilityDetector(rule);
    this.link = new SerialLink({
      line: options.config,
      logger: log,
      ...(options.createPort ? { createPort: options.createPort } : {}),
      onData: (chunk) => this.received(chunk),
      onState: (open) => {
        this.parser.reset();
        this.awaitingReply = false;
        options.onState?.(open);
      },
    });
  }

  get connected(): boolean {
    return this.link.isOpen && !this.stale;
  }

  start(): void {
    this.link.start();
    const period = Math.max(20, Math.min(this.o.config.pollMs, 250));
    this.pollTimer = setInterval(() => this.tick(), period);
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    await this.link.close();
  }

  private tick(): void {
    const now = this.o.now();
    if (!this.stale && now - this.lastReadingAt > this.o.config.staleMs) {
      this.stale = true;
      this.detector.reset();
      this.o.logger.warn({ path: this.o.config.path, forMs: this.o.config.staleMs }, 'no reading from the scale');
      this.o.onWeight({ stable: false, state: 'offline' });
    }
    if (this.o.config.protocol !== 'mt-sics' || !this.link.isOpen) return;
    // Ask again when the last question was answered, or once it is clearly lost.
    if (now - this.lastPollAt < this.o.config.pollMs) return;
    if (this.awaitingReply && now - this.lastPollAt < Math.max(1000, this.o.config.pollMs * 4)) return;
    this.lastPollAt = now;
    this.awaitingReply = this.link.write(encodeMtSicsCommand('SI'));
  }

  private received(chunk: Buffer): void {
    const readings = this.parser.push(chunk);
    if (readings.length === 0) return;
    this.stats.readings += readings.length;
    this.awaitingReply = false;
    const now = this.o.now();
    this.lastReadingAt = now;
    if (this.stale) {
      this.stale = false;
      this.o.logger.info({ path: this.o.config.path }, 'scale readings arriving');
    }
    for (const r of readings) this.o.onWeight(this.judge(r, now));
  }

  private judge(r: ScaleReading, now: number): WeightEvent {
    const verdict = this.detector.push(r, now);
    if (r.grams === undefined) return { stable: false, state: r.state };
    // Where the scale has its own stable flag, the rule confirms it rather than overrides it.
    const flagOk = this.o.config.protocol === 'xk3190' || !this.o.stability.requireScaleFlag || r.state === 'stable';
    if (verdict.stable && flagOk) return { grams: verdict.grams, stable: true, state: r.state };
    return { grams: r.grams, stable: false, state: r.state };
  }
}
