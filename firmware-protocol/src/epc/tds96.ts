/**
 * GS1 EPC Tag Data Standard, the four 96-bit schemes a waste trail meets, decoded to pure-identity URIs:
 *
 *   0x30 SGTIN-96  a bag pre-tagged by its maker      urn:epc:id:sgtin:CompanyPrefix.ItemRef.Serial
 *   0x31 SSCC-96   a logistic unit, e.g. tagged at sealing   urn:epc:id:sscc:CompanyPrefix.SerialRef
 *   0x33 GRAI-96   a reusable turnover box or cart    urn:epc:id:grai:CompanyPrefix.AssetType.Serial
 *   0x34 GIAI-96   a fixed asset (and, by our convention, a staff badge)   urn:epc:id:giai:CompanyPrefix.AssetRef
 *
 * Layout: header(8) filter(3) partition(3), then the company prefix and a second field whose bit widths
 * the partition value picks, then (SGTIN, GRAI) a 38-bit serial or (SSCC) 24 unused zero bits.
 * Everything else decodes to `scheme: 'unknown'` with its raw hex: many bags carry proprietary EPCs, and
 * custody is keyed on the raw hex (tagIdFromEpc) whatever the header says.
 */
import { toHex } from '../encoding.ts';
import type { Result } from '../record/errors.ts';

export const EPC_HEADER = { 'sgtin-96': 0x30, 'sscc-96': 0x31, 'grai-96': 0x33, 'giai-96': 0x34 } as const;
export type Epc96Scheme = keyof typeof EPC_HEADER;

/** One row of a TDS partition table: bits and decimal digits of the company prefix and of the field after it. */
interface PartitionRow {
  prefixBits: number;
  prefixDigits: number;
  refBits: number;
  refDigits: number;
}

/** Rows for partition values 0-6, built from the fact that the prefix shrinks as the reference grows. */
function table(prefixBits: readonly number[], refTotalBits: number, refDigitsAtZero: number): readonly PartitionRow[] {
  return prefixBits.map((bits, p) => ({ prefixBits: bits, prefixDigits: 12 - p, refBits: refTotalBits - bits, refDigits: refDigitsAtZero + p }));
}
const PREFIX_BITS = [40, 37, 34, 30, 27, 24, 20] as const;

/** TDS tables 14-2 (SGTIN), 14-5 (SSCC), 14-11 (GRAI), 14-14 (GIAI): M + N bits per scheme. */
const PARTITIONS: Record<Epc96Scheme, readonly PartitionRow[]> = {
  'sgtin-96': table(PREFIX_BITS, 44, 1), // item reference with its indicator digit: 13 - L digits
  'sscc-96': table(PREFIX_BITS, 58, 5), // serial reference with its extension digit: 17 - L digits
  'grai-96': table(PREFIX_BITS, 44, 0), // asset type: 12 - L digits (none at all for a 12-digit prefix)
  'giai-96': table(PREFIX_BITS, 82, 13), // individual asset reference, an integer of up to 25 - L digits
};
const SERIAL_BITS = 38;
const SSCC_RESERVED_BITS = 24;

interface EpcCommon {
  /** Lower-case hex of all the EPC bytes, exactly as read. */
  hex: string;
  filter: number;
  companyPrefix: string;
}
export interface Sgtin96 extends EpcCommon {
  scheme: 'sgtin-96';
  /** Indicator digit and item reference, zero-padded to 13 - prefix length digits. */
  itemReference: string;
  serial: string;
  uri: string;
  tagUri: string;
}
export interface Sscc96 extends EpcCommon {
  scheme: 'sscc-96';
  /** Extension digit and serial reference, zero-padded to 17 - prefix length digits. */
  serialReference: string;
  uri: string;
  tagUri: string;
}
export interface Grai96 extends EpcCommon {
  scheme: 'grai-96';
  /** Zero-padded to 12 - prefix length digits; empty for a 12-digit company prefix. */
  assetType: string;
  serial: string;
  uri: string;
  tagUri: string;
}
export interface Giai96 extends EpcCommon {
  scheme: 'giai-96';
  /** An integer, no leading zeros. */
  assetReference: string;
  uri: string;
  tagUri: string;
}

