/**
 * A scale on a serial line: the ScaleModel behind one of three protocols, on any SerialEndpoint.
 *   mt-sics  answers commands (S, SI, SIR, Z, T, I4, @; anything else: ES), like a Mettler Toledo balance
 *   xk3190   streams tF=0 frames every intervalMs, like a Yaohua indicator
 *   and      streams A&D/CAS lines every intervalMs (indicator format with GS/NT, or balance format)
 * Time comes from the injected SimClock; scripted steps arrive through run().
 */
import {
  encodeAndLine,
  encodeMtSicsReply,
  encodeXk3190Frame,
  formatGrams,
  LineFramer,
  decodeMtSicsCommand,
  type MtSicsCommand,
  type MtSicsReplyInput,
  type ScaleProtocol,
  type WeightUnit,
} from '@wastetrail/firmware-protocol';
import { sleep, systemClock, type SimClock } from '../clock.ts';
import type { SerialEndpoint } from '../serial/endpoint.ts';
import { ScaleModel, type ModelReading, type ScaleModelOptions } from './model.ts';
import type { ScaleStep } from './script.ts';

export interface ScaleDisplay {
  unit: WeightUnit;
  /** Digits after the point. */
  decimals: number;
}

/** What each protocol shows by default: the formats of the devices.md vectors. */
export const DEFAULT_DISPLAY: Record<ScaleProtocol, ScaleDisplay> = {
  'mt-sics': { unit: 'g', decimals: 2 },
  xk3190: { unit: 'kg', decimals: 2 },
  and: { unit: 'kg', decimals: 2 },
};

export interface ScaleSimulatorOptions {
  protocol: ScaleProtocol;
  endpoint: SerialEndpoint;
  clock?: SimClock;
  model?: Partial<ScaleModelOptions>;
  display?: Partial<ScaleDisplay>;
  /** Streaming protocols and MT-SICS SIR: time between two readings. Default 100 ms. */
  intervalMs?: number;
  /** A&D: 'indicator' lines carry GS/NT (default), 'balance' lines do not. */
  andFormat?: 'indicator' | 'balance';
  /** MT-SICS S, Z and T wait this long for stability before answering `<id> I`. Default 3000 ms. */
  stableTimeoutMs?: number;
  /** What I4 answers. */
  serialNumber?: string;
  /** One line per notable event (command received, step run); the CLI prints them on stderr. */
  log?: (line: string) => void;
}

export interface ScaleSimulatorStats {
  /** Replies, frames and lines written. */
  sent: number;
  /** Streamed frames skipped because the line was still busy with the previous write. */
  skipped: number;
  commands: number;
}

/** Commands waiting for their turn; beyond this a real balance's input buffer overflows too. */
const MAX_QUEUED_COMMANDS = 32;

export class ScaleSimulator {
  readonly protocol: ScaleProtocol;
  readonly model: ScaleModel;
  readonly stats: ScaleSimulatorStats = { sent: 0, skipped: 0, commands: 0 };
  private readonly endpoint: SerialEndpoint;
  private readonly clock: SimClock;
  private readonly display: ScaleDisplay;
  private readonly intervalMs: number;
  private readonly andFormat: 'indicator' | 'balance';
  private readonly stableTimeoutMs: number;
  private readonly serialNumber: string;
  private readonly log: (line: string) => void;
  private readonly framer = new LineFramer(64);
  private commands: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Counts command lines received, so an SIR repetition knows a newer command has arrived. */
  private lines = 0;
  private script: Promise<void> = Promise.resolve();
  private writing = 0;
  private noiseCounter = 0;
  private cancelStream?: () => void;
  private cancelRepeat?: () => void;
  private stopped = false;
  private started = false;

  constructor(options: ScaleSimulatorOptions) {
    this.protocol = options.protocol;
    this.endpoint = options.endpoint;
    this.clock = options.clock ?? systemClock;
    this.model = new ScaleModel(options.model, this.clock.now());
    this.display = { ...DEFAULT_DISPLAY[options.protocol], ...options.display };
    this.intervalMs = options.intervalMs ?? 100;
    this.andFormat = options.andFormat ?? 'indicator';
    this.stableTimeoutMs = options.stableTimeoutMs ?? 3000;
    this.serialNumber = options.serialNumber ?? 'WT-SIM-0001';
    this.log = options.log ?? (() => {});
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
  }

  /** Listens for commands (MT-SICS) or starts streaming (XK3190, A&D). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.endpoint.onData((chunk) => this.received(chunk));
    if (this.protocol !== 'mt-sics') this.streamLoop();
  }

  /** Stops streaming and answering; the endpoint stays open (its owner closes it). */
  stop(): void {
    this.stopped = true;
    this.cancelStream?.();
    this.cancelRepeat?.();
  }

  /** Runs steps in order after any steps given before; resolves when they are done. */
  run(steps: ScaleStep[]): Promise<void> {
    const done = this.script.then(async () => {
      for (const step of steps) {
        if (this.stopped) return;
        await this.step(step);
      }
    });
    // One failed step must not stall every later one.
    this.script = done.catch((err: unknown) => this.log(`step failed: ${String(err)}`));
    return done;
  }

  /** What the display shows now. */
  reading(): ModelReading {
    return this.model.reading(this.clock.now());
  }

  private async step(step: ScaleStep): Promise<void> {
    const now = this.clock.now();
    if (step.op !== 'wait') this.log(`step ${step.op}${'grams' in step ? ` ${step.grams}` : ''}${'bytes' in step ? ` ${step.bytes}` : ''}`);
    switch (step.op) {
      case 'put':
        return this.model.put(step.grams, now);
      case 'remove':
        return this.model.remove(now);
      case 'overload':
        return this.model.overload(now);
      case 'underload':
        return this.model.underload(now);
      case 'jitter':
        return this.model.jitter(step.grams);
      case 'zero':
        this.model.zero(now);
        return;
      case 'tare':
        this.model.tare(now);
        return;
      case 'noise':
        return void this.send(this.junk(step.bytes));
      case 'wait':
        return sleep(this.clock, step.ms);
    }
  }

