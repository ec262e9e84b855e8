/**
 * The device's Ed25519 key: generated on the device (`wastetrail-edge keygen`), the private half never
 * leaves it (device.key, PKCS#8 PEM, mode 0600), the public half goes into the server's keyring.
 */
import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519Signer, generateEd25519KeyPair, keyId, toBase64, type Ed25519Signer, type StationRole } from '@wastetrail/firmware-protocol';

export const PRIVATE_KEY_FILE = 'device.key';
export const PUBLIC_KEY_FILE = 'device.pub';

export interface GeneratedKey {
  privateKeyFile: string;
  publicKeyFile: string;
  publicKeySpki: Uint8Array;
  kid: string;
}

/** Writes device.key (0600) and device.pub into `dir`; never overwrites an existing key. */
export function generateDeviceKey(dir: string): GeneratedKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateEd25519KeyPair();
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  // 'wx': fail if it exists. A device that loses its key loses its identity; replacing one is a decision.
  writeFileSync(privateKeyFile, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  const pem = createPublicKey({ key: Buffer.from(pair.publicKeySpki), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
  writeFileSync(publicKeyFile, pem, { mode: 0o644 });
  return { privateKeyFile, publicKeyFile, publicKeySpki: pair.publicKeySpki, kid: keyId(pair.publicKeySpki) };
}

export interface DeviceIdentity {
  deviceId: string;
  institution: string;
  stations: StationRole[];
  site?: string;
}

/** The device's entry for keyring.json (docs/protocol/record.md#keyring): { deviceId: {...} }. */
export function keyringEntry(identity: DeviceIdentity, publicKeySpki: Uint8Array): Record<string, unknown> {
  return {
    [identity.deviceId]: {
      institution: identity.institution,
      stations: identity.stations,
      ...(identity.site ? { site: identity.site } : {}),
      keys: [{ publicKey: toBase64(publicKeySpki) }],
    },
  };
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** Loads the signing key. `warn` hears about a key file that others can read. */
export function loadDeviceSigner(keyFile: string, warn: (message: string) => void = () => {}): Ed25519Signer {
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
    const mode = statSync(keyFile).mode & 0o777;
    if (mode & 0o077) warn(`${keyFile} can be read by others (mode ${mode.toString(8)}): chmod 600 ${keyFile}`);
  } catch (e) {
    throw new KeyFileError(`keyFile: cannot read ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (create it with: wastetrail-edge keygen --out <dir>)`);
  }
  try {
    return ed25519Signer(pem);
  } catch (e) {
    throw new KeyFileError(`keyFile: ${keyFile} is not an Ed25519 private key in PKCS#8 PEM (${(e as Error).message})`);
  }
}
