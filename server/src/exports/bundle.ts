/**
 * A bag's audit bundle: one JSON file that anyone can verify offline with `wastetrail verify`, with
 * the bag's records exactly as their devices signed them (envelope text, the bytes base64-encoded) and
 * the keyring entries of the devices that signed them:
 *
 *   { "format": "wastetrail.bundle.v1", "bag": "epc:...", "generatedAt": "2026-...Z",
 *     "keyring": { "format": "wastetrail.keyring.v1", "devices": { ... } },
 *     "records": [ "{\"record\":\"<base64>\",\"sig\":\"<base64>\"}", ... ],
 *     "log": { "key": "<origin>+<key id>+<base64 key>", "witnesses": ["<name>+<key id>+<base64 key>", ...], "quorum": 1,
 *              "proofs": [ "c2sp.org/tlog-proof@v1\n...", null, ... ] } }
 *
 * `log.proofs[i]` is record i's inclusion in the verifiable log: a C2SP tlog-proof (leaf index, proof
 * hashes, the signed checkpoint with the witnesses' cosignature lines), or null for a record committed
 * after that checkpoint (export the bundle again later to have it). The checkpoint is the newest one
 * cosigned by `quorum` of the log's `witnesses` (provingCheckpoint). Bundles made before the log have no
 * `log`, bundles made before the quorum no `witnesses` or `quorum`.
 *
 * Records are ordered by device, then seq. They are a few records out of each device's chain, so the
 * bundle proves each record (signature, key) and the links between consecutive seqs it holds, not the
 * device's whole chain. docs/server/api.md#audit-bundle.
 */
import {
  checkCosignatureQuorum,
  cosignerKeyString,
  decodeEnvelope,
  parseCosignerKey,
  formatTlogProof,
  parseTlogProof,
  parseVerifierKey,
  verifyRecordInclusion,
  type LogErrorCode,
  type NoteVerifierKey,
  type WitnessPolicy,
  encodeEnvelope,
  GENESIS_PREV,
  KEYRING_FORMAT,
  nodeEd25519Verify,
  parseKeyring,
  TAG_ID_PATTERN,
  verifyRecord,
  type DecodedRecord,
  type Keyring,
  type RecordErrorCode,
} from '@wastetrail/firmware-protocol';
import { reconstructTrail, toTrailRecord, type BagTrail, type TrailRecord } from '../custody/index.ts';
import { provingCheckpoint } from '../log/cosignatures.ts';
import { inclusionProofOf } from '../log/tree.ts';
import type { CustodyStore, StoredRecord } from '../store/index.ts';

export const BUNDLE_FORMAT = 'wastetrail.bundle.v1';

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  bag: string;
  generatedAt: string;
  keyring: { format: typeof KEYRING_FORMAT; devices: Record<string, unknown> };
  records: string[];
  log?: BundleLog;
}

export interface BundleLog {
  /** The log's verifier key, as the server knows it: a verifier should take it from elsewhere (--log-key). */
  key: string;
  /** The witnesses the server takes cosignatures from (cosignature verifier keys), as the server knows them. */
  witnesses?: string[];
  /** How many of them must cosign the checkpoint the proofs lead to. */
  quorum?: number;
  /** Aligned with `records`: a tlog-proof, or null when the record is not yet in a checkpoint. */
  proofs: Array<string | null>;
}

/** The log as a bundle needs it: its verifier key, and its witnesses and their quorum. */
export interface BundleLogSource extends WitnessPolicy {
  verifierKey: string;
}

/**
 * Builds a bundle from stored records (as collectBagRecords returns them); with the log, each record's
 * inclusion proof to the checkpoint provingCheckpoint picks, cosignatures included.
 */
