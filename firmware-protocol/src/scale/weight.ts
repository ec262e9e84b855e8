/**
 * Weights as the wastetrail record stores them: integer grams. Scales send decimal text in their own
 * unit ("100.00 g", "0012.34kg", "2.205 lb"); this file turns that text into grams without floating
 * point, so "0.1 kg" is exactly 100 g and never 99.99999999999999.
 *
 * Rounding rule: to the nearest gram, halves away from zero (1.5 g -> 2 g, -1.5 g -> -2 g), the way an
 * indicator rounds its own display. Every reading says whether it was rounded. With `rounding: 'exact'`
 * a value that is not a whole number of grams is refused (INEXACT_WEIGHT) instead.
 */
import { scaleError, type ScaleResult } from './errors.ts';

export const WEIGHT_UNITS = ['mg', 'g', 'kg', 't', 'oz', 'lb'] as const;
export type WeightUnit = (typeof WEIGHT_UNITS)[number];

export type Rounding = 'nearest' | 'exact';

/**
 * Grams per unit as an exact fraction. The pound is the international avoirdupois pound of 1959,
 * 453.59237 g exactly; the ounce is 1/16 of it, 28.349523125 g exactly.
 */
const GRAMS_PER_UNIT: Record<WeightUnit, { num: bigint; den: bigint }> = {
  mg: { num: 1n, den: 1000n },
  g: { num: 1n, den: 1n },
  kg: { num: 1000n, den: 1n },
  t: { num: 1_000_000n, den: 1n },
  lb: { num: 45_359_237n, den: 100_000n },
  oz: { num: 45_359_237n, den: 1_600_000n },
};

/** More digits than any indicator shows: longer numbers are noise, not weights. */
const MAX_DIGITS = 15;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export interface Decimal {
  negative: boolean;
  /** All digits as one integer: "-12.50" is 1250 with scale 2. */
  digits: bigint;
  /** Digits after the point. */
  scale: number;
}

/** Parses "+001234.5", "-0.003", "12.", ".5"; refuses anything else (exponents, commas, spaces). */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int.length + frac.length === 0 || int.length + frac.length > MAX_DIGITS) return undefined;
  return { negative: m[1] === '-', digits: BigInt(int + frac), scale: frac.length };
}

/**
 * A decimal as a display shows it, for `DisplayedWeight.value`: padding zeros and a plus sign dropped,
 * digits after the point kept ("+001234.5" -> "1234.5", "-0000.50" -> "-0.50").
 */
export function normaliseDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m || !parseDecimal(text)) return undefined;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const body = m[3] === undefined || m[3] === '' ? int : `${int}.${m[3]}`;
  return m[1] === '-' ? `-${body}` : body;
}

/** The unit a scale printed, normalised ("Kg", " kg" -> "kg"), or undefined when it is not a mass. */
export function weightUnit(text: string): WeightUnit | undefined {
  const u = text.trim().toLowerCase();
  return (WEIGHT_UNITS as readonly string[]).includes(u) ? (u as WeightUnit) : undefined;
}

export interface Grams {
  grams: number;
  /** True when the value was not a whole number of grams and was rounded. */
  rounded: boolean;
}

/** Converts a displayed decimal in `unit` to integer grams (see the rounding rule above). */
export function toGrams(value: string, unit: string, rounding: Rounding = 'nearest'): ScaleResult<Grams> {
  const u = weightUnit(unit);
  if (!u) return scaleError('UNKNOWN_UNIT', `"${unit}" is not a unit of mass this system converts (${WEIGHT_UNITS.join(', ')})`);
  const d = parseDecimal(value);
  if (!d) return scaleError('MALFORMED', `"${value}" is not a decimal number`);
  const { num, den } = GRAMS_PER_UNIT[u];
  const n = d.digits * num;
  const q = 10n ** BigInt(d.scale) * den;
  let whole = n / q;
  const rest = n % q;
  if (rest !== 0n && rounding === 'exact') {
    return scaleError('INEXACT_WEIGHT', `${value} ${u} is not a whole number of grams`);
  }
  if (2n * rest >= q) whole += 1n;
  if (whole > BigInt(Number.MAX_SAFE_INTEGER)) return scaleError('OUT_OF_RANGE', `${value} ${u} is beyond any weighable load`);
  const grams = Number(whole);
  // "-0.00" is zero, not -0: -0 prints as 0 but fails Object.is and some serialisers keep the sign.
  return { ok: true, value: { grams: d.negative && grams !== 0 ? -grams : grams, rounded: rest !== 0n } };
}

/**
 * Writes integer grams as a display would in `unit` with `decimals` digits after the point, rounding
 * halves away from zero (1234 g in kg with 2 decimals is "1.23"). No sign for positive values.
 * Used by the simulators to produce what an indicator shows.
 */
export function formatGrams(grams: number, unit: WeightUnit, decimals: number): string {
  if (!Number.isSafeInteger(grams)) throw new RangeError(`grams must be a safe integer, got ${grams}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6) throw new RangeError(`decimals must be 0-6, got ${decimals}`);
  const { num, den } = GRAMS_PER_UNIT[unit];
  // value * 10^decimals = grams * den * 10^decimals / num
  const n = BigInt(Math.abs(grams)) * den * 10n ** BigInt(decimals);
  let scaled = n / num;
  if (2n * (n % num) >= num) scaled += 1n;
  let text = scaled.toString().padStart(decimals + 1, '0');
  if (decimals > 0) text = `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
  return grams < 0 && scaled !== 0n ? `-${text}` : text;
}
