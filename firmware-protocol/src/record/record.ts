/**
 * The signed custody record. A device builds the canonical JSON bytes of
 *   {body, device, kid, prev, seq, time, type, v}
 * and signs DOMAIN || bytes with Ed25519; SHA-256(DOMAIN || bytes) is the record's hash, which the
 * next record of the same device carries as `prev`. Those exact bytes are what travels, is stored and
 * is verified; nothing is ever re-serialised to be checked. docs/protocol/record.md has the details.
 */
import { canonicalJson } from './canonical.ts';
import { fail, ok, type RecordError, type Result } from './errors.ts';
import { deviceId, EVENT_BODIES, EVENTS_BY_STATION, isEventType, type CustodyEvent, type EventType } from './events.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { Ed25519Signer, Ed25519Verify } from '../crypto/ed25519.ts';
import { concatBytes, fromUtf8, toHex, utf8 } from '../encoding.ts';
import { findKey, keyId, type Keyring } from '../identity/keyring.ts';
import { isRfc3339Utc } from '../time.ts';

export const RECORD_FORMAT_VERSION = 1;
/** Domain separation: these bytes precede the record bytes in everything that is hashed or signed. */
export const RECORD_DOMAIN = 'wastetrail/record/v1\n';
const DOMAIN_BYTES = utf8(RECORD_DOMAIN);
/** `prev` of a device's first record. */
export const GENESIS_PREV = '0'.repeat(64);

export type CustodyRecord = {
  v: typeof RECORD_FORMAT_VERSION;
  device: string;
  seq: number;
  prev: string;
  time: string;
  kid: string;
} & CustodyEvent;

/** What travels and is stored: the exact signed bytes and the 64-byte signature over them. */
export interface SignedRecord {
  bytes: Uint8Array;
  signature: Uint8Array;
}

export interface DecodedRecord extends SignedRecord {
  record: CustodyRecord;
  /** SHA-256(DOMAIN || bytes), lower-case hex. */
  hash: string;
}

export function signingMessage(bytes: Uint8Array): Uint8Array {
  return concatBytes(DOMAIN_BYTES, bytes);
}

export function recordHash(bytes: Uint8Array): string {
  return toHex(sha256(signingMessage(bytes)));
}

export interface RecordDraft {
  device: string;
  seq: number;
  prev: string;
  time: string;
  event: CustodyEvent;
}

/**
 * Encodes and signs a record. Throws on a draft that would not verify: the edge must never commit a
 * record that the server will reject, so a bad body is a programming error at this point.
 */
export function signRecord(draft: RecordDraft, signer: Ed25519Signer): DecodedRecord {
  const record = {
    v: RECORD_FORMAT_VERSION,
    device: draft.device,
    seq: draft.seq,
    prev: draft.prev,
    time: draft.time,
    kid: keyId(signer.publicKeySpki),
    type: draft.event.type,
    body: draft.event.body,
  } as CustodyRecord;
  const bytes = utf8(canonicalJson(record));
  const decoded = decodeRecordBytes(bytes);
  if (!decoded.ok) throw new TypeError(`refusing to sign an invalid record: ${decoded.error.code}: ${decoded.error.message}`);
  const message = signingMessage(bytes);
  return { bytes, signature: signer.sign(message), record: decoded.value, hash: toHex(sha256(message)) };
}

const HEADER_FIELDS = new Set(['v', 'device', 'seq', 'prev', 'time', 'kid', 'type', 'body']);

