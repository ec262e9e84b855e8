/**
 * The tamperer's tools (pure): genuine devices with real keys and hash chains, and the ways a record,
 * an MQTT payload or an export line is tampered with. Each tampered input says which refusal codes are
 * the right answer: the campaign counts an input caught only when it was refused with one of them.
 */
import {
  canonicalJson,
  ed25519Signer,
  encodeEnvelope,
  generateEd25519KeyPair,
  GENESIS_PREV,
  keyId,
  RECORD_ERROR_CODES,
  signingMessage,
  signRecord,
  toBase64,
  utf8,
  type DecodedRecord,
  type Ed25519Signer,
} from '@wastetrail/firmware-protocol';

export interface Device {
  id: string;
  signer: Ed25519Signer;
  kid: string;
  publicKey: string;
  chain: DecodedRecord[];
}

export function newDevice(id: string, signer: Ed25519Signer = ed25519Signer(generateEd25519KeyPair().privateKeyPem)): Device {
  return { id, signer, kid: keyId(signer.publicKeySpki), publicKey: toBase64(signer.publicKeySpki), chain: [] };
}

/** A bag sealed at seq, after prev, at timeMs; `variant` makes another body (weight) at the same place. */
export function sealRecord(device: string, seq: number, prev: string, timeMs: number, signer: Ed25519Signer, variant = 0): DecodedRecord {
  return signRecord(
    {
      device,
      seq,
      prev,
      time: new Date(timeMs).toISOString(),
      event: {
        type: 'sealed',
        body: {
          tags: [`epc:${(seq * 1_000_003 + variant).toString(16).padStart(24, '0')}`],
          category: 'infectious',
          weight: { value: 1000 + (variant % 100_000), unit: 'g' },
          department: 'ICU',
          staff: 'badge-0101',
        },
      },
    },
    signer,
  );
}

/** Appends n genuine records, one a second from startMs (or after the last one). */
export function extendChain(d: Device, n: number, startMs: number): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (let i = 0; i < n; i++) {
    const last = d.chain.at(-1);
    const r = sealRecord(d.id, d.chain.length + 1, last?.hash ?? GENESIS_PREV, last ? Date.parse(last.record.time) + 1000 : startMs, d.signer);
    d.chain.push(r);
    out.push(r);
  }
  return out;
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[Math.floor(bit / 8) % out.length]! ^= 1 << (bit % 8);
  return out;
}

/** The same record fields, written in another (non-canonical) JSON form and signed: NON_CANONICAL_RECORD. */
export function nonCanonicalSigned(r: DecodedRecord, signer: Ed25519Signer, form: number): { bytes: Uint8Array; signature: Uint8Array } {
  const fields = JSON.parse(canonicalJson(r.record)) as Record<string, unknown>;
  const forms = [
    () => JSON.stringify(fields, null, 1),
    () => JSON.stringify(Object.fromEntries(Object.entries(fields).reverse())),
    () => `${canonicalJson(fields)} `,
    () => canonicalJson(fields).replace('"seq":', '"seq": '),
    () => canonicalJson(fields).replace(/"staff":"badge-0101"/, '"staff":"badge\\u002d0101"'),
  ];
  const bytes = utf8(forms[form % forms.length]!());
  return { bytes, signature: signer.sign(signingMessage(bytes)) };
}

/** The envelope in a form other than its one text form (same record and signature). */
export function nonCanonicalEnvelope(r: { bytes: Uint8Array; signature: Uint8Array }, form: number): string {
  const record = toBase64(r.bytes);
  const sig = toBase64(r.signature);
  const forms = [
    () => `{"sig":"${sig}","record":"${record}"}`,
    () => `{"record": "${record}", "sig": "${sig}"}`,
    () => `{"record":"${record}","sig":"${sig}","sig":"${sig}"}`,
    () => `{"record":"${record.replace(/\//g, '\\/')}","sig":"${sig.replace(/\//g, '\\/')}"}/`,
    () => ` ${encodeEnvelope(r)}`,
    () => `{"record":"${record}","sig":"${sig}","note":"x"}`,
  ];
  return forms[form % forms.length]!();
}

/** The byte-order mark before an envelope. */
export const withBom = (line: string): string => `\uFEFF${line}`;

/** A record with its time changed (one second to a year, either way), not signed again. */
export function timeEdited(r: DecodedRecord, shiftMs: number): { bytes: Uint8Array; signature: Uint8Array } {
  const fields = JSON.parse(canonicalJson(r.record)) as { time: string };
  fields.time = new Date(Date.parse(fields.time) + shiftMs).toISOString();
  return { bytes: utf8(canonicalJson(fields)), signature: r.signature };
}

/** Every record-level refusal: what a bit flipped somewhere in the signed bytes may show as. */
export const RECORD_LEVEL_CODES: readonly string[] = RECORD_ERROR_CODES.filter((c) => !['SEQUENCE_GAP', 'DUPLICATE_RECORD', 'OUT_OF_ORDER'].includes(c));
