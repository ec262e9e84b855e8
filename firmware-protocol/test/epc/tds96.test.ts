import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epcFromTagId, tagIdFromEpc } from '../../src/epc/tag-id.ts';
import { decodeEpc, encodeGiai96, encodeGrai96, encodeSgtin96, encodeSscc96, type DecodedEpc } from '../../src/epc/tds96.ts';
import { fromHex, toHex } from '../../src/encoding.ts';

const decodeHex = (h: string): DecodedEpc => decodeEpc(fromHex(h)!);

/**
 * Vectors: the SGTIN-96 one from the device brief; the others computed by hand from the TDS layout
 * (header, filter 3 bits, partition 3 bits, company prefix, reference, serial) and cross-checked with an
 * independent script.
 */
const VECTORS = [
  { hex: '3074257bf7194e4000001a85', uri: 'urn:epc:id:sgtin:0614141.812345.6789', tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789' },
  { hex: '3174257bf4499602d2000000', uri: 'urn:epc:id:sscc:0614141.1234567890', tagUri: 'urn:epc:tag:sscc-96:3.0614141.1234567890' },
  { hex: '3374257bf40c0e400000162e', uri: 'urn:epc:id:grai:0614141.12345.5678', tagUri: 'urn:epc:tag:grai-96:3.0614141.12345.5678' },
  { hex: '3474257bf40000000000162e', uri: 'urn:epc:id:giai:0614141.5678', tagUri: 'urn:epc:tag:giai-96:3.0614141.5678' },
  { hex: '3474257bf4000002dfdc1c35', uri: 'urn:epc:id:giai:0614141.12345678901', tagUri: 'urn:epc:tag:giai-96:3.0614141.12345678901' },
  { hex: '3414257bf400000000018986', uri: 'urn:epc:id:giai:0614141.100742', tagUri: 'urn:epc:tag:giai-96:0.0614141.100742' },
] as const;

describe('EPC TDS 96-bit decoding', () => {
  it.each(VECTORS)('$uri', ({ hex, uri, tagUri }) => {
    expect(decodeHex(hex)).toMatchObject({ hex, uri, tagUri });
  });

  it('names every field of the SGTIN-96 vector', () => {
    expect(decodeHex('3074257bf7194e4000001a85')).toEqual({
      scheme: 'sgtin-96',
      hex: '3074257bf7194e4000001a85',
      filter: 3,
      companyPrefix: '0614141',
      itemReference: '812345',
      serial: '6789',
      uri: 'urn:epc:id:sgtin:0614141.812345.6789',
      tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
    });
  });

  it('keeps the raw hex of what it does not decode, with a typed reason', () => {
    expect(decodeHex('e2000017220b0123456789ab')).toMatchObject({ scheme: 'unknown', header: 0xe2, reason: 'unknown-header', hex: 'e2000017220b0123456789ab' });
    expect(decodeHex('')).toMatchObject({ scheme: 'unknown', header: undefined, reason: 'unknown-header' });
    expect(decodeHex('3074257bf7194e4000001a8500')).toMatchObject({ scheme: 'unknown', reason: 'not-96-bits' });
    // Partition 7 does not exist.
    expect(decodeHex('307c257bf7194e4000001a85')).toMatchObject({ scheme: 'unknown', reason: 'bad-partition' });
    // Partition 0 (12-digit prefix, 40 bits) holding 2^40 - 1 > 999 999 999 999.
    expect(decodeHex('3063ffffffffff0000001a85')).toMatchObject({ scheme: 'unknown', reason: 'field-out-of-range' });
    // SSCC-96 with its reserved 24 bits not zero.
    expect(decodeHex('3174257bf4499602d2000001')).toMatchObject({ scheme: 'unknown', reason: 'reserved-bits-set' });
  });

  it('decodes a GRAI-96 with a 12-digit company prefix and so no asset type digits', () => {
    const encoded = encodeGrai96({ filter: 0, companyPrefix: '061414112345', assetType: '', serial: '1' });
    expect(encoded.ok && decodeEpc(encoded.value)).toMatchObject({ assetType: '', uri: 'urn:epc:id:grai:061414112345..1' });
  });
});

describe('EPC TDS 96-bit encoding', () => {
  it('encodes the vectors', () => {
    const enc = [
      encodeSgtin96({ filter: 3, companyPrefix: '0614141', itemReference: '812345', serial: '6789' }),
      encodeSscc96({ filter: 3, companyPrefix: '0614141', serialReference: '1234567890' }),
      encodeGrai96({ filter: 3, companyPrefix: '0614141', assetType: '12345', serial: '5678' }),
      encodeGiai96({ filter: 3, companyPrefix: '0614141', assetReference: '5678' }),
    ];
    expect(enc.map((r) => (r.ok ? toHex(r.value) : r.error.message))).toEqual(VECTORS.slice(0, 4).map((v) => v.hex));
  });

  it('refuses fields that do not fit their partition', () => {
    expect(encodeSgtin96({ filter: 3, companyPrefix: '0614141', itemReference: '81234', serial: '1' })).toMatchObject({ ok: false, error: { field: 'reference' } });
    expect(encodeSgtin96({ filter: 3, companyPrefix: '0614141', itemReference: '812345', serial: '01' })).toMatchObject({ ok: false, error: { field: 'serial' } });
    expect(encodeSgtin96({ filter: 3, companyPrefix: '0614141', itemReference: '812345', serial: '274877906944' })).toMatchObject({ ok: false, error: { field: 'serial' } });
    expect(encodeSgtin96({ filter: 8, companyPrefix: '0614141', itemReference: '812345', serial: '1' })).toMatchObject({ ok: false, error: { field: 'filter' } });
    expect(encodeSscc96({ filter: 0, companyPrefix: '12345', serialReference: '123456789012' })).toMatchObject({ ok: false, error: { field: 'companyPrefix' } });
    expect(encodeGiai96({ filter: 0, companyPrefix: '0614141', assetReference: '0123' })).toMatchObject({ ok: false, error: { field: 'reference' } });
    // GIAI-96 with a 12-digit prefix: 42 bits, and 13 digits would need more.
    expect(encodeGiai96({ filter: 0, companyPrefix: '061414112345', assetReference: '9999999999999' })).toMatchObject({ ok: false, error: { field: 'reference' } });
  });

  const prefix = fc.integer({ min: 6, max: 12 }).chain((l) => fc.stringMatching(new RegExp(`^[0-9]{${l}}$`)));
  const digits = (n: number) => (n === 0 ? fc.constant('') : fc.stringMatching(new RegExp(`^[0-9]{${n}}$`)));
  const serial = fc.bigInt({ min: 0n, max: (1n << 38n) - 1n }).map(String);
  const filter = fc.integer({ min: 0, max: 7 });

  it('round-trips SGTIN-96 and GRAI-96 for every partition', () => {
    fc.assert(
      fc.property(prefix.chain((p) => fc.tuple(fc.constant(p), digits(13 - p.length), digits(12 - p.length))), serial, filter, ([p, item, asset], s, f) => {
        const sgtin = encodeSgtin96({ filter: f, companyPrefix: p, itemReference: item, serial: s });
        expect(sgtin.ok && decodeEpc(sgtin.value)).toMatchObject({ scheme: 'sgtin-96', filter: f, companyPrefix: p, itemReference: item, serial: s });
        const grai = encodeGrai96({ filter: f, companyPrefix: p, assetType: asset, serial: s });
        expect(grai.ok && decodeEpc(grai.value)).toMatchObject({ scheme: 'grai-96', filter: f, companyPrefix: p, assetType: asset, serial: s });
      }),
    );
  });

  it('round-trips SSCC-96 and GIAI-96 for every partition', () => {
    fc.assert(
      fc.property(prefix.chain((p) => fc.tuple(fc.constant(p), digits(17 - p.length), fc.bigInt({ min: 0n, max: 10n ** BigInt(25 - p.length) - 1n }))), filter, ([p, ref, asset], f) => {
        const sscc = encodeSscc96({ filter: f, companyPrefix: p, serialReference: ref });
        expect(sscc.ok && decodeEpc(sscc.value)).toMatchObject({ scheme: 'sscc-96', companyPrefix: p, serialReference: ref });
        const giai = encodeGiai96({ filter: f, companyPrefix: p, assetReference: asset.toString() });
        // Not every (25 - L)-digit number fits the partition's bits; those must be refused, not truncated.
        const bits = [42, 45, 48, 52, 55, 58, 62][12 - p.length]!;
        if (asset < 1n << BigInt(bits)) expect(giai.ok && decodeEpc(giai.value)).toMatchObject({ scheme: 'giai-96', companyPrefix: p, assetReference: asset.toString() });
        else expect(giai.ok).toBe(false);
      }),
    );
  });

  it('decodes any 96 bits without throwing, and re-encodes whatever it decodes', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x30, 0x31, 0x33, 0x34, 0x35, 0xe2), fc.uint8Array({ minLength: 11, maxLength: 11 }), (header, rest) => {
        const epc = Uint8Array.of(header, ...rest);
        const d = decodeEpc(epc);
        expect(d.hex).toBe(toHex(epc));
        let again;
        if (d.scheme === 'sgtin-96') again = encodeSgtin96(d);
        else if (d.scheme === 'sscc-96') again = encodeSscc96(d);
        else if (d.scheme === 'grai-96') again = encodeGrai96(d);
        else if (d.scheme === 'giai-96') again = encodeGiai96(d);
        if (again) expect(again.ok && toHex(again.value)).toBe(d.hex);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tag ids', () => {
  it('names any EPC by lower-case hex', () => {
    expect(tagIdFromEpc(fromHex('3074257bf7194e4000001a85')!)).toBe('epc:3074257bf7194e4000001a85');
    expect(tagIdFromEpc(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))).toBe('epc:deadbeef');
  });

  it('refuses EPCs a custody record cannot name', () => {
    expect(tagIdFromEpc(Uint8Array.of(1, 2, 3))).toBeUndefined();
    expect(tagIdFromEpc(new Uint8Array(63))).toBeUndefined();
    expect(tagIdFromEpc(new Uint8Array(62))).toBe(`epc:${'00'.repeat(62)}`);
  });

  it('reads the EPC back from an epc: tag id only', () => {
    expect(toHex(epcFromTagId('epc:deadbeef')!)).toBe('deadbeef');
    expect(epcFromTagId('epc:DEADBEEF')).toBeUndefined();
    expect(epcFromTagId('qr:WT1.H1.A.I250101.1X')).toBeUndefined();
  });
});
