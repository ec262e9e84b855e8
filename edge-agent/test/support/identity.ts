/** A fresh device identity per test: unique id (topics are shared on the broker), key, keyring. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ed25519Signer,
  generateEd25519KeyPair,
  keyId,
  KEYRING_FORMAT,
  parseKeyring,
  toBase64,
  type Ed25519Signer,
  type Keyring,
  type StationRole,
} from '@wastetrail/firmware-protocol';

export interface TestIdentity {
  deviceId: string;
  signer: Ed25519Signer;
  privateKeyPem: string;
  kid: string;
  keyringJson: { format: string; devices: Record<string, unknown> };
  keyring: Keyring;
}

export function uniqueDeviceId(prefix = 't'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function testIdentity(stations: StationRole[] = ['department'], deviceId = uniqueDeviceId()): TestIdentity {
  const pair = generateEd25519KeyPair();
  const keyringJson = {
    format: KEYRING_FORMAT,
    devices: { [deviceId]: { institution: 'hz-h001', stations, keys: [{ publicKey: toBase64(pair.publicKeySpki) }] } },
  };
  const parsed = parseKeyring(keyringJson);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { deviceId, signer: ed25519Signer(pair.privateKeyPem), privateKeyPem: pair.privateKeyPem, kid: keyId(pair.publicKeySpki), keyringJson, keyring: parsed.value };
}

/** A temporary folder removed by the returned cleanup. */
export function tempDir(prefix = 'wt-edge-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the key (0600) and keyring files of an identity into `dir`. */
export function writeIdentityFiles(id: TestIdentity, dir: string): { keyFile: string; keyringFile: string } {
  const keyFile = join(dir, 'device.key');
  const keyringFile = join(dir, 'keyring.json');
  writeFileSync(keyFile, id.privateKeyPem, { mode: 0o600 });
  writeFileSync(keyringFile, JSON.stringify(id.keyringJson, null, 2));
  return { keyFile, keyringFile };
}
