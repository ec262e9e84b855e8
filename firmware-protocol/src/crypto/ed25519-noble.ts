/**
 * Ed25519 verification in pure JavaScript (@noble/curves), for where node:crypto is absent: the browser
 * re-verifying an audit bundle. Strict RFC 8032 (zip215: false), as node:crypto (OpenSSL) verifies, so
 * a signature one accepts the other accepts too. Keys are SPKI DER, as everywhere in this package.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { rawEd25519PublicKey } from '../identity/keyring.ts';
import type { Ed25519Verify } from './ed25519.ts';

export const nobleEd25519Verify: Ed25519Verify = (publicKeySpki, message, signature) => {
  const key = rawEd25519PublicKey(publicKeySpki);
  if (!key || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, key, { zip215: false });
  } catch {
    // A key that is not a curve point: not a valid signature under it.
    return false;
  }
};
