import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  decodeEnvelope,
  decodeRecordBytes,
  encodeEnvelope,
  fromBase64,
  generateEd25519KeyPair,
  ed25519Signer,
  GENESIS_PREV,
  keyId,
  nodeEd25519Verify,
  parseKeyring,
  recordHash,
  signRecord,
  toBase64,
  utf8,
  verifyRecord,
  type Keyring,
} from '../../src/index.ts';

function oneDevice(stations: ('department' | 'disposal')[] = ['department']) {
  const pair = generateEd25519KeyPair();
  const signer = ed25519Signer(pair.privateKeyPem);
  const keyring: Keyring = {
    devices: new Map([['dev-a1', { device: 'dev-a1', institution: 'h1', stations, keys: [{ publicKeySpki: pair.publicKeySpki, kid: keyId(pair.publicKeySpki) }] }]]),
  };
  return { signer, ctx: { keyring, ed25519Verify: nodeEd25519Verify } };
}

const sealed = {
  type: 'sealed' as const,
  body: { tags: ['epc:3074257bf7194e4000001a85'], category: 'infectious' as const, weight: { value: 1250, unit: 'g' as const }, department: 'ICU', staff: 'b-1' },
};
const draft = { device: 'dev-a1', seq: 1, prev: GENESIS_PREV, time: '2026-03-02T08:00:00.000Z', event: sealed };

describe('signRecord / verifyRecord', () => {
  it('round-trips: the verifier returns the record, its hash, and the exact bytes', () => {
    const { signer, ctx } = oneDevice();
    const signed = signRecord(draft, signer);
    const v = verifyRecord({ bytes: signed.bytes, signature: signed.signature }, ctx);
    const { event: _event, ...header } = draft;
    expect(v.ok && v.value.record).toStrictEqual({ v: 1, ...header, kid: keyId(signer.publicKeySpki), type: 'sealed', body: sealed.body });
    expect(v.ok && v.value.hash).toBe(recordHash(signed.bytes));
    expect(new TextDecoder().decode(signed.bytes)).toBe(canonicalJson(v.ok ? v.value.record : null));
  });

  it('refuses to sign a record that would not verify', () => {
    const { signer } = oneDevice();
    expect(() => signRecord({ ...draft, event: { ...sealed, body: { ...sealed.body, category: 'radioactive' as never } } }, signer)).toThrow(/INVALID_FIELD/);
    expect(() => signRecord({ ...draft, seq: 0 }, signer)).toThrow(/seq/);
  });

  it('rejects a station signing an event outside its role', () => {
    const { signer, ctx } = oneDevice(['disposal']);
    const signed = signRecord(draft, signer);
    const v = verifyRecord(signed, ctx);
    expect(!v.ok && v.error).toMatchObject({ code: 'EVENT_NOT_ALLOWED', device: 'dev-a1', seq: 1 });
  });

  it('rejects a signature from another key and a signature over other bytes', () => {
    const { signer, ctx } = oneDevice();
    const signed = signRecord(draft, signer);
    const other = signRecord({ ...draft, seq: 2 }, signer);
    expect(verifyRecord({ bytes: signed.bytes, signature: other.signature }, ctx)).toMatchObject({ ok: false, error: { code: 'BAD_SIGNATURE' } });
    expect(verifyRecord({ bytes: signed.bytes, signature: new Uint8Array(64) }, ctx)).toMatchObject({ ok: false, error: { code: 'BAD_SIGNATURE' } });
  });
});

describe('decodeRecordBytes never throws on garbage', () => {
  const garbage = ['', 'null', '[]', '"x"', '{', '{"v":1}', '\u00ff', '{"v":1e400}', '{"v":1,"v":1}'];
  for (const g of garbage) {
    it(`${JSON.stringify(g)} -> a typed error`, () => {
      const r = decodeRecordBytes(utf8(g));
      expect(r.ok).toBe(false);
    });
  }
  it('invalid UTF-8 is MALFORMED_RECORD', () => {
    expect(decodeRecordBytes(Uint8Array.from([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, error: { code: 'MALFORMED_RECORD' } });
  });
  it('a fractional weight is not canonical (records hold integers only)', () => {
    const { signer } = oneDevice();
    const text = new TextDecoder().decode(signRecord(draft, signer).bytes).replace('"value":1250', '"value":1250.5');
    expect(decodeRecordBytes(utf8(text))).toMatchObject({ ok: false, error: { code: 'NON_CANONICAL_RECORD' } });
  });
});

describe('envelope', () => {
  it('round-trips and rejects extra fields, short signatures and non-canonical base64', () => {
    const { signer } = oneDevice();
    const signed = signRecord(draft, signer);
    const text = encodeEnvelope(signed);
    const back = decodeEnvelope(text);
    expect(back.ok && toBase64(back.value.bytes)).toBe(toBase64(signed.bytes));
    expect(decodeEnvelope(text.replace('}', ',"x":1}')).ok).toBe(false);
    expect(decodeEnvelope(`{"record":"eyJ9","sig":"AAAA"}`).ok).toBe(false);
    expect(decodeEnvelope('not json')).toMatchObject({ ok: false, error: { code: 'MALFORMED_ENVELOPE' } });
  });
  it('base64 with non-zero padding bits is refused (same bytes, different text)', () => {
    expect(fromBase64('QQ==')).toEqual(Uint8Array.from([0x41]));
    expect(fromBase64('QR==')).toBeUndefined();
    expect(fromBase64('QQ')).toBeUndefined();
  });
});

describe('keyring', () => {
  it('names the field that is wrong', () => {
    const r = parseKeyring({ format: 'wastetrail.keyring.v1', devices: { 'dev-a1': { institution: 'h1', stations: ['kitchen'], keys: [] } } });
    expect(!r.ok && r.error.message).toMatch(/stations\[0\]/);
    expect(parseKeyring({ format: 'x', devices: {} }).ok).toBe(false);
    const badKey = parseKeyring({ format: 'wastetrail.keyring.v1', devices: { 'dev-a1': { institution: 'h1', stations: ['department'], keys: [{ publicKey: 'AAAA' }] } } });
    expect(!badKey.ok && badKey.error.message).toMatch(/publicKey/);
  });
});

describe('codes as printed', () => {
  it('a Chinese plate signs and verifies; a space or control character in a code does not', () => {
    const { signer, ctx } = oneDevice(['department']);
    ctx.keyring.devices.get('dev-a1')!.stations.push('pickup' as never);
    const pickup = { type: 'picked-up' as const, body: { bags: [{ tag: 'qr:WT1' }], weight: { value: 900, unit: 'g' as const }, giver: 'k-1', crew: 'c-1', vehicle: '浙A12345', manifest: 'HZ2026' } };
    const signed = signRecord({ ...draft, event: pickup }, signer);
    expect(verifyRecord(signed, ctx)).toMatchObject({ ok: true, value: { record: { body: { vehicle: '浙A12345' } } } });
    expect(() => signRecord({ ...draft, event: { ...pickup, body: { ...pickup.body, vehicle: '浙A 12345' } } }, signer)).toThrow(/INVALID_FIELD/);
    expect(() => signRecord({ ...draft, event: { ...pickup, body: { ...pickup.body, vehicle: 'A\u0007' } } }, signer)).toThrow(/INVALID_FIELD/);
  });
});