export async function buildBundle(store: CustodyStore, bag: string, records: readonly StoredRecord[], generatedAtMs: number, log?: BundleLogSource): Promise<AuditBundle> {
  const ordered = [...records].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.seq - b.seq));
  const involved = new Set(ordered.map((r) => r.device));
  const exported = (await store.exportKeyring()) as { devices?: Record<string, unknown> };
  const devices: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(exported.devices ?? {})) if (involved.has(id)) devices[id] = entry;
  return {
    format: BUNDLE_FORMAT,
    bag,
    generatedAt: new Date(generatedAtMs).toISOString(),
    keyring: { format: KEYRING_FORMAT, devices },
    records: ordered.map((r) => encodeEnvelope({ bytes: r.bytes, signature: r.signature })),
    ...(log !== undefined
      ? { log: { key: log.verifierKey, witnesses: log.witnesses.map((w) => cosignerKeyString(w)), quorum: log.quorum, proofs: await logProofs(store, ordered, log) } }
      : {}),
  };
}

/** Each record's tlog-proof against the proving checkpoint; null for one that checkpoint does not cover. */
async function logProofs(store: CustodyStore, records: readonly StoredRecord[], policy: WitnessPolicy): Promise<Array<string | null>> {
  const [proving, indexes] = await Promise.all([provingCheckpoint(store, policy), store.logIndexes(records)]);
  return Promise.all(
    indexes.map(async (index) => {
      if (!proving || index === undefined || index >= proving.checkpoint.size) return null;
      return formatTlogProof({ index, proof: await inclusionProofOf(store, index, proving.checkpoint.size), checkpoint: proving.note });
    }),
  );
}

/** A file name for the bundle: the bag id with anything but [A-Za-z0-9.-] made "_". */
export function bundleFileName(bag: string): string {
  return `wastetrail-bundle-${bag.replace(/[^A-Za-z0-9.-]/g, '_')}.json`;
}

// ---- Verifying a bundle (wastetrail verify) ----

export type BundleFailureCode = RecordErrorCode | LogErrorCode | 'KEY_MISMATCH' | 'BAG_NOT_IN_RECORDS' | 'LOG_PROOFS_MISSING';

export interface BundleFailure {
  code: BundleFailureCode;
  message: string;
  device?: string;
  seq?: number;
  /** Position of the record in `records` (0-based). */
  index?: number;
}

export interface BundleReport {
  bag: string;
  generatedAt: string;
  records: number;
  /** Records whose signature, key and station verify. */
  verified: number;
  devices: string[];
  /** Where the keys came from: a keyring given by the verifier, or only the bundle itself. */
  keysFrom: 'trusted' | 'bundle';
  /** Links checked: a record and the next seq of the same device, both in the bundle. */
  linksChecked: number;
  /** Places where a device's records in the bundle skip seqs: the chain between them is not in the bundle. */
  chainBreaks: number;
  failures: BundleFailure[];
  /** The bag's trail from the verified records. */
  trail: BagTrail;
  /** The log proofs: undefined for a bundle without them. */
  log?: BundleLogReport;
}

export interface BundleLogReport {
  /** The log's key: given by the verifier (--log-key), or only the bundle's own. */
  keyFrom: 'trusted' | 'bundle';
  origin: string;
  /** Records whose inclusion proof verifies against a checkpoint signed by the key. */
  proven: number;
  /** Records committed after the newest checkpoint when the bundle was made: not a failure. */
  notYetInCheckpoint: number;
  /** The tree sizes of the checkpoints the proofs lead to. */
  checkpointSizes: number[];
  /** The witness quorum checked on those checkpoints: undefined when none was asked for or declared. */
  witnesses?: BundleWitnessReport;
}

export interface BundleWitnessReport {
  /** The witness keys and quorum: given by the verifier (--witness-key, --quorum), or the bundle's own. */
  keysFrom: 'trusted' | 'bundle';
  quorum: number;
  /** For each checkpoint whose cosignatures were checked, the witnesses whose cosignatures verify. */
  cosigned: Array<{ size: number; by: string[] }>;
}

export class BundleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleFormatError';
  }
}

/** Does this JSON value claim to be a bundle (any version)? */
export function looksLikeBundle(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && typeof (json as { format?: unknown }).format === 'string' && (json as { format: string }).format.startsWith('wastetrail.bundle.');
}

