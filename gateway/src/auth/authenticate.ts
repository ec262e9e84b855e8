/**
 * The CONNECT decision: who is this client, and may it connect? Devices prove themselves with a token
 * signed by their own key (firmware-protocol's verifyDeviceAuth); the server identity with a password
 * checked against a scrypt hash, or by being connected in-process.
 */
import { DEVICE_ID_PATTERN, nodeEd25519Verify, verifyDeviceAuth, type Keyring } from '@wastetrail/firmware-protocol';
import type { Session } from '../acl.ts';
import { CONNACK_FOR_AUTH_FAILURE, deviceAuthFailureReason, type AuthFailureReason, type ConnackRefusalCode } from './connack.ts';
import { verifyPassword, type ScryptHash } from './password.ts';

export interface ConnectRequest {
  clientId: string;
  username: string | undefined;
  password: Uint8Array | undefined;
  /** The connection was made through gateway.connectServerClient(), inside this process. */
  inProcess: boolean;
}

export interface AuthContext {
  keyring: Keyring;
  nowMs: number;
  skewMs: number;
  server: { username: string; passwordHash?: ScryptHash };
}

export type ConnectDecision =
  | { ok: true; session: Session }
  | { ok: false; reason: AuthFailureReason; returnCode: ConnackRefusalCode };

const refuse = (reason: AuthFailureReason): ConnectDecision => ({ ok: false, reason, returnCode: CONNACK_FOR_AUTH_FAILURE[reason] });

export async function decideConnect(req: ConnectRequest, ctx: AuthContext): Promise<ConnectDecision> {
  if (req.inProcess || req.username === ctx.server.username) {
    // A server client id shaped like a device id could be taken over by that device's CONNECT.
    if (DEVICE_ID_PATTERN.test(req.clientId)) return refuse('server_client_id');
    if (req.inProcess) return { ok: true, session: { role: 'server', username: ctx.server.username } };
    if (!ctx.server.passwordHash || !req.password) return refuse('server_bad_password');
    const good = await verifyPassword(ctx.server.passwordHash, req.password);
    return good ? { ok: true, session: { role: 'server', username: ctx.server.username } } : refuse('server_bad_password');
  }
  if (req.username === undefined) return refuse('anonymous');
  const result = verifyDeviceAuth(
    {
      clientId: req.clientId,
      username: req.username,
      password: req.password === undefined ? undefined : Buffer.from(req.password).toString('utf8'),
      nowMs: ctx.nowMs,
      skewMs: ctx.skewMs,
    },
    ctx.keyring,
    nodeEd25519Verify,
  );
  if (!result.ok) return refuse(deviceAuthFailureReason(result.reason));
  return { ok: true, session: { role: 'device', device: result.device, kid: result.kid } };
}

/** After a keyring reload: is the key this device logged in with still good? */
export function sessionKeyStatus(keyring: Keyring, device: string, kid: string, nowMs: number): 'ok' | 'unknown_device' | 'key_revoked' {
  const entry = keyring.devices.get(device);
  if (!entry) return 'unknown_device';
  const key = entry.keys.find((k) => k.kid === kid);
  // Same rule as verifyDeviceAuth: a key is revoked from its revokedAt on; a key that is gone is revoked.
  if (!key || (key.revokedAt !== undefined && key.revokedAt <= new Date(nowMs).toISOString())) return 'key_revoked';
  return 'ok';
}
