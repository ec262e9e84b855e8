/**
 * Custody as the projection sees it after a commit: real signed records (the golden chain, or stations
 * of a scenario signing with their own keys), stored with appendRecords and handed over as ingest's
 * onAccepted hook hands them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChainVerifier,
  ed25519Signer,
  generateEd25519KeyPair,
  GENESIS_PREV,
  signRecord,
  toBase64,
  type CustodyEvent,
  type DecodedRecord,
  type Ed25519Signer,
  type StationRole,
} from '@wastetrail/firmware-protocol';
import { tagsOfEvent, toTrailRecord, type TrailRecord } from '../../src/custody/index.ts';
import type { AcceptedRecord } from '../../src/ingest/index.ts';
import type { CustodyStore, DeviceRegistration, NewRecord } from '../../src/store/index.ts';
import { VECTORS_DIR, vectorContext, vectorKeyring, vectorRecords } from '../../../firmware-protocol/test/support.ts';

export const BAG_A = 'epc:3074257bf7194e4000001a85';
export const BAG_B = 'qr:WT1-HZH001-ICU-I-260302-0042';
export const BOX = 'epc:331800cb5b4c20000000007b';

/** Hangzhou > Xihu; two hospitals, a disposal centre and a transport company. */
export async function seedWorld(store: CustodyStore): Promise<void> {
  await store.upsertJurisdiction({ id: 'hz', parent: null, level: 'city', name: 'Hangzhou' });
  await store.upsertJurisdiction({ id: 'hz-xh', parent: 'hz', level: 'district', name: 'Xihu' });
  await store.upsertJurisdiction({ id: 'hz-xh-g01', parent: 'hz-xh', level: 'grid', name: 'Grid 1' });
  await store.upsertInstitution({ id: 'hz-h001', name: 'City Hospital No. 1', kind: 'hospital', jurisdiction: 'hz-xh-g01' });
  await store.upsertInstitution({ id: 'hz-h002', name: 'City Hospital No. 2', kind: 'hospital', jurisdiction: 'hz-xh' });
  await store.upsertInstitution({ id: 'hz-d001', name: 'Disposal Centre', kind: 'disposal', jurisdiction: 'hz' });
  await store.upsertInstitution({ id: 'hz-t001', name: 'Clean Transport', kind: 'transport', jurisdiction: 'hz' });
}

export function accepted(d: DecodedRecord, receivedAt = d.record.time): AcceptedRecord {
  return { ...d, receivedAt, tags: tagsOfEvent({ type: d.record.type, body: d.record.body } as CustodyEvent) };
}

export function newRecord(a: AcceptedRecord): NewRecord {
  const r = a.record;
  return { device: r.device, seq: r.seq, hash: a.hash, prev: r.prev, kid: r.kid, deviceTime: r.time, receivedAt: a.receivedAt, type: r.type, bytes: a.bytes, signature: a.signature, body: r.body, tags: a.tags };
}

/** One ingest commit: the records stored in one transaction, then the hook (here: `after`) given them. */
export async function commit<T>(store: CustodyStore, records: AcceptedRecord[], after: (records: AcceptedRecord[]) => Promise<T>): Promise<T> {
  await store.appendRecords({ records: records.map(newRecord), quarantine: [], acks: [] });
  return after(records);
}

// ---- The golden chain ----

/** The golden chain (firmware-protocol/test/vectors/chain-valid.jsonl), verified, as ingest accepts it. */
export function goldenChain(): AcceptedRecord[] {
  const v = new ChainVerifier(vectorContext(), { strictOrder: true });
  const lines = vectorRecords('chain-valid.jsonl');
  const decoded = lines.flatMap((r) => v.push(r).flatMap((e) => (e.kind === 'accepted' ? [e.record] : [])));
  if (decoded.length !== lines.length) throw new Error(`the golden chain should verify whole, got ${decoded.length} records`);
  return decoded.map((d) => accepted(d));
}

export function goldenTrailRecords(): TrailRecord[] {
  const keyring = vectorKeyring();
  return goldenChain().map((a) => toTrailRecord(a, keyring.devices.get(a.record.device)!));
}

