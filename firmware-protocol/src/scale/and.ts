/**
 * A&D balances and A&D / CAS indicators: comma-separated ASCII lines, CRLF, often 7E1 on the wire.
 *
 *   balance     ST,+001234.5  g      header ST stable, US unstable, OL out of range; 9-character value,
 *                                    3-character unit (A&D standard format)
 *   indicator   ST,GS,+0012.34kg     second header GS gross, NT net, TR tare; 8-character value,
 *                                    2-character unit
 *   overload    OL,+9999999E+19      (balance) / OL,GS,+    .  kg (indicator); a minus sign means
 *                                    below range, reported as underload
 *
 * Fields are split on commas and the value on its sign, digits and point, never on columns: CAS models
 * pad with spaces where A&D pads with zeros. The CSV variant (`ST,+0000.1278,g`) is read too.
 */
import { scaleError, type ScaleResult } from './errors.ts';
import { LineStreamParser } from './lines.ts';
import { asciiBytes } from './bytes.ts';
import { type DisplayedWeight, type ScaleReading, type ScaleState, type StreamParserOptions, type WeightBasis, type WeightOptions } from './reading.ts';
import { normaliseDecimal, toGrams } from './weight.ts';

export type AndFormat = 'balance' | 'indicator';

const STATES: Record<string, ScaleState> = { ST: 'stable', US: 'dynamic' };
const BASES: Record<string, WeightBasis> = { GS: 'gross', NT: 'net', TR: 'tare' };
const BASIS_HEADERS: Record<WeightBasis, string> = { gross: 'GS', net: 'NT', tare: 'TR' };
const DATA = /^\s*([+-]?)\s*(\d*\.?\d*)\s*([A-Za-z]*)\s*$/;

/** Decodes one line (without its line end). */
export function decodeAndLine(line: string, options: WeightOptions = {}): ScaleResult<ScaleReading> {
  const raw = line.trim();
  const malformed = (why: string) => scaleError('MALFORMED', `not an A&D/CAS line (${why}): ${JSON.stringify(raw.slice(0, 40))}`);
  const fields = raw.split(',');
  const header = fields[0]!;
  let rest = fields.slice(1);
  const basis = rest.length >= 2 ? BASES[rest[0]!.trim()] : undefined;
  if (basis) rest = rest.slice(1);
  if (rest.length < 1 || rest.length > 2) return malformed('wrong number of fields');
  const data = rest.join(' ');

  if (header === 'OL') {
    const sign = data.trimStart()[0];
    if (sign !== '+' && sign !== '-' && sign !== undefined) return malformed('overload without a sign');
    return { ok: true, value: { state: sign === '-' ? 'underload' : 'overload', ...(basis ? { basis } : {}), raw } };
  }
  const state = STATES[header];
  if (!state) return malformed(`unknown header ${header}`);
  const m = DATA.exec(data);
  if (!m || !/\d/.test(m[2]!)) return malformed('no number');
  const value = normaliseDecimal(`${m[1]}${m[2]}`);
  if (value === undefined) return malformed('bad number');
  const unit = m[3] || options.unit;
  if (!unit) return scaleError('UNKNOWN_UNIT', 'the line carries no unit and none is configured');
  const g = toGrams(value, unit, options.rounding);
  if (!g.ok) return g;
  const display: DisplayedWeight = { value, unit };
  return { ok: true, value: { state, grams: g.value.grams, ...(basis ? { basis } : {}), display, rounded: g.value.rounded, raw } };
}

export interface AndLineInput {
  state: ScaleState;
  /** Indicator lines only: the second header. */
  basis?: WeightBasis;
  /** Required unless overload or underload. */
  display?: DisplayedWeight;
}

/**
 * One line as an A&D balance (no basis) or an A&D/CAS indicator (with a basis) prints it. Throws
 * RangeError when a stable or dynamic reading has no display value.
 */
export function encodeAndLine(input: AndLineInput): Uint8Array {
  const indicator = input.basis !== undefined;
  const headers = indicator ? `,${BASIS_HEADERS[input.basis!]}` : '';
  if (input.state === 'overload' || input.state === 'underload') {
    const sign = input.state === 'overload' ? '+' : '-';
    const data = indicator ? `${sign}    .  ${(input.display?.unit ?? 'kg').padStart(2)}` : `${sign}9999999E+19`;
    return asciiBytes(`OL${headers},${data}\r\n`);
  }
  if (!input.display) throw new RangeError(`an A&D ${input.state} line needs a displayed weight`);
  const { value, unit } = input.display;
  const negative = value.startsWith('-');
  const digits = value.replace(/^[+-]/, '');
  const body = indicator ? `${digits.padStart(7, '0')}${unit.padStart(2)}` : `${digits.padStart(8, '0')}${unit.padStart(3)}`;
  return asciiBytes(`${input.state === 'stable' ? 'ST' : 'US'}${headers},${negative ? '-' : '+'}${body}\r\n`);
}

const HEADERS = ['ST,', 'US,', 'OL,'];

/** Lines from an A&D balance or an A&D/CAS indicator, as bytes arrive. */
export class AndParser extends LineStreamParser<ScaleReading> {
  constructor(options: StreamParserOptions = {}) {
    super(
      {
        decode: (line) => decodeAndLine(line, options),
        mayStartAt: (line, i) => HEADERS.some((h) => line.startsWith(h, i)),
      },
      options,
    );
  }
}
