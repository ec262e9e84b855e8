/**
 * Builds the golden vectors in this folder from fixed key seeds and fixed times, so they are
 * reproducible byte for byte: `npx tsx firmware-protocol/scripts/make-vectors.ts` rewrites them, and
 * vectors.test.ts fails if the committed files ever differ from what this code builds.
 *
 * chain-valid.jsonl   one device (a reference kiosk serving the five custody station roles), every custody event type
 * chain-vehicle.jsonl a vehicle station's chain: the event types only a vehicle signs (track, door)
 * keyring.json        the devices the vectors are signed by
 * invalid/CODE.jsonl  each chain fails, and its first failure is CODE
 */
import {
  canonicalJson,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  keyId,
  keyringToJson,
  parseKeyring,
  signingMessage,
  signRecord,
  GENESIS_PREV,
  utf8,
  type CustodyEvent,
  type DecodedRecord,
  type DeviceEntry,
  type Ed25519Signer,
  type RecordErrorCode,
} from '../../src/index.ts';

const seed = (n: number) => new Uint8Array(32).fill(n);

export const VECTOR_DEVICE = 'hz-h001-ref-01';
const OTHER_DEVICE = 'hz-d001-furnace-01';
const REVOKED_DEVICE = 'hz-h002-dept-01';
const UNKNOWN_DEVICE = 'hz-h999-rogue-01';

export const VEHICLE_DEVICE = 'hz-t001-veh-01';

export const VECTOR_SEEDS = { [VECTOR_DEVICE]: seed(1), [OTHER_DEVICE]: seed(2), [REVOKED_DEVICE]: seed(3), [UNKNOWN_DEVICE]: seed(4), stolen: seed(5), [VEHICLE_DEVICE]: seed(6) };
const REVOKED_AT = '2026-03-01T00:00:00.000Z';

function signer(name: keyof typeof VECTOR_SEEDS): Ed25519Signer {
  return ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[name]).privateKeyPem);
}

const START = Date.parse('2026-03-02T08:00:00.000Z');
const time = (minutes: number) => new Date(START + minutes * 60_000).toISOString();

const BAG_A = 'epc:3074257bf7194e4000001a85';
const BAG_B = 'qr:WT1-HZH001-ICU-I-260302-0042';
const BOX = 'epc:331800cb5b4c20000000007b';
const g = (value: number) => ({ value, unit: 'g' as const });

/** Every event type once at least, in the order a real day at a small clinic would produce them. */
export const VALID_EVENTS: CustodyEvent[] = [
  { type: 'heartbeat', body: { uptime: 60, backlog: 0 } },
  { type: 'sealed', body: { tags: [BAG_A], category: 'infectious', weight: g(1250), department: 'ICU', staff: 'badge-0101' } },
  { type: 'sealed', body: { tags: [BAG_B], category: 'sharps', weight: g(830), department: 'ICU', staff: 'badge-0101' } },
  { type: 'aggregated', body: { box: BOX, bags: [BAG_A, BAG_B], action: 'pack', staff: 'badge-0101' } },
  { type: 'collected', body: { bags: [{ tag: BAG_A, weight: g(1248) }, { tag: BAG_B }], weight: g(2078), giver: 'badge-0101', receiver: 'badge-0207' } },
  { type: 'stored', body: { bags: [{ tag: BAG_A }, { tag: BAG_B }], weight: g(2080), keeper: 'badge-0207', room: 'STORE-1' } },
  {
    type: 'correction',
    body: {
      target: { device: VECTOR_DEVICE, seq: 3, hash: '' },
      action: 'amend',
      reason: 'category chosen wrongly at sealing: bag holds sharps only',
      authorisedBy: 'badge-0001',
      amend: { category: 'sharps' },
    },
  },
  { type: 'heartbeat', body: { uptime: 3660, backlog: 2 } },
  {
    type: 'picked-up',
    body: { bags: [{ tag: BAG_A }, { tag: BAG_B }], weight: g(2075), giver: 'badge-0207', crew: 'crew-5501', vehicle: 'ZA-A1234', manifest: 'HZ2026030200017' },
  },
  { type: 'received', body: { bags: [{ tag: BAG_A, weight: g(1246) }, { tag: BAG_B, weight: g(829) }], weight: g(2075), operator: 'op-7001', vehicle: 'ZA-A1234', manifest: 'HZ2026030200017' } },
  { type: 'aggregated', body: { box: BOX, bags: [BAG_A, BAG_B], action: 'unpack', staff: 'op-7001' } },
  { type: 'disposed', body: { bags: [BAG_A, BAG_B], method: 'incineration', batch: 'KILN2-20260302-03', operator: 'op-7001', weight: g(2075) } },
  { type: 'heartbeat', body: { uptime: 7260, backlog: 0 } },
  // Last, so the records before keep their hashes: the storage room's climate, one failed poll, -0.5 °C outdoors.
  {
    type: 'climate',
    body: {
      room: 'STORE-1',
      unit: 1,
      samples: [
        { time: '2026-03-02T10:00:00.000Z', temperature: 183, humidity: 612, outdoor: -5 },
        { time: '2026-03-02T10:10:00.000Z', temperature: 181, humidity: 608 },
      ],
      failed: 1,
    },
  },
];

