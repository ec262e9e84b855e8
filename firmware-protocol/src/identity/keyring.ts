/**
 * The keyring: which devices exist, the public keys each may sign with, and the institution, site
 * and station role each belongs to. The server provisions it; the gateway authenticates against it;
 * `wastetrail verify` checks exports with it. File format: docs/protocol/record.md#keyring.
 */
import { sha256 } from '../crypto/sha256.ts';
import { fromBase64, toBase64 as toBase64Std, toHex } from '../encoding.ts';
import { fail, ok, type Result } from '../record/errors.ts';
import { code, deviceId, STATION_ROLES, type StationRole } from '../record/events.ts';
import { array, object, oneOf, optional, string } from '../record/schema.ts';
import { ED25519_SPKI_PREFIX } from '../crypto/spki.ts';
import { isRfc3339Utc } from '../time.ts';

export const KEYRING_FORMAT = 'wastetrail.keyring.v1';

export interface DeviceKey {
  /** SPKI DER of the Ed25519 public key. */
  publicKeySpki: Uint8Array;
  /** Key id: first 8 bytes of SHA-256 over the SPKI DER, as 16 hex digits. Records name their key by it. */
  kid: string;
  /** Records dated at or after this time are refused, and from this time on the broker refuses the key. */
  revokedAt?: string;
}

export interface DeviceEntry {
  device: string;
  institution: string;
  /** Station roles the device serves (usually one; a small clinic's single kiosk may serve several). */
  stations: StationRole[];
  /** Department, storage room, vehicle or line the station serves. */
  site?: string;
  keys: DeviceKey[];
}

export interface Keyring {
  devices: ReadonlyMap<string, DeviceEntry>;
}

export function keyId(publicKeySpki: Uint8Array): string {
  return toHex(sha256(publicKeySpki).subarray(0, 8));
}

/** The raw 32-byte key inside an Ed25519 SPKI, or undefined if it is not one. */
export function rawEd25519PublicKey(spki: Uint8Array): Uint8Array | undefined {
  if (spki.length !== ED25519_SPKI_PREFIX.length + 32) return undefined;
  for (let i = 0; i < ED25519_SPKI_PREFIX.length; i++) if (spki[i] !== ED25519_SPKI_PREFIX[i]) return undefined;
  return spki.subarray(ED25519_SPKI_PREFIX.length);
}

const keySchema = object({
  publicKey: string({ max: 200, describe: 'base64 SPKI DER of an Ed25519 public key' }),
  revokedAt: optional(string({ max: 30, describe: 'an RFC 3339 UTC time' })),
});
const entrySchema = object({
  institution: code,
  stations: array(oneOf(STATION_ROLES), { min: 1, max: STATION_ROLES.length }),
  site: optional(code),
  keys: array(keySchema, { min: 1, max: 16 }),
});

export interface KeyringError {
  code: 'INVALID_KEYRING';
  message: string;
}

export function parseKeyring(json: unknown): Result<Keyring, KeyringError> {
  const bad = (message: string) => ({ ok: false as const, error: { code: 'INVALID_KEYRING' as const, message } });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('a keyring is a JSON object');
  const { format, devices } = json as Record<string, unknown>;
  if (format !== KEYRING_FORMAT) return bad(`format must be "${KEYRING_FORMAT}"`);
  if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) return bad('devices must be an object keyed by device id');
  const out = new Map<string, DeviceEntry>();
  for (const [device, raw] of Object.entries(devices)) {
    const id = deviceId.check(device, `devices`);
    if (!id.ok) return bad(`"${device}" is not a valid device id (a-z, 0-9, -; 3-64 characters)`);
    const entry = entrySchema.check(raw, `devices.${device}`);
    if (!entry.ok) return bad(entry.error.message);
    const keys: DeviceKey[] = [];
    for (const [i, k] of entry.value.keys.entries()) {
      const spki = fromBase64(k.publicKey);
      if (!spki || !rawEd25519PublicKey(spki)) return bad(`devices.${device}.keys[${i}].publicKey is not base64 SPKI DER of an Ed25519 key`);
      if (k.revokedAt !== undefined && !isRfc3339Utc(k.revokedAt)) return bad(`devices.${device}.keys[${i}].revokedAt must be like 2026-01-31T08:00:00.000Z`);
      keys.push({ publicKeySpki: spki, kid: keyId(spki), ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}) });
    }
    const { institution, stations, site } = entry.value;
    out.set(device, { device, institution, stations, ...(site ? { site } : {}), keys });
  }
  return ok({ devices: out });
}

/** The JSON form of a keyring, as parseKeyring reads it. */
export function keyringToJson(keyring: Keyring): unknown {
  const devices: Record<string, unknown> = {};
  for (const e of [...keyring.devices.values()].sort((a, b) => (a.device < b.device ? -1 : 1))) {
    devices[e.device] = {
      institution: e.institution,
      stations: e.stations,
      ...(e.site ? { site: e.site } : {}),
      keys: e.keys.map((k) => ({ publicKey: toBase64Std(k.publicKeySpki), ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}) })),
    };
  }
  return { format: KEYRING_FORMAT, devices };
}


export function findKey(entry: DeviceEntry, kid: string): DeviceKey | undefined {
  return entry.keys.find((k) => k.kid === kid);
}