/** The vector devices into the store's keyring (their institutions must exist: seedWorld). */
export async function registerVectorDevices(store: CustodyStore): Promise<void> {
  const json = JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')) as { devices: Record<string, Omit<DeviceRegistration, 'id'>> };
  for (const [id, d] of Object.entries(json.devices)) await store.registerDevice({ id, ...d });
}

// ---- Scenario stations ----

const g = (value: number) => ({ value, unit: 'g' as const });

/** An SGTIN-96 EPC tag id (24 hex digits) numbered n. */
export const epc = (n: number) => `epc:3074257bf7194e40000${(0x2000 + n).toString(16).padStart(5, '0')}`;
export { g };

/** An edge station with its own key and hash chain, signing whatever event it is given. */
export class Station {
  readonly id: string;
  readonly institution: string;
  readonly stations: StationRole[];
  readonly signer: Ed25519Signer;
  private readonly chain: DecodedRecord[] = [];

  constructor(id: string, institution: string, stations: StationRole[]) {
    this.id = id;
    this.institution = institution;
    this.stations = stations;
    this.signer = ed25519Signer(generateEd25519KeyPair().privateKeyPem);
  }

  registration(): DeviceRegistration {
    return { id: this.id, institution: this.institution, stations: this.stations, keys: [{ publicKey: toBase64(this.signer.publicKeySpki) }] };
  }

  sign(event: CustodyEvent, time: string | number): DecodedRecord {
    const r = signRecord(
      { device: this.id, seq: this.chain.length + 1, prev: this.chain.at(-1)?.hash ?? GENESIS_PREV, time: typeof time === 'number' ? new Date(time).toISOString() : time, event },
      this.signer,
    );
    this.chain.push(r);
    return r;
  }

  /** The same as sign, as ingest hands it over. */
  record(event: CustodyEvent, time: string | number): AcceptedRecord {
    return accepted(this.sign(event, time));
  }
}

/** A hospital's ward station and storage room, a crew's handheld, a disposal centre's line. */
export function stations() {
  return {
    ward: new Station('hz-h001-ward-01', 'hz-h001', ['department', 'collection']),
    store: new Station('hz-h001-store-01', 'hz-h001', ['storage']),
    crew: new Station('hz-t001-van-01', 'hz-t001', ['pickup']),
    line: new Station('hz-d001-line-01', 'hz-d001', ['disposal']),
  };
}

export async function registerStations(store: CustodyStore, all: Record<string, Station>): Promise<void> {
  for (const s of Object.values(all)) await store.registerDevice(s.registration());
}

export const seal = (tags: string[], grams: number, category: 'infectious' | 'sharps' = 'infectious'): CustodyEvent => ({
  type: 'sealed',
  body: { tags, category, weight: g(grams), department: 'ICU', staff: 'badge-0101' },
});

export const stored = (bags: Array<{ tag: string; grams?: number }>, total: number): CustodyEvent => ({
  type: 'stored',
  body: { bags: bags.map((b) => (b.grams === undefined ? { tag: b.tag } : { tag: b.tag, weight: g(b.grams) })), weight: g(total), keeper: 'badge-0303', room: 'STORE-1' },
});

export const pickedUp = (tags: string[], total: number): CustodyEvent => ({
  type: 'picked-up',
  body: { bags: tags.map((tag) => ({ tag })), weight: g(total), giver: 'badge-0303', crew: 'crew-5501', vehicle: 'ZA-A1234', manifest: 'HZ2026030200017' },
});

export const received = (bags: Array<{ tag: string; grams?: number }>, total: number): CustodyEvent => ({
  type: 'received',
  body: { bags: bags.map((b) => (b.grams === undefined ? { tag: b.tag } : { tag: b.tag, weight: g(b.grams) })), weight: g(total), operator: 'op-9001', vehicle: 'ZA-A1234', manifest: 'HZ2026030200017' },
});

export const packed = (box: string, bags: string[]): CustodyEvent => ({ type: 'aggregated', body: { box, bags, action: 'pack', staff: 'badge-0303' } });
