/**
 * Ed25519 through node:crypto, roughly 20x faster than pure JS. Public keys travel as SPKI DER
 * (the body of an `openssl pkey -pubout` PEM) so anyone can check a signature with openssl.
 * KeyObjects are cached: building one costs more than the verification itself.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** Verifies an Ed25519 signature. Browsers plug in a pure-JS one with strict RFC 8032 rules. */
export type Ed25519Verify = (publicKeySpki: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export { ED25519_SPKI_PREFIX } from './spki.ts';
/** DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

const publicKeyCache = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 100_000;

function publicKeyObject(spki: Uint8Array): KeyObject | null {
  const id = Buffer.from(spki).toString('base64');
  let key = publicKeyCache.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') key = null;
    } catch {
      key = null;
    }
    if (publicKeyCache.size >= MAX_CACHED_KEYS) publicKeyCache.clear();
    publicKeyCache.set(id, key);
  }
  return key;
}

export const nodeEd25519Verify: Ed25519Verify = (publicKeySpki, message, signature) => {
  const key = publicKeyObject(publicKeySpki);
  if (!key || signature.length !== 64) return false;
  return verify(null, message, key, signature);
};

/**
 * An Ed25519Verify that remembers the signatures it found valid, so a record read again and again (a
 * bag's trail asked for by each of its handlers) costs one SHA-256 instead of one more Ed25519 check.
 * What is remembered is the SHA-256 of key, signature and message together: changing any of them (a row
 * rewritten in the database) misses and is checked in full. Only successes are kept; a failure is checked
 * again each time. At most `capacity` are kept, in two generations: when the newer one fills, the older
 * is forgotten (a hit in the older moves to the newer), so the signatures in use stay.
 */
export function rememberingEd25519Verify(check: Ed25519Verify, capacity: number): Ed25519Verify {
  const half = Math.max(1, Math.floor(capacity / 2));
  let newer = new Set<string>();
  let older = new Set<string>();
  const remember = (id: string) => {
    if (newer.size >= half) {
      older = newer;
      newer = new Set();
    }
    newer.add(id);
  };
  return (publicKeySpki, message, signature) => {
    // The key's and the signature's lengths go in too, so no other split of the same bytes has the same id.
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(publicKeySpki.length, 0);
    lengths.writeUInt32BE(signature.length, 4);
    const id = createHash('sha256').update(lengths).update(publicKeySpki).update(signature).update(message).digest('base64');
    if (newer.has(id)) return true;
    if (older.has(id)) {
      older.delete(id);
      remember(id);
      return true;
    }
    const valid = check(publicKeySpki, message, signature);
    if (valid) remember(id);
    return valid;
  };
}

export interface Ed25519KeyPair {
  /** PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it. */
  privateKeyPem: string;
  /** SPKI DER. */
  publicKeySpki: Uint8Array;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeySpki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
  };
}

/** A key pair from a fixed 32-byte seed: for reproducible test vectors only. */
export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeySpki: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
  };
}

export interface Ed25519Signer {
  readonly publicKeySpki: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function ed25519Signer(privateKeyPem: string): Ed25519Signer {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 private key, got ${privateKey.asymmetricKeyType}`);
  const publicKeySpki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  return { publicKeySpki, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}
