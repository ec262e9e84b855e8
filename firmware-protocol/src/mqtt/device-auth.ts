/**
 * How a device logs in to the broker without a shared secret: the MQTT password is a short-lived
 * token signed with the device's own Ed25519 key, bound to its client id and a time.
 *
 *   username = device id,  client id = device id
 *   password = "wt1." + <unix time, ms, decimal> + "." + base64url(Ed25519(key, DOMAIN || clientId "\n" time))
 *
 * The broker accepts it while |now - time| <= the allowed skew and the signature verifies with a
 * non-revoked key of that device in the keyring. A captured token is useless after the skew window,
 * for another client id, or once the key is revoked.
 */
import type { Ed25519Signer, Ed25519Verify } from '../crypto/ed25519.ts';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../encoding.ts';
import type { Keyring } from '../identity/keyring.ts';

export const DEVICE_AUTH_DOMAIN = 'wastetrail/mqtt-auth/v1\n';
export const DEFAULT_AUTH_SKEW_MS = 5 * 60_000;

export type DeviceAuthFailure = 'MALFORMED_TOKEN' | 'CLIENT_ID_MISMATCH' | 'UNKNOWN_DEVICE' | 'TOKEN_EXPIRED' | 'KEY_REVOKED' | 'BAD_SIGNATURE';
export type DeviceAuthResult = { ok: true; device: string; kid: string } | { ok: false; reason: DeviceAuthFailure };

function authMessage(clientId: string, timeMs: number): Uint8Array {
  return concatBytes(utf8(DEVICE_AUTH_DOMAIN), utf8(`${clientId}\n${timeMs}`));
}

export function deviceAuthToken(clientId: string, signer: Ed25519Signer, nowMs: number): string {
  const t = Math.floor(nowMs);
  return `wt1.${t}.${toBase64Url(signer.sign(authMessage(clientId, t)))}`;
}

export function verifyDeviceAuth(
  args: { clientId: string; username: string | undefined; password: string | undefined; nowMs: number; skewMs?: number },
  keyring: Keyring,
  ed25519Verify: Ed25519Verify,
): DeviceAuthResult {
  const m = /^wt1\.(\d{1,16})\.([A-Za-z0-9_-]{86})$/.exec(args.password ?? '');
  if (!m) return { ok: false, reason: 'MALFORMED_TOKEN' };
  if (args.username !== args.clientId) return { ok: false, reason: 'CLIENT_ID_MISMATCH' };
  const entry = keyring.devices.get(args.clientId);
  if (!entry) return { ok: false, reason: 'UNKNOWN_DEVICE' };
  const timeMs = Number(m[1]);
  if (Math.abs(args.nowMs - timeMs) > (args.skewMs ?? DEFAULT_AUTH_SKEW_MS)) return { ok: false, reason: 'TOKEN_EXPIRED' };
  const signature = fromBase64Url(m[2]!);
  if (!signature || signature.length !== 64) return { ok: false, reason: 'MALFORMED_TOKEN' };
  const message = authMessage(args.clientId, timeMs);
  const now = new Date(args.nowMs).toISOString();
  let revokedMatch = false;
  for (const key of entry.keys) {
    if (!ed25519Verify(key.publicKeySpki, message, signature)) continue;
    if (key.revokedAt !== undefined && key.revokedAt <= now) {
      revokedMatch = true;
      continue;
    }
    return { ok: true, device: args.clientId, kid: key.kid };
  }
  return { ok: false, reason: revokedMatch ? 'KEY_REVOKED' : 'BAD_SIGNATURE' };
}
