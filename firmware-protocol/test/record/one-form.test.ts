/**
 * One record, one byte form, one envelope text: the holes a second verifier written from the doc found.
 * A record whose bytes carry a byte-order mark or a repeated key, and an envelope with repeated fields,
 * spaces or escapes, are refused with a named code, even when the signature over those bytes is good.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  signingMessage,
  splitEnvelopeLines,
  toBase64,
  utf8,
  verifyRecord,
  type SignedRecord,
} from '../../src/index.ts';
import { vectorContext, vectorLines, vectorRecords } from '../support.ts';
import { VECTOR_SEEDS } from '../vectors/build.ts';

const device = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS['hz-h001-ref-01']).privateKeyPem);
/** Bytes signed by the vector device's real key, whatever they are. */
const signed = (bytes: Uint8Array): SignedRecord => ({ bytes, signature: device.sign(signingMessage(bytes)) });
const golden = vectorRecords('chain-valid.jsonl')[1]!;
const goldenText = new TextDecoder().decode(golden.bytes);

describe('record bytes', () => {
  it('the golden record verifies (the baseline the cases below change)', () => {
    expect(verifyRecord(golden, vectorContext()).ok).toBe(true);
  });

  it('refuses a byte-order mark before canonical JSON, though it is signed', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...golden.bytes]);
    const r = verifyRecord(signed(bom), vectorContext());
    expect(r.ok ? 'accepted' : r.error).toMatchObject({ code: 'NON_CANONICAL_RECORD', message: expect.stringContaining('byte-order mark') });
  });

  it('refuses a repeated key, though it is signed and the last one would parse to the same record', () => {
    const twice = goldenText.replace('"v":1}', '"v":1,"v":1}');
    const r = verifyRecord(signed(utf8(twice)), vectorContext());
    expect(r.ok ? 'accepted' : r.error.code).toBe('NON_CANONICAL_RECORD');
  });

  it('refuses an escaped character that canonical JSON writes plainly', () => {
    const escaped = goldenText.replace('"sealed"', '"s\\u0065aled"');
    const r = verifyRecord(signed(utf8(escaped)), vectorContext());
    expect(r.ok ? 'accepted' : r.error.code).toBe('NON_CANONICAL_RECORD');
  });
});

describe('the envelope', () => {
  const line = vectorLines('chain-valid.jsonl')[1]!;
  const rec = toBase64(golden.bytes);
  const sig = toBase64(golden.signature);

  it('accepts exactly the form encodeEnvelope writes', () => {
    expect(line).toBe(encodeEnvelope(golden));
    expect(decodeEnvelope(line).ok).toBe(true);
  });

  const variants: Array<[string, string]> = [
    ['a repeated "record" (the last would win in JSON.parse)', `{"record":"${toBase64(utf8('{}'))}","record":"${rec}","sig":"${sig}"}`],
    ['a repeated "sig"', `{"record":"${rec}","sig":"${sig}","sig":"${sig}"}`],
    ['a space after a colon', `{"record": "${rec}","sig":"${sig}"}`],
    ['the fields in the other order', `{"sig":"${sig}","record":"${rec}"}`],
    // Base64 uses "/"; JSON may write it "\/". Some golden line has one.
    ['an escaped slash in the base64', vectorLines('chain-valid.jsonl').find((l) => l.includes('/'))!.replace('/', '\\/')],
    ['a \\u escape', `{"record":"${rec.replace(/[A-Z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}","sig":"${sig}"}`],
    ['a byte-order mark', `\uFEFF${line}`],
    ['a trailing space', `${line} `],
    ['a blank line', ''],
  ];
  for (const [what, text] of variants) {
    it(`refuses ${what}`, () => {
      expect(text).not.toBe(line);
      const r = decodeEnvelope(text);
      expect(r.ok ? 'accepted' : r.error.code).toBe('MALFORMED_ENVELOPE');
    });
  }
});

describe('envelope lines', () => {
  it('end with LF or CRLF; the last LF may be missing; blank lines and bare CRs are kept (and then refused)', () => {
    expect(splitEnvelopeLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitEnvelopeLines('a\r\nb')).toEqual(['a', 'b']);
    expect(splitEnvelopeLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitEnvelopeLines('a\rb\n')).toEqual(['a\rb']);
    expect(splitEnvelopeLines('')).toEqual([]);
  });
});
