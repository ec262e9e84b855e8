// Re-verifies an audit bundle in the browser, independently of the server's own check: for each record
// envelope, SHA-256(DOMAIN || bytes) is its hash and the Ed25519 signature (RFC 8032, strict: zip215
// false, as the server verifies) over DOMAIN || bytes must verify under the key the record names (kid =
// first 8 bytes of SHA-256 of the SPKI) in the bundle's keyring. Then the verifiable log: each record's
// inclusion proof and the checkpoint's signature, and the witnesses' cosignatures against the quorum,
// with firmware-protocol's own log code (no second Merkle implementation). Bundled with @noble/curves
// by server/scripts/build-web.mjs.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkCosignatureQuorum, parseCosignerKey, parseTlogProof, parseVerifierKey, verifyRecordInclusion } from '@wastetrail/firmware-protocol/log';

const DOMAIN = new TextEncoder().encode('wastetrail/record/v1\n');

const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** firmware-protocol's Ed25519Verify with noble: SPKI (12-byte prefix, then the raw key), strict RFC 8032. */
function ed25519Verify(spki, message, signature) {
  try {
    return ed25519.verify(signature, message, spki.subarray(12), { zip215: false });
  } catch {
    return false;
  }
}

/**
 * [{device, seq, hash, ok, reason?, log?}] for each record of the bundle. With the bundle's log proofs,
 * `log` is {leaf, size} once the record's proof leads to a checkpoint signed by the log's key,
 * {pending: true} for a record not yet in a checkpoint, or {failed: CODE}.
 */
export function verifyBundle(bundle) {
  const keys = new Map();
  for (const [device, d] of Object.entries(bundle.keyring.devices)) {
    for (const k of d.keys || []) {
      const spki = fromBase64(k.publicKey);
      if (spki.length !== 44) continue;
      keys.set(`${device}/${toHex(sha256(spki).subarray(0, 8))}`, spki.subarray(12));
    }
  }
  const logs = bundle.log ? verifyLogProofs(bundle) : [];
  return bundle.records.map((line, i) => {
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
    const log = bundle.log ? { log: logs[i] } : {};
    const message = concat(DOMAIN, bytes);
    const hash = toHex(sha256(message));
    const key = keys.get(`${header.device}/${header.kid}`);
    if (!key) return { device: header.device, seq: header.seq, hash, ok: false, reason: 'UNKNOWN_KEY', ...log };
    let ok = false;
    try {
      ok = ed25519.verify(fromBase64(env.sig), message, key, { zip215: false });
    } catch {
      ok = false;
    }
    return { device: header.device, seq: header.seq, hash, ok, ...(ok ? {} : { reason: 'BAD_SIGNATURE' }), ...log };
  });
}

/** The log key and the bundle's witness policy, parsed; a key that does not parse fails every proof. */
function logTrust(bundle) {
  const key = parseVerifierKey(bundle.log.key);
  const witnesses = (bundle.log.witnesses || []).map((w) => parseCosignerKey(w)).filter((w) => w.ok).map((w) => w.value);
  return { key, witnesses, quorum: Math.min(bundle.log.quorum || 0, witnesses.length) };
}

function verifyLogProofs(bundle) {
  const { key } = logTrust(bundle);
  return bundle.log.proofs.map((text, i) => {
    if (text === null) return { pending: true };
    if (!key.ok) return { failed: key.error.code };
    const proof = parseTlogProof(text);
    if (!proof.ok) return { failed: proof.error.code };
    const included = verifyRecordInclusion(bundle.records[i], proof.value, { origin: key.value.name, keys: [key.value], ed25519Verify });
    return included.ok ? { leaf: included.value.index, size: included.value.checkpoint.size } : { failed: included.error.code };
  });
}

/**
 * The checkpoints the bundle's proofs lead to, each once: [{size, signed, cosignedBy, quorum, quorumMet,
 * reason?}]. `signed`: the log's key signed it (only checkpoints that some record's proof reached through
 * a verified signature are listed; a bad one fails that record's proof instead). The cosignatures are
 * checked against the witnesses and quorum the bundle names.
 */
export function verifyBundleCheckpoints(bundle) {
  if (!bundle.log) return [];
  const { key, witnesses, quorum } = logTrust(bundle);
  if (!key.ok) return [];
  const proofs = verifyLogProofs(bundle);
  const seen = new Map();
  bundle.log.proofs.forEach((text, i) => {
    if (!proofs[i].size) return;
    const note = parseTlogProof(text).value.checkpoint;
    if (seen.has(note)) return;
    const checked = checkCosignatureQuorum(note, { log: key.value, witnesses, quorum }, ed25519Verify);
    seen.set(note, {
      size: proofs[i].size,
      signed: true,
      quorum,
      witnesses: witnesses.length,
      cosignedBy: checked.ok ? checked.value.cosignedBy.map((w) => w.name) : [],
      quorumMet: checked.ok,
      ...(checked.ok ? {} : { reason: checked.error.code }),
    });
  });
  return [...seen.values()];
}
