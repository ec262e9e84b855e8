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
  type CustodyEvent,
  type DecodedRecord,
  type Ed25519Signer,
  type StationRole,
} from '@wastetrail/firmware-protocol';

export interface Device {
  id: string;
  /** What it signs (stationRecord): a department seals bags, a vehicle its track and door, ... */
  station: StationRole;
  signer: Ed25519Signer;
  kid: string;
  publicKey: string;
  chain: DecodedRecord[];
}

export function newDevice(id: string, signer: Ed25519Signer = ed25519Signer(generateEd25519KeyPair().privateKeyPem), station: StationRole = 'department'): Device {
  return { id, station, signer, kid: keyId(signer.publicKeySpki), publicKey: toBase64(signer.publicKeySpki), chain: [] };
}

/** The stations whose records are tampered with: every record type but the custody steps in between. */
export const TAMPERED_STATIONS = ['department', 'vehicle', 'disposal', 'storage'] as const satisfies readonly StationRole[];

/** The i-th device's station, so that every kind of tampering meets every station's records. */
export const stationOf = (i: number): StationRole => TAMPERED_STATIONS[i % TAMPERED_STATIONS.length]!;

/**
 * The record a device of `station` signs (each variant a body of its own, up to 100,000 variants: a
 * tampered record must never equal the genuine one signed later at its place): a department seals a bag; a vehicle alternates `track` and
 * `door`; disposal `manifest-received` and `manifest-closed`; storage `climate` and `manifest-issued`.
 */
export function stationEvent(station: StationRole, seq: number, timeMs: number, variant = 0): CustodyEvent {
  const tag = `epc:${(seq * 1_000_003 + variant).toString(16).padStart(24, '0')}`;
  const grams = 1000 + (variant % 100_000);
  const at = new Date(timeMs - 500).toISOString();
  // Alternates along a chain, and between the variants tampered in at one seq.
  const odd = (seq + variant) % 2 === 1;
  switch (station) {
    case 'vehicle':
      return odd
        ? {
            type: 'track',
            body: {
              vehicle: 'ZJ-A12345',
              fixes: [{ at, lat: 30_250_000 + (variant % 100_000), lon: 120_160_000 + seq, speed: variant % 1200, quality: 'gps', satellites: 9 }],
              temperatures: [{ at, value: -185 + (variant % 300) }],
              noFix: 0,
            },
          }
        : { type: 'door', body: { vehicle: 'ZJ-A12345', action: variant % 2 ? 'open' : 'close', at, position: { lat: 30_250_000 + (variant % 100_000), lon: 120_160_000 } } };
    case 'disposal':
      return odd
        ? { type: 'manifest-received', body: { manifest: `M-2026-${seq}`, vehicle: 'ZJ-A12345', accepted: [{ tag, weight: { value: grams, unit: 'g' } }], refused: [], operator: 'badge-0301' } }
        : { type: 'manifest-closed', body: { manifest: `M-2026-${seq}-${variant}`, outcome: variant % 7 ? 'processed' : 'refused', operator: 'badge-0301' } };
    case 'storage':
      return odd
        ? { type: 'climate', body: { room: 'STORE-1', unit: 1, samples: [{ time: at, temperature: 50 + (variant % 1000), humidity: Math.floor(variant / 1000) % 1000 }], failed: variant % 3 } }
        : {
            type: 'manifest-issued',
            body: { manifest: `M-2026-${seq}`, version: 1, producer: 'hz-h001', transporter: 'hz-t01', receiver: 'hz-d01', bags: [{ tag, category: 'infectious', weight: { value: grams, unit: 'g' } }], weight: { value: grams, unit: 'g' }, issuer: 'badge-0201' },
          };
    default:
      return { type: 'sealed', body: { tags: [tag], category: 'infectious', weight: { value: grams, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } };
  }
}

/** The device's record at seq, after prev, at timeMs, signed by `signer` (its own key, or a forger's). */
export function stationRecord(device: Pick<Device, 'id' | 'station'>, seq: number, prev: string, timeMs: number, signer: Ed25519Signer, variant = 0): DecodedRecord {
  return signRecord({ device: device.id, seq, prev, time: new Date(timeMs).toISOString(), event: stationEvent(device.station, seq, timeMs, variant) }, signer);
}

/** Appends n genuine records, one a second from startMs (or after the last one). */
export function extendChain(d: Device, n: number, startMs: number): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (let i = 0; i < n; i++) {
    const last = d.chain.at(-1);
    const r = stationRecord(d, d.chain.length + 1, last?.hash ?? GENESIS_PREV, last ? Date.parse(last.record.time) + 1000 : startMs, d.signer);
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
    // The device id's first character escaped: every record type has one.
    () => canonicalJson(fields).replace(/"device":"(.)/, (_, c: string) => `"device":"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
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