/** Reads a bundle's structure; throws BundleFormatError naming what is wrong. */
export function parseBundle(json: unknown): { bundle: AuditBundle; keyring: Keyring; logKey?: NoteVerifierKey; witnesses?: WitnessPolicy } {
  if (!looksLikeBundle(json)) throw new BundleFormatError('not a wastetrail bundle (a JSON object with "format": "wastetrail.bundle.v1")');
  const b = json as Record<string, unknown>;
  if (b.format !== BUNDLE_FORMAT) throw new BundleFormatError(`bundle format ${JSON.stringify(b.format)} is not known to this verifier (expected ${BUNDLE_FORMAT})`);
  if (typeof b.bag !== 'string' || !TAG_ID_PATTERN.test(b.bag)) throw new BundleFormatError('"bag" must be a tag id (epc:<hex> or qr:<label>)');
  if (typeof b.generatedAt !== 'string') throw new BundleFormatError('"generatedAt" must be an RFC 3339 time');
  if (!Array.isArray(b.records) || !b.records.every((r) => typeof r === 'string')) throw new BundleFormatError('"records" must be an array of envelope strings');
  const keyring = parseKeyring(b.keyring);
  if (!keyring.ok) throw new BundleFormatError(`the bundle's keyring is invalid: ${keyring.error.message}`);
  if (b.log !== undefined) {
    const log = b.log as Partial<BundleLog> | null;
    if (typeof log !== 'object' || log === null || typeof log.key !== 'string') throw new BundleFormatError('"log" must be an object with the log\'s verifier key in "key"');
    if (!Array.isArray(log.proofs) || log.proofs.length !== b.records.length || !log.proofs.every((p) => p === null || typeof p === 'string')) {
      throw new BundleFormatError('"log.proofs" must hold one tlog-proof string (or null) per record');
    }
    const logKey = parseVerifierKey(log.key);
    if (!logKey.ok) throw new BundleFormatError(`"log.key" is not a verifier key: ${logKey.error.message}`);
    const witnesses = parseBundleWitnesses(log);
    return { bundle: json as AuditBundle, keyring: keyring.value, logKey: logKey.value, ...(witnesses ? { witnesses } : {}) };
  }
  return { bundle: json as AuditBundle, keyring: keyring.value };
}

/** The bundle's `log.witnesses` and `log.quorum`, both or neither. */
function parseBundleWitnesses(log: Partial<BundleLog>): WitnessPolicy | undefined {
  if (log.witnesses === undefined && log.quorum === undefined) return undefined;
  if (!Array.isArray(log.witnesses) || log.witnesses.length > 100 || !log.witnesses.every((w) => typeof w === 'string')) {
    throw new BundleFormatError('"log.witnesses" must be an array of witness verifier keys (with "log.quorum")');
  }
  const keys = log.witnesses.map((w, i) => {
    const key = parseCosignerKey(w);
    if (!key.ok) throw new BundleFormatError(`"log.witnesses[${i}]" is not a witness key: ${key.error.message}`);
    return key.value;
  });
  if (!Number.isSafeInteger(log.quorum) || log.quorum! < 0 || log.quorum! > keys.length) throw new BundleFormatError('"log.quorum" must be an integer from 0 to the number of "log.witnesses"');
  return { witnesses: keys, quorum: log.quorum! };
}