/**
 * The golden chain continued (chain-manifest.jsonl, seq 15 on): the transfer manifest's own records, kept
 * in a file of their own so chain-valid.jsonl, which docs and tests quote by seq and count, stays as it is.
 */
export const MANIFEST_EVENTS: CustodyEvent[] = [
  {
    type: 'manifest-issued',
    body: {
      manifest: 'HZ2026030200017',
      version: 2,
      producer: 'hz-h001',
      transporter: 'hz-t01',
      receiver: 'hz-d01',
      vehicle: 'ZA-A1234',
      bags: [{ tag: BAG_A, category: 'sharps', weight: g(1250) }, { tag: BAG_B, category: 'sharps', weight: g(830) }],
      weight: g(2080),
      issuer: 'badge-0207',
      reason: 'bag A re-categorised as sharps',
    },
  },
  {
    type: 'manifest-received',
    body: { manifest: 'HZ2026030200017', vehicle: 'ZA-A1234', accepted: [{ tag: BAG_A, weight: g(1246) }], refused: [{ tag: BAG_B, weight: g(829), reason: 'container leaking' }], operator: 'op-7001' },
  },
  { type: 'manifest-closed', body: { manifest: 'HZ2026030200017', outcome: 'processed', operator: 'op-7001' } },
];

/** A vehicle station's chain: a minute of track (two fixes, a cargo temperature, a tunnel), the door, a heartbeat. */
export const VEHICLE_EVENTS: CustodyEvent[] = [
  {
    type: 'track',
    body: {
      vehicle: 'ZA-A1234',
      fixes: [
        { at: '2026-03-02T10:09:00.000Z', lat: 30274085, lon: 120155070, speed: 425, quality: 'gps', satellites: 11 },
        { at: '2026-03-02T10:09:30.000Z', lat: 30275981, lon: 120157300, speed: 0, quality: 'dgps', satellites: 12 },
      ],
      temperatures: [{ at: '2026-03-02T10:09:30.000Z', value: 42 }],
      noFix: 28,
    },
  },
  { type: 'door', body: { vehicle: 'ZA-A1234', action: 'open', at: '2026-03-02T10:10:05.000Z', position: { lat: 30275981, lon: 120157300 } } },
  { type: 'heartbeat', body: { uptime: 600, backlog: 2 } },
];

export interface VectorSet {
  keyring: unknown;
  valid: DecodedRecord[];
  files: Map<string, string>;
}

function entry(device: string, stations: DeviceEntry['stations'], publicKeySpki: Uint8Array, revokedAt?: string): DeviceEntry {
  return { device, institution: device.split('-').slice(0, 2).join('-'), stations, keys: [{ publicKeySpki, kid: keyId(publicKeySpki), ...(revokedAt ? { revokedAt } : {}) }] };
}

function lines(records: { bytes: Uint8Array; signature: Uint8Array }[]): string {
  return records.map((r) => encodeEnvelope(r) + '\n').join('');
}

/** Signs arbitrary bytes as a device would, for records that are deliberately not valid. */
function signRaw(s: Ed25519Signer, value: unknown, rawText?: string) {
  const bytes = utf8(rawText ?? canonicalJson(value));
  return { bytes, signature: s.sign(signingMessage(bytes)) };
}