export type UnknownEpcReason = 'unknown-header' | 'not-96-bits' | 'bad-partition' | 'field-out-of-range' | 'reserved-bits-set';

/** Not one of the four schemes, or bits the TDS says cannot occur: kept as raw hex, never guessed at. */
export interface UnknownEpc {
  scheme: 'unknown';
  hex: string;
  /** The first byte, if any. */
  header: number | undefined;
  reason: UnknownEpcReason;
  message: string;
}

export type DecodedEpc = Sgtin96 | Sscc96 | Grai96 | Giai96 | UnknownEpc;

const SCHEME_BY_HEADER = new Map<number, Epc96Scheme>(Object.entries(EPC_HEADER).map(([s, h]) => [h, s as Epc96Scheme]));

/** Reads `bits` bits of a 96-bit big-endian value, starting `from` bits after the most significant one. */
function bitsAt(value: bigint, from: number, bits: number): bigint {
  return (value >> BigInt(96 - from - bits)) & ((1n << BigInt(bits)) - 1n);
}

export function decodeEpc(epc: Uint8Array): DecodedEpc {
  const hex = toHex(epc);
  const header = epc[0];
  const unknown = (reason: UnknownEpcReason, message: string): UnknownEpc => ({ scheme: 'unknown', hex, header, reason, message });
  const scheme = header === undefined ? undefined : SCHEME_BY_HEADER.get(header);
  if (scheme === undefined) return unknown('unknown-header', header === undefined ? 'an empty EPC' : `header 0x${hex.slice(0, 2)} is not one this system decodes`);
  if (epc.length !== 12) return unknown('not-96-bits', `header 0x${hex.slice(0, 2)} (${scheme}) on an EPC of ${epc.length * 8} bits`);

  const value = BigInt(`0x${hex}`);
  const filter = Number(bitsAt(value, 8, 3));
  const partition = Number(bitsAt(value, 11, 3));
  const row = PARTITIONS[scheme][partition];
  if (!row) return unknown('bad-partition', `partition value ${partition} is undefined for ${scheme}`);
  const prefix = bitsAt(value, 14, row.prefixBits);
  const ref = bitsAt(value, 14 + row.prefixBits, row.refBits);
  const rest = bitsAt(value, 14 + row.prefixBits + row.refBits, 96 - 14 - row.prefixBits - row.refBits);
  if (prefix >= 10n ** BigInt(row.prefixDigits)) return unknown('field-out-of-range', `company prefix ${prefix} has more than ${row.prefixDigits} digits`);
  if (ref >= 10n ** BigInt(row.refDigits)) return unknown('field-out-of-range', `the reference ${ref} has more than ${row.refDigits} digits`);

  const companyPrefix = prefix.toString().padStart(row.prefixDigits, '0');
  const common = { hex, filter, companyPrefix };
  switch (scheme) {
    case 'sgtin-96': {
      const itemReference = ref.toString().padStart(row.refDigits, '0');
      const serial = rest.toString();
      const body = `${companyPrefix}.${itemReference}.${serial}`;
      return { scheme, ...common, itemReference, serial, uri: `urn:epc:id:sgtin:${body}`, tagUri: `urn:epc:tag:sgtin-96:${filter}.${body}` };
    }
    case 'sscc-96': {
      if (rest !== 0n) return unknown('reserved-bits-set', `SSCC-96 has ${SSCC_RESERVED_BITS} reserved bits that must be zero`);
      const serialReference = ref.toString().padStart(row.refDigits, '0');
      const body = `${companyPrefix}.${serialReference}`;
      return { scheme, ...common, serialReference, uri: `urn:epc:id:sscc:${body}`, tagUri: `urn:epc:tag:sscc-96:${filter}.${body}` };
    }
    case 'grai-96': {
      const assetType = row.refDigits === 0 ? '' : ref.toString().padStart(row.refDigits, '0');
      const serial = rest.toString();
      const body = `${companyPrefix}.${assetType}.${serial}`;
      return { scheme, ...common, assetType, serial, uri: `urn:epc:id:grai:${body}`, tagUri: `urn:epc:tag:grai-96:${filter}.${body}` };
    }
    case 'giai-96': {
      const assetReference = ref.toString();
      const body = `${companyPrefix}.${assetReference}`;
      return { scheme, ...common, assetReference, uri: `urn:epc:id:giai:${body}`, tagUri: `urn:epc:tag:giai-96:${filter}.${body}` };
    }
  }
}