/** Where the bundle's own keyring disagrees with a trusted one: each is a reason not to trust the bundle. */
export function compareKeyrings(bundleKeys: Keyring, trusted: Keyring): BundleFailure[] {
  const out: BundleFailure[] = [];
  for (const [id, entry] of bundleKeys.devices) {
    const t = trusted.devices.get(id);
    if (!t) {
      out.push({ code: 'KEY_MISMATCH', device: id, message: `device ${id} is in the bundle's keyring but not in the trusted keyring` });
      continue;
    }
    if (t.institution !== entry.institution) out.push({ code: 'KEY_MISMATCH', device: id, message: `device ${id} belongs to ${t.institution}, the bundle says ${entry.institution}` });
    if ([...t.stations].sort().join() !== [...entry.stations].sort().join()) {
      out.push({ code: 'KEY_MISMATCH', device: id, message: `device ${id} serves ${t.stations.join('/')}, the bundle says ${entry.stations.join('/')}` });
    }
    for (const k of entry.keys) {
      const tk = t.keys.find((x) => x.kid === k.kid);
      if (!tk) out.push({ code: 'KEY_MISMATCH', device: id, message: `key ${k.kid} of device ${id} is not in the trusted keyring` });
      else if (tk.revokedAt !== k.revokedAt) out.push({ code: 'KEY_MISMATCH', device: id, message: `key ${k.kid} of device ${id}: revoked at ${tk.revokedAt ?? 'never'} in the trusted keyring, ${k.revokedAt ?? 'never'} in the bundle` });
    }
  }
  return out;
}

/**
 * Verifies a bundle: every record on its own (verifyRecord: bytes, device, key, signature, station),
 * the links between consecutive seqs of a device that the bundle holds, the bundle's keys against a
 * trusted keyring when one is given, and that the records concern the bag. Rebuilds the bag's trail
 * from the records that verify. Throws BundleFormatError when the bundle cannot be read at all.
 */
export function verifyBundle(json: unknown, trusted?: Keyring, trustedLogKey?: NoteVerifierKey, trustedWitnesses?: WitnessPolicy): BundleReport {
  const { bundle, keyring: bundleKeys, logKey, witnesses } = parseBundle(json);
  const keyring = trusted ?? bundleKeys;
  const failures: BundleFailure[] = trusted ? compareKeyrings(bundleKeys, trusted) : [];
  const ctx = { keyring, ed25519Verify: nodeEd25519Verify };
  const accepted: DecodedRecord[] = [];
  const seen = new Map<string, string>();
  bundle.records.forEach((line, index) => {
    const env = decodeEnvelope(line);
    if (!env.ok) {
      failures.push({ ...env.error, index });
      return;
    }
    const v = verifyRecord(env.value, ctx);
    if (!v.ok) {
      failures.push({ ...v.error, index });
      return;
    }
    const { device, seq } = v.value.record;
    const key = `${device}\n${seq}`;
    const before = seen.get(key);
    if (before !== undefined) {
      failures.push(
        before === v.value.hash
          ? { code: 'DUPLICATE_RECORD', device, seq, index, message: `seq ${seq} of ${device} is in the bundle twice` }
          : { code: 'FORK', device, seq, index, message: `two different records at seq ${seq} of ${device}: the chain forks` },
      );
      return;
    }
    seen.set(key, v.value.hash);
    accepted.push(v.value);
  });

  let linksChecked = 0;
  let chainBreaks = 0;
  const byDevice = new Map<string, DecodedRecord[]>();
  for (const r of accepted) byDevice.set(r.record.device, [...(byDevice.get(r.record.device) ?? []), r]);
  for (const [device, records] of byDevice) {
    records.sort((a, b) => a.record.seq - b.record.seq);
    records.forEach((r, i) => {
      if (r.record.seq === 1 && r.record.prev !== GENESIS_PREV) {
        failures.push({ code: 'CHAIN_START_INVALID', device, seq: 1, message: 'the first record of a chain must carry prev = 64 zeros' });
      }
      const prev = records[i - 1];
      if (!prev) return;
      if (r.record.seq !== prev.record.seq + 1) {
        chainBreaks++;
        return;
      }
      linksChecked++;
      if (r.record.prev !== prev.hash) {
        failures.push({ code: 'PREV_HASH_MISMATCH', device, seq: r.record.seq, message: `prev of seq ${r.record.seq} is not the hash of seq ${prev.record.seq}` });
      }
    });
  }

  const trailRecords: TrailRecord[] = accepted.map((d) => toTrailRecord(d, keyring.devices.get(d.record.device)!));
  const trail = reconstructTrail(trailRecords, bundle.bag);
  if (trail.steps.length === 0 && trail.voided.length === 0) {
    failures.push({ code: 'BAG_NOT_IN_RECORDS', message: `no verified record of the bundle names the bag ${bundle.bag}` });
  }
  const witnessTrust = trustedWitnesses ? { ...trustedWitnesses, keysFrom: 'trusted' as const } : witnesses && witnesses.quorum > 0 ? { ...witnesses, keysFrom: 'bundle' as const } : undefined;
  const log = verifyLogProofs(bundle, trustedLogKey ?? logKey, trustedLogKey !== undefined, witnessTrust, failures);
  return {
    bag: bundle.bag,
    generatedAt: bundle.generatedAt,
    records: bundle.records.length,
    verified: accepted.length,
    devices: [...byDevice.keys()].sort(),
    keysFrom: trusted ? 'trusted' : 'bundle',
    linksChecked,
    chainBreaks,
    failures,
    trail,
    ...(log ? { log } : {}),
  };
}

