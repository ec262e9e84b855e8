import { describe, expect, it } from 'vitest';
import { deviceAuthToken, ed25519Signer, generateEd25519KeyPair, keyId, nodeEd25519Verify, verifyDeviceAuth, type Keyring } from '../../src/index.ts';

const pair = generateEd25519KeyPair();
const signer = ed25519Signer(pair.privateKeyPem);
const now = Date.parse('2026-11-22T10:00:00.000Z');
const keyring = (revokedAt?: string): Keyring => ({
  devices: new Map([['dev-a1', { device: 'dev-a1', institution: 'h1', stations: ['department'], keys: [{ publicKeySpki: pair.publicKeySpki, kid: keyId(pair.publicKeySpki), ...(revokedAt ? { revokedAt } : {}) }] }]]),
});
const check = (over: Partial<{ clientId: string; username: string; password: string; nowMs: number }>, k = keyring()) =>
  verifyDeviceAuth({ clientId: 'dev-a1', username: 'dev-a1', password: deviceAuthToken('dev-a1', signer, now), nowMs: now, ...over }, k, nodeEd25519Verify);

describe('device auth token', () => {
  it('accepts a fresh token from the device key', () => {
    expect(check({})).toEqual({ ok: true, device: 'dev-a1', kid: keyId(pair.publicKeySpki) });
    expect(check({ nowMs: now + 4 * 60_000 }).ok).toBe(true);
  });
  it('names each refusal', () => {
    expect(check({ password: 'secret' })).toEqual({ ok: false, reason: 'MALFORMED_TOKEN' });
    expect(check({ username: 'dev-b2' })).toEqual({ ok: false, reason: 'CLIENT_ID_MISMATCH' });
    expect(check({ clientId: 'dev-b2', username: 'dev-b2' })).toEqual({ ok: false, reason: 'UNKNOWN_DEVICE' });
    expect(check({ nowMs: now + 6 * 60_000 })).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
    expect(check({}, keyring('2026-11-01T00:00:00.000Z'))).toEqual({ ok: false, reason: 'KEY_REVOKED' });
    const stranger = ed25519Signer(generateEd25519KeyPair().privateKeyPem);
    expect(check({ password: deviceAuthToken('dev-a1', stranger, now) })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    // A token made for another client id does not open this one.
    const a1 = keyring().devices.get('dev-a1')!;
    const k: Keyring = { devices: new Map([['dev-a1', a1], ['dev-b2', { ...a1, device: 'dev-b2' }]]) };
    expect(check({ clientId: 'dev-b2', username: 'dev-b2' }, k)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});
