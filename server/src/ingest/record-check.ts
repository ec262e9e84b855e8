/**
 * Splitting verification so worker threads can carry its expensive part. A worker reads a record's
 * bytes once (decodeRecordBytes and the hash, what verifyRecord starts with), runs the rest of
 * verifyRecord (verifyDecodedRecord) and reports what it read and what the Ed25519 check said, with the
 * key it used. The main thread then pushes the record through its ChainVerifier as decoded
 * (`pushDecoded`: key, signature, revocation, station, chain link), with an Ed25519 function that
 * answers from that verdict instead of verifying again: the bytes are read once in the process, not once
 * per thread. Any mismatch (another key, another signature object) falls back to a real verification,
 * so a stale verdict can never make a record valid.
 */
import { performance } from 'node:perf_hooks';
import {
  decodeRecordBytes,
  nodeEd25519Verify,
  recordHash,
  toBase64,
  verifyDecodedRecord,
  type CustodyRecord,
  type DecodedRecord,
  type Ed25519Verify,
  type Keyring,
  type RecordError,
  type SignedRecord,
} from '@wastetrail/firmware-protocol';

/** A record's bytes read once: decodeRecordBytes' record and the bytes' recordHash, or why not. */
export type RecordRead = { ok: true; record: CustodyRecord; hash: string } | { ok: false; error: RecordError };

export interface SignatureVerdict {
  /** base64 SPKI of the key the signature was checked with. */
  spki: string;
  valid: boolean;
}

export interface RecordCheck {
  read: RecordRead;
  /** Absent when verification stopped before the signature (unknown device, wrong key, bad bytes). */
  signature?: SignatureVerdict;
}

export function readRecord(bytes: Uint8Array): RecordRead {
  const decoded = decodeRecordBytes(bytes);
  return decoded.ok ? { ok: true, record: decoded.value, hash: recordHash(bytes) } : { ok: false, error: decoded.error };
}

/** The signed record with what was read from its bytes (in this process: a worker's read of the same line counts). */
export function decodedOf(signed: SignedRecord, read: RecordRead & { ok: true }): DecodedRecord {
  return { bytes: signed.bytes, signature: signed.signature, record: read.record, hash: read.hash };
}

/** What a worker computes for one record. */
export function checkRecord(signed: SignedRecord, keyring: Keyring, verify: Ed25519Verify = nodeEd25519Verify): RecordCheck {
  const read = readRecord(signed.bytes);
  if (!read.ok) return { read };
  let signature: SignatureVerdict | undefined;
  verifyDecodedRecord(decodedOf(signed, read), {
    keyring,
    ed25519Verify: (spki, message, sig) => {
      const valid = verify(spki, message, sig);
      signature = { spki: toBase64(spki), valid };
      return valid;
    },
  });
  return signature ? { read, signature } : { read };
}

/**
 * The main thread's Ed25519 function: answers from a worker's verdict for the record being pushed,
 * and verifies for real otherwise.
 */
export class TrustedVerdicts {
  private current: { signature: Uint8Array; verdict: SignatureVerdict } | undefined;
  /** Told how long each real verification took (seconds), for the verify histogram. */
  private readonly onVerified: ((seconds: number) => void) | undefined;

  constructor(onVerified?: (seconds: number) => void) {
    this.onVerified = onVerified;
  }

  /** Verifications answered from a worker's verdict, and done here. */
  reused = 0;
  verified = 0;

  readonly verify: Ed25519Verify = (spki, message, signature) => {
    const c = this.current;
    if (c && c.signature === signature && c.verdict.spki === toBase64(spki)) {
      this.reused++;
      return c.verdict.valid;
    }
    this.verified++;
    if (!this.onVerified) return nodeEd25519Verify(spki, message, signature);
    const started = performance.now();
    const valid = nodeEd25519Verify(spki, message, signature);
    this.onVerified((performance.now() - started) / 1000);
    return valid;
  };

  /** Runs `fn` (a ChainVerifier.pushDecoded of `signed`) with the worker's verdict for that record in force. */
  with<T>(signed: SignedRecord, verdict: SignatureVerdict | undefined, fn: () => T): T {
    this.current = verdict ? { signature: signed.signature, verdict } : undefined;
    try {
      return fn();
    } finally {
      this.current = undefined;
    }
  }
}
