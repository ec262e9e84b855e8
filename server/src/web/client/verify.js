// Re-verifies an audit bundle in the browser, independently of the server's own check: for each record
// envelope, SHA-256(DOMAIN || bytes) is its hash and the Ed25519 signature (RFC 8032, strict: zip215
// false, as the server verifies) over DOMAIN || bytes must verify under the key the record names (kid =
// first 8 bytes of SHA-256 of the SPKI) in the bundle's keyring. Bundled with @noble/curves at server start.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

const DOMAIN = new TextEncoder().encode('wastetrail/record/v1\n');

const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** [{device, seq, hash, ok, reason?}] for each record of the bundle. */
export function verifyBundle(bundle) {
  const keys = new Map();
  for (const [device, d] of Object.entries(bundle.keyring.devices)) {
    for (const k of d.keys || []) {
      const spki = fromBase64(k.publicKey);
      if (spki.length !== 44) continue;
      keys.set(`${device}/${toHex(sha256(spki).subarray(0, 8))}`, spki.subarray(12));
    }
  }
  return bundle.records.map((line) => {
    let env;
    let header;
    let bytes;
    try {
      env = JSON.parse(line);
      bytes = fromBase64(env.record);
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return { device: '', seq: 0, hash: '', ok: false, reason: 'MALFORMED_RECORD' };
    }
    const message = concat(DOMAIN, bytes);
    const hash = toHex(sha256(message));
    const key = keys.get(`${header.device}/${header.kid}`);
    if (!key) return { device: header.device, seq: header.seq, hash, ok: false, reason: 'UNKNOWN_KEY' };
    let ok = false;
    try {
      ok = ed25519.verify(fromBase64(env.sig), message, key, { zip215: false });
    } catch {
      ok = false;
    }
    return { device: header.device, seq: header.seq, hash, ok, ...(ok ? {} : { reason: 'BAD_SIGNATURE' }) };
  });
}