/** Parses and validates record bytes (not the signature): canonical form, header, and the typed body. */
export function decodeRecordBytes(bytes: Uint8Array): Result<CustodyRecord> {
  const text = fromUtf8(bytes);
  if (text === undefined) return fail('MALFORMED_RECORD', 'record bytes are not valid UTF-8');
  let value: unknown;
  try {
    // fromUtf8 keeps a byte-order mark, which JSON.parse refuses: read past it, so the canonical-form
    // check below names it (NON_CANONICAL_RECORD) with the record's device and seq.
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch {
    return fail('MALFORMED_RECORD', 'record bytes are not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('MALFORMED_RECORD', 'a record is a JSON object');
  const r = value as Record<string, unknown>;
  const who = { ...(typeof r.device === 'string' ? { device: r.device } : {}), ...(typeof r.seq === 'number' ? { seq: r.seq } : {}) };
  if (r.v !== RECORD_FORMAT_VERSION) return fail('UNSUPPORTED_VERSION', `record format version ${JSON.stringify(r.v)} is not supported (expected ${RECORD_FORMAT_VERSION})`, who);
  for (const k of Object.keys(r)) if (!HEADER_FIELDS.has(k)) return fail('UNEXPECTED_FIELD', `${k} is not a record field`, { ...who, path: k });
  for (const k of HEADER_FIELDS) if (!(k in r)) return fail('MISSING_FIELD', `${k} is required`, { ...who, path: k });
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch {
    return fail('NON_CANONICAL_RECORD', 'records hold integers only (no fractions or exponents)', who);
  }
  // Compared as bytes, not as decoded text: a decoder may drop a byte-order mark (or another would keep
  // it), and then one content would have two byte forms and two hashes.
  if (!sameBytes(utf8(canonical), bytes)) {
    const why = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 'record bytes begin with a UTF-8 byte-order mark' : 'record bytes are not in canonical form (sorted keys, no whitespace, no repeated keys)';
    return fail('NON_CANONICAL_RECORD', why, who);
  }
  const header = checkHeader(r);
  if (header) return { ok: false, error: { ...header, ...who } };
  if (!isEventType(r.type)) return fail('UNKNOWN_EVENT_TYPE', `event type ${JSON.stringify(r.type)} is not known`, who);
  const body = EVENT_BODIES[r.type].check(r.body, 'body');
  if (!body.ok) return { ok: false, error: { ...body.error, ...who } };
  return ok(r as unknown as CustodyRecord);
}

function checkHeader(r: Record<string, unknown>): RecordError | undefined {
  const idCheck = deviceId.check(r.device, 'device');
  if (!idCheck.ok) return idCheck.error;
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1) {
    return { code: 'INVALID_FIELD', message: 'seq must be an integer from 1', path: 'seq' };
  }
  if (typeof r.prev !== 'string' || !/^[0-9a-f]{64}$/.test(r.prev)) return { code: 'INVALID_FIELD', message: 'prev must be 64 lower-case hex digits', path: 'prev' };
  if (typeof r.time !== 'string' || !isRfc3339Utc(r.time)) return { code: 'INVALID_FIELD', message: 'time must be RFC 3339 UTC with milliseconds, like 2026-01-31T08:00:00.000Z', path: 'time' };
  if (typeof r.kid !== 'string' || !/^[0-9a-f]{16}$/.test(r.kid)) return { code: 'INVALID_FIELD', message: 'kid must be 16 lower-case hex digits', path: 'kid' };
  if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) return { code: 'INVALID_FIELD', message: 'body must be an object', path: 'body' };
  return undefined;
}

export interface VerifyContext {
  keyring: Keyring;
  ed25519Verify: Ed25519Verify;
}

/**
 * Verifies one signed record on its own: its bytes, its device and key, its signature, and that its
 * station may sign this kind of event. Never throws; chain order is checked by ChainVerifier.
 */
export function verifyRecord(signed: SignedRecord, ctx: VerifyContext): Result<DecodedRecord> {
  const decoded = decodeRecordBytes(signed.bytes);
  // A record whose bytes do not even parse cannot be attributed to a device; report it as it is.
  if (!decoded.ok) return decoded;
  const message = signingMessage(signed.bytes);
  return verifyDecodedRecord({ bytes: signed.bytes, signature: signed.signature, record: decoded.value, hash: toHex(sha256(message)) }, ctx, message);
}

/**
 * verifyRecord's checks after the bytes: device, key, signature, revocation, station. Only for a record
 * whose `record` is what decodeRecordBytes returned for these very bytes and whose `hash` is their
 * recordHash, computed in this process (e.g. by a worker thread that read the same bytes): a caller that
 * already decoded and hashed them need not do it twice. Anything else is not verified by this.
 */
export function verifyDecodedRecord(decoded: DecodedRecord, ctx: VerifyContext, message: Uint8Array = signingMessage(decoded.bytes)): Result<DecodedRecord> {
  const { record } = decoded;
  const who = { device: record.device, seq: record.seq };
  const entry = ctx.keyring.devices.get(record.device);
  if (!entry) return fail('UNKNOWN_DEVICE', `device ${record.device} is not in the keyring`, who);
  const key = findKey(entry, record.kid);
  if (!key) return fail('WRONG_KEY', `key ${record.kid} is not a key of device ${record.device}`, who);
  if (!ctx.ed25519Verify(key.publicKeySpki, message, decoded.signature)) {
    return fail('BAD_SIGNATURE', `signature does not match the record bytes and key ${record.kid}`, who);
  }
  if (key.revokedAt !== undefined && record.time >= key.revokedAt) {
    return fail('KEY_REVOKED', `key ${record.kid} was revoked at ${key.revokedAt}, record is dated ${record.time}`, who);
  }
  if (!entry.stations.some((s) => EVENTS_BY_STATION[s].includes(record.type as EventType))) {
    return fail('EVENT_NOT_ALLOWED', `a ${entry.stations.join('/')} station may not sign ${record.type} records`, who);
  }
  return ok(decoded);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
