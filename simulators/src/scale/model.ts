/**
 * What a scale's load cell and display do, as a pure function of scripted events and time: a bag put on
 * the platform swings, the reading ramps up with noise and settles at the bag's weight; taking it off
 * goes back to zero; too much load is overload. Every method takes `now` (ms): there is no clock in
 * here, and the same events at the same times always give the same readings (noise comes from a seed).
 */
import type { ScaleState } from '@wastetrail/firmware-protocol';

export interface ScaleModelOptions {
  /** Heaviest load shown; above it the scale reports overload. */
  capacityGrams: number;
  /** Time from a load change to a steady reading. */
  settleMs: number;
  /** Swing while settling, as a fraction of the change (0.05: a 2 kg bag swings by up to 100 g). */
  swing: number;
  /** Seed for every random number the model draws (noise, junk bytes). */
  seed: number;
}

export const DEFAULT_SCALE_MODEL: ScaleModelOptions = Object.freeze({ capacityGrams: 60_000, settleMs: 800, swing: 0.05, seed: 1 });

export interface ModelReading {
  state: ScaleState;
  /** What the display shows: net when a tare is set, gross otherwise. Absent on overload and underload. */
  grams?: number;
  basis: 'gross' | 'net';
}

export type ZeroResult = { ok: true } | { ok: false; reason: 'busy' | 'overload' | 'underload' };
export type TareResult = { ok: true; tareGrams: number } | { ok: false; reason: 'busy' | 'overload' | 'underload' };

export class ScaleModel {
  readonly options: ScaleModelOptions;
  /** The load now on the platform (before zero and tare), and the one before the last change. */
  private load = 0;
  private from = 0;
  private changedAt: number;
  private jitterGrams = 0;
  private zeroOffset = 0;
  private tareGrams = 0;

  constructor(options: Partial<ScaleModelOptions> = {}, now = 0) {
    this.options = Object.freeze({ ...DEFAULT_SCALE_MODEL, ...options });
    if (!(this.options.capacityGrams > 0) || !(this.options.settleMs >= 0) || !(this.options.swing >= 0)) {
      throw new RangeError('capacityGrams must be > 0, settleMs and swing >= 0');
    }
    // Powered on long ago: steady at zero.
    this.changedAt = now - this.options.settleMs;
  }

  /** Puts `grams` more on the platform (a bag, a second bag on a cart). */
  put(grams: number, now: number): void {
    this.change(this.load + grams, now);
  }

  /** Takes everything off. */
  remove(now: number): void {
    this.change(0, now);
  }

  /** Loads the platform beyond capacity (10% over) until the next remove. */
  overload(now: number): void {
    this.change(Math.ceil(this.options.capacityGrams * 1.1) + this.zeroOffset, now);
  }

  /** Lifts the platform (or takes the pan off): the reading falls below the zero range until remove. */
  underload(now: number): void {
    this.change(this.zeroOffset - Math.ceil(this.options.capacityGrams * 0.05), now);
  }

  /** A steady load wobbles by up to ± grams (vibration, a draught). 0: rock steady. */
  jitter(grams: number): void {
    this.jitterGrams = Math.max(0, Math.round(grams));
  }

  /** When the reading will be stable if nothing else happens, or undefined if never (jitter). */
  stableAt(): number | undefined {
    return this.jitterGrams > 0 ? undefined : this.changedAt + this.options.settleMs;
  }

  isSettled(now: number): boolean {
    const at = this.stableAt();
    return at !== undefined && now >= at;
  }

  reading(now: number): ModelReading {
    const basis = this.tareGrams !== 0 ? 'net' : 'gross';
    const gross = this.gross(now);
    if (gross > this.options.capacityGrams) return { state: 'overload', basis };
    if (gross < -this.underloadLimit()) return { state: 'underload', basis };
    return { state: this.isSettled(now) ? 'stable' : 'dynamic', grams: gross - this.tareGrams, basis };
  }

  /** The zero key: a stable gross within ±2% of capacity becomes the new zero and the tare is cleared. */
  zero(now: number): ZeroResult {
    const r = this.reading(now);
    if (r.state === 'overload' || r.state === 'underload') return { ok: false, reason: r.state };
    if (r.state !== 'stable') return { ok: false, reason: 'busy' };
    const gross = this.gross(now);
    if (gross > this.zeroRange()) return { ok: false, reason: 'overload' };
    if (gross < -this.zeroRange()) return { ok: false, reason: 'underload' };
    this.zeroOffset += gross;
    this.tareGrams = 0;
    return { ok: true };
  }

  /** The tare key: a stable, positive gross becomes the tare. */
  tare(now: number): TareResult {
    const r = this.reading(now);
    if (r.state === 'overload' || r.state === 'underload') return { ok: false, reason: r.state };
    if (r.state !== 'stable') return { ok: false, reason: 'busy' };
    const gross = this.gross(now);
    if (gross <= 0) return { ok: false, reason: 'underload' };
    this.tareGrams = gross;
    return { ok: true, tareGrams: gross };
  }

  clearTare(): void {
    this.tareGrams = 0;
  }

  /** A deterministic random number in [0, 1) for `key` (a time, a counter). */
  random(key: number): number {
    return hash01(this.options.seed, key);
  }

  private change(load: number, now: number): void {
    this.from = this.physical(now);
    this.load = Math.round(load);
    this.changedAt = now;
  }

  private gross(now: number): number {
    return this.physical(now) - this.zeroOffset;
  }

  /** What the load cell feels: an eased ramp with a decaying swing, then the load (plus jitter). */
  private physical(now: number): number {
    const { settleMs, swing } = this.options;
    const t = now - this.changedAt;
    if (t >= settleMs || settleMs === 0) {
      return this.jitterGrams > 0 ? this.load + Math.round((hash01(this.options.seed, now) * 2 - 1) * this.jitterGrams) : this.load;
    }
    const p = Math.max(0, t) / settleMs;
    const delta = this.load - this.from;
    const eased = 1 - (1 - p) ** 3;
    const noise = (hash01(this.options.seed, now) * 2 - 1) * Math.abs(delta) * swing * (1 - p);
    return Math.round(this.from + delta * eased + noise);
  }

  private zeroRange(): number {
    return Math.round(this.options.capacityGrams * 0.02);
  }

  private underloadLimit(): number {
    return Math.round(this.options.capacityGrams * 0.02);
  }
}

/** A small integer hash of (seed, key) to [0, 1): the same inputs always give the same noise. */
function hash01(seed: number, key: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(Math.floor(key) | 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