// --- Encoders: for simulators and tests (so vectors round-trip), and for stations that write tags. ---

export type EpcEncodeError = { code: 'BAD_FIELD'; field: string; message: string };

const DIGITS = /^[0-9]+$/;

function encode96(scheme: Epc96Scheme, filter: number, companyPrefix: string, ref: string, tail: bigint, tailBits: number): Result<Uint8Array, EpcEncodeError> {
  const bad = (field: string, message: string) => ({ ok: false as const, error: { code: 'BAD_FIELD' as const, field, message } });
  if (!Number.isInteger(filter) || filter < 0 || filter > 7) return bad('filter', 'the filter value is an integer from 0 to 7');
  if (!DIGITS.test(companyPrefix) || companyPrefix.length < 6 || companyPrefix.length > 12) {
    return bad('companyPrefix', 'a GS1 company prefix is 6 to 12 digits');
  }
  const partition = 12 - companyPrefix.length;
  const row = PARTITIONS[scheme][partition]!;
  const refIsInteger = scheme === 'giai-96';
  if (refIsInteger ? !/^(0|[1-9][0-9]*)$/.test(ref) : row.refDigits === 0 ? ref !== '' : !DIGITS.test(ref) || ref.length !== row.refDigits) {
    const what = refIsInteger ? 'an integer without leading zeros' : `exactly ${row.refDigits} digits with a ${companyPrefix.length}-digit company prefix`;
    return bad('reference', `the reference must be ${what}`);
  }
  const refValue = ref === '' ? 0n : BigInt(ref);
  if (refValue >= 1n << BigInt(row.refBits)) return bad('reference', `the reference does not fit ${row.refBits} bits`);
  if (tail >= 1n << BigInt(tailBits)) return bad('serial', `the serial does not fit ${tailBits} bits`);
  let value = BigInt(EPC_HEADER[scheme]);
  value = (value << 3n) | BigInt(filter);
  value = (value << 3n) | BigInt(partition);
  value = (value << BigInt(row.prefixBits)) | BigInt(companyPrefix);
  value = (value << BigInt(row.refBits)) | refValue;
  value = (value << BigInt(tailBits)) | tail;
  const out = new Uint8Array(12);
  for (let i = 11; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return { ok: true, value: out };
}

function serialValue(serial: string): bigint | undefined {
  // TDS: a 96-bit serial is an integer without leading zeros ("0" itself is allowed).
  return /^(0|[1-9][0-9]{0,11})$/.test(serial) ? BigInt(serial) : undefined;
}

export function encodeSgtin96(f: { filter: number; companyPrefix: string; itemReference: string; serial: string }): Result<Uint8Array, EpcEncodeError> {
  const serial = serialValue(f.serial);
  if (serial === undefined) return { ok: false, error: { code: 'BAD_FIELD', field: 'serial', message: 'the serial must be an integer without leading zeros' } };
  return encode96('sgtin-96', f.filter, f.companyPrefix, f.itemReference, serial, SERIAL_BITS);
}

export function encodeSscc96(f: { filter: number; companyPrefix: string; serialReference: string }): Result<Uint8Array, EpcEncodeError> {
  return encode96('sscc-96', f.filter, f.companyPrefix, f.serialReference, 0n, SSCC_RESERVED_BITS);
}

export function encodeGrai96(f: { filter: number; companyPrefix: string; assetType: string; serial: string }): Result<Uint8Array, EpcEncodeError> {
  const serial = serialValue(f.serial);
  if (serial === undefined) return { ok: false, error: { code: 'BAD_FIELD', field: 'serial', message: 'the serial must be an integer without leading zeros' } };
  return encode96('grai-96', f.filter, f.companyPrefix, f.assetType, serial, SERIAL_BITS);
}

export function encodeGiai96(f: { filter: number; companyPrefix: string; assetReference: string }): Result<Uint8Array, EpcEncodeError> {
  return encode96('giai-96', f.filter, f.companyPrefix, f.assetReference, 0n, 0);
}