  /** Random bytes from the model's seed: line noise, a framing error, a port opened mid-frame. */
  private junk(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.model.random(0x6e6f6973 + this.noiseCounter++) * 256);
    return out;
  }

  private send(bytes: Uint8Array): Promise<void> {
    this.writing++;
    this.stats.sent++;
    return this.endpoint.write(bytes).then(
      () => {
        this.writing--;
      },
      (err: unknown) => {
        this.writing--;
        this.log(`write failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  // --- streaming (XK3190, A&D) -------------------------------------------------------------------

  private streamLoop(): void {
    if (this.stopped) return;
    // A real indicator transmits whether anyone listens; if the previous frame is still queued, this one is lost.
    if (this.writing > 0) this.stats.skipped++;
    else {
      const frame = this.streamFrame(this.reading());
      if (frame) void this.send(frame);
    }
    this.cancelStream = this.clock.after(this.intervalMs, () => this.streamLoop());
  }

  private streamFrame(r: ModelReading): Uint8Array | undefined {
    const { unit, decimals } = this.display;
    if (this.protocol === 'and') {
      const basis = this.andFormat === 'indicator' ? r.basis : undefined;
      const display = r.grams === undefined ? { value: '0', unit } : { value: formatGrams(r.grams, unit, decimals), unit };
      return encodeAndLine({ state: r.state, ...(basis ? { basis } : {}), display });
    }
    // tF=0 has no code for overload: the simulator stops sending, and the agent sees no readings.
    if (r.grams === undefined) return undefined;
    try {
      return encodeXk3190Frame(formatGrams(r.grams, unit, decimals));
    } catch {
      return undefined; // more than six digits: the display would show overload too
    }
  }

  // --- commands (MT-SICS) ------------------------------------------------------------------------

  private received(chunk: Uint8Array): void {
    if (this.stopped || this.protocol !== 'mt-sics') return;
    this.framer.push(chunk, (bytes) => {
      const line = Buffer.from(bytes).toString('latin1');
      // Any new command ends an SIR repetition, as on the balance.
      const seq = ++this.lines;
      this.cancelRepeat?.();
      this.cancelRepeat = undefined;
      if (this.queued >= MAX_QUEUED_COMMANDS) {
        this.log(`command dropped, queue full: ${JSON.stringify(line)}`);
        return;
      }
      this.queued++;
      this.stats.commands++;
      this.commands = this.commands
        .then(() => this.answer(line, seq))
        .catch((err: unknown) => this.log(`command ${JSON.stringify(line)} failed: ${String(err)}`))
        .finally(() => {
          this.queued--;
        });
    });
  }

  private async answer(line: string, seq: number): Promise<void> {
    if (this.stopped) return;
    const command = decodeMtSicsCommand(line);
    this.log(`command ${JSON.stringify(line)}${command ? '' : ' (unknown: ES)'}`);
    if (!command) return this.reply({ kind: 'error', error: 'syntax' });
    await this.execute(command, seq);
  }

  private async execute(command: MtSicsCommand, seq: number): Promise<void> {
    switch (command) {
      case 'SI':
        return this.reply(this.weightReply(this.reading()));
      case 'SIR':
        return this.repeat(seq);
      case 'S': {
        const r = await this.settled();
        return this.reply(r.state === 'dynamic' ? { kind: 'refused', id: 'S', reason: 'busy' } : this.weightReply(r));
      }
      case 'Z': {
        await this.settled();
        const z = this.model.zero(this.clock.now());
        return this.reply(z.ok ? { kind: 'done', id: 'Z' } : { kind: 'refused', id: 'Z', reason: z.reason });
      }
      case 'T': {
        await this.settled();
        const t = this.model.tare(this.clock.now());
        return this.reply(t.ok ? { kind: 'tare', display: this.displayed(t.tareGrams) } : { kind: 'refused', id: 'T', reason: t.reason });
      }
      case 'I4':
        return this.reply({ kind: 'done', id: 'I4', values: [this.serialNumber] });
      case '@':
        this.model.clearTare();
        return this.reply({ kind: 'done', id: 'I4', values: [this.serialNumber] });
    }
  }

  /** Waits (up to stableTimeoutMs) until the reading is stable, overloaded or underloaded; returns it. */
  private async settled(): Promise<ModelReading> {
    const deadline = this.clock.now() + this.stableTimeoutMs;
    for (;;) {
      const now = this.clock.now();
      const r = this.model.reading(now);
      if (r.state !== 'dynamic' || now >= deadline || this.stopped) return r;
      const at = this.model.stableAt();
      await sleep(this.clock, Math.max(1, Math.min(at ?? deadline, deadline) - now));
    }
  }

  private repeat(seq: number): void {
    const tick = () => {
      if (this.stopped || seq !== this.lines) return;
      void this.reply(this.weightReply(this.reading()));
      this.cancelRepeat = this.clock.after(this.intervalMs, tick);
    };
    tick();
  }

  private weightReply(r: ModelReading): MtSicsReplyInput {
    if (r.grams === undefined) return { kind: 'weight', state: r.state };
    return { kind: 'weight', state: r.state, display: this.displayed(r.grams) };
  }

  private displayed(grams: number) {
    return { value: formatGrams(grams, this.display.unit, this.display.decimals), unit: this.display.unit };
  }

  private reply(reply: MtSicsReplyInput): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.send(encodeMtSicsReply(reply));
  }
}