export function buildVectors(): VectorSet {
  const ref = signer(VECTOR_DEVICE);
  const other = signer(OTHER_DEVICE);
  const revoked = signer(REVOKED_DEVICE);
  const vehicle = signer(VEHICLE_DEVICE);
  const keyring = {
    devices: new Map<string, DeviceEntry>([
      [VECTOR_DEVICE, entry(VECTOR_DEVICE, ['department', 'collection', 'storage', 'pickup', 'disposal'], ref.publicKeySpki)],
      [OTHER_DEVICE, entry(OTHER_DEVICE, ['disposal'], other.publicKeySpki)],
      [REVOKED_DEVICE, entry(REVOKED_DEVICE, ['department'], revoked.publicKeySpki, REVOKED_AT)],
      [VEHICLE_DEVICE, entry(VEHICLE_DEVICE, ['vehicle'], vehicle.publicKeySpki)],
    ]),
  };
  const keyringJson = keyringToJson(keyring);
  if (!parseKeyring(keyringJson).ok) throw new Error('vector keyring does not parse');

  const valid: DecodedRecord[] = [];
  for (const [i, event] of VALID_EVENTS.entries()) {
    let e = event;
    // The correction names the second sealing by its real hash, known only once it is signed.
    if (e.type === 'correction') e = { ...e, body: { ...e.body, target: { ...e.body.target, hash: valid[2]!.hash } } };
    valid.push(signRecord({ device: VECTOR_DEVICE, seq: i + 1, prev: valid[i - 1]?.hash ?? GENESIS_PREV, time: time(i * 10), event: e }, ref));
  }

  const files = new Map<string, string>();
  files.set('keyring.json', JSON.stringify(keyringJson, null, 2) + '\n');
  files.set('chain-valid.jsonl', lines(valid));
  const continued: DecodedRecord[] = [];
  for (const [i, event] of MANIFEST_EVENTS.entries()) {
    const seq = valid.length + i + 1;
    continued.push(signRecord({ device: VECTOR_DEVICE, seq, prev: (continued[i - 1] ?? valid.at(-1)!).hash, time: time((seq - 1) * 10), event }, ref));
  }
  files.set('chain-manifest.jsonl', lines(continued));
  const vehicleChain: DecodedRecord[] = [];
  for (const [i, event] of VEHICLE_EVENTS.entries()) {
    vehicleChain.push(signRecord({ device: VEHICLE_DEVICE, seq: i + 1, prev: vehicleChain[i - 1]?.hash ?? GENESIS_PREV, time: time(130 + i), event }, vehicle));
  }
  files.set('chain-vehicle.jsonl', lines(vehicleChain));

  const head = valid.slice(0, 3);
  const next = { device: VECTOR_DEVICE, seq: 4, prev: valid[2]!.hash, time: time(30) };
  const nextHeader = { v: 1, ...next, kid: keyId(ref.publicKeySpki) };
  const sealedBody = VALID_EVENTS[1]!.body as Record<string, unknown>;
  const invalid: Record<RecordErrorCode, string> = {
    MALFORMED_ENVELOPE: lines(head) + '{"record":"not base64!","sig":""}\n',
    MALFORMED_RECORD: lines([...head, signRaw(ref, null, 'sealed bag 4, 1250 g')]),
    NON_CANONICAL_RECORD: lines([...head, signRaw(ref, null, JSON.stringify({ ...nextHeader, type: 'sealed', body: sealedBody }, null, 1))]),
    UNSUPPORTED_VERSION: lines([...head, signRaw(ref, { ...nextHeader, v: 2, type: 'sealed', body: sealedBody })]),
    UNKNOWN_EVENT_TYPE: lines([...head, signRaw(ref, { ...nextHeader, type: 'teleported', body: {} })]),
    MISSING_FIELD: lines([...head, signRaw(ref, { ...nextHeader, type: 'sealed', body: { ...sealedBody, weight: undefined } })]),
    UNEXPECTED_FIELD: lines([...head, signRaw(ref, { ...nextHeader, type: 'sealed', body: { ...sealedBody, price: 12 } })]),
    INVALID_FIELD: lines([...head, signRaw(ref, { ...nextHeader, type: 'sealed', body: { ...sealedBody, category: 'radioactive' } })]),
    WRONG_UNIT: lines([...head, signRaw(ref, { ...nextHeader, type: 'sealed', body: { ...sealedBody, weight: { value: 1, unit: 'kg' } } })]),
    UNKNOWN_DEVICE: lines([signRecord({ device: UNKNOWN_DEVICE, seq: 1, prev: GENESIS_PREV, time: time(0), event: VALID_EVENTS[1]! }, signer(UNKNOWN_DEVICE))]),
    // The reference device's id, signed with a key that is not its own (a cloned or forged device).
    WRONG_KEY: lines([...head, signRecord({ ...next, event: VALID_EVENTS[1]! }, signer('stolen'))]),
    KEY_REVOKED: lines([signRecord({ device: REVOKED_DEVICE, seq: 1, prev: GENESIS_PREV, time: time(0), event: VALID_EVENTS[1]! }, revoked)]),
    // The sealed weight 1250 g edited to 1050 g after signing.
    BAD_SIGNATURE: lines([valid[0]!, { ...valid[1]!, bytes: utf8(new TextDecoder().decode(valid[1]!.bytes).replace('"value":1250', '"value":1050')) }]),
    EVENT_NOT_ALLOWED: lines([signRecord({ device: OTHER_DEVICE, seq: 1, prev: GENESIS_PREV, time: time(0), event: VALID_EVENTS[1]! }, other)]),
    CHAIN_START_INVALID: lines([signRecord({ device: VECTOR_DEVICE, seq: 1, prev: 'f'.repeat(64), time: time(0), event: VALID_EVENTS[0]! }, ref)]),
    SEQUENCE_GAP: lines([...valid.slice(0, 5), ...valid.slice(6)]),
    DUPLICATE_RECORD: lines([...valid.slice(0, 6), valid[5]!, ...valid.slice(6)]),
    // A second, different record at seq 4 that links correctly: the device (or its key) signed two histories.
    FORK: lines([...valid.slice(0, 4), signRecord({ ...next, event: { type: 'heartbeat', body: { uptime: 1, backlog: 0 } } }, ref), ...valid.slice(4)]),
    OUT_OF_ORDER: lines([...valid.slice(0, 4), valid[5]!, valid[4]!, ...valid.slice(6)]),
    PREV_HASH_MISMATCH: lines([...head, signRecord({ ...next, prev: valid[0]!.hash, event: VALID_EVENTS[3]! }, ref)]),
  };
  for (const [code, text] of Object.entries(invalid)) files.set(`invalid/${code}.jsonl`, text);
  return { keyring: keyringJson, valid, files };
}