/**
 * Each record's tlog-proof: the checkpoint signed by the log's key (the trusted one when given, else the
 * bundle's own), its origin the key's name, and the record's leaf at the proof's index in that tree. With
 * a witness quorum, each checkpoint once: cosigned by at least the quorum of those witnesses, and by no one else.
 */
function verifyLogProofs(
  bundle: AuditBundle,
  key: NoteVerifierKey | undefined,
  trusted: boolean,
  witnesses: (WitnessPolicy & { keysFrom: 'trusted' | 'bundle' }) | undefined,
  failures: BundleFailure[],
): BundleLogReport | undefined {
  if (!bundle.log || !key) {
    if (trusted) failures.push({ code: 'LOG_PROOFS_MISSING', message: 'the bundle carries no log proofs (it was made before the log, or by a server without one), so nothing shows its records are in the log' });
    return undefined;
  }
  const cosigned: Array<{ size: number; by: string[] }> = [];
  // One verdict per checkpoint note: the proofs of one bundle share one checkpoint, reported once.
  const verdicts = new Map<string, boolean>();
  const checkQuorum = (note: string, size: number, index: number): boolean => {
    if (!witnesses) return true;
    const known = verdicts.get(note);
    if (known !== undefined) return known;
    const quorum = checkCosignatureQuorum(note, { log: key, witnesses: witnesses.witnesses, quorum: witnesses.quorum }, nodeEd25519Verify);
    verdicts.set(note, quorum.ok);
    if (!quorum.ok) {
      failures.push({ code: quorum.error.code, index, message: `the checkpoint of size ${size} its log proof leads to: ${quorum.error.message}` });
      return false;
    }
    cosigned.push({ size, by: quorum.value.cosignedBy.map((w) => w.name).sort() });
    return true;
  };
  const trust = { origin: key.name, keys: [key], ed25519Verify: nodeEd25519Verify };
  let proven = 0;
  let notYetInCheckpoint = 0;
  const sizes = new Set<number>();
  bundle.log.proofs.forEach((text, index) => {
    if (text === null) {
      notYetInCheckpoint++;
      return;
    }
    const proof = parseTlogProof(text);
    if (!proof.ok) {
      failures.push({ code: proof.error.code, index, message: `its log proof: ${proof.error.message}` });
      return;
    }
    const included = verifyRecordInclusion(bundle.records[index]!, proof.value, trust);
    if (!included.ok) {
      failures.push({ code: included.error.code, index, message: `its log proof: ${included.error.message}` });
      return;
    }
    if (!checkQuorum(proof.value.checkpoint, included.value.checkpoint.size, index)) return;
    proven++;
    sizes.add(included.value.checkpoint.size);
  });
  return {
    keyFrom: trusted ? 'trusted' : 'bundle',
    origin: key.name,
    proven,
    notYetInCheckpoint,
    checkpointSizes: [...sizes].sort((a, b) => a - b),
    ...(witnesses ? { witnesses: { keysFrom: witnesses.keysFrom, quorum: witnesses.quorum, cosigned: cosigned.sort((a, b) => a.size - b.size) } } : {}),
  };
}
