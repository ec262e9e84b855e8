/**
 * Splitting verification so worker threads can carry its expensive part. A worker runs verifyRecord
 * (the one definition of valid) on a record and reports what the Ed25519 check said, with the key it
 * used; the main thread then pushes the same record through its ChainVerifier with an Ed25519 function
 * that answers from that verdict instead of verifying again. Any mismatch (another key, another
 * signature object) falls back to a real verification, so a stale verdict can never make a record valid.
 */
import { performance } from 'node:perf_hooks';
import {
  decodeRecordBytes,
  nodeEd25519Verify,
  toBase64,
  verifyRecord,
  type Ed25519Verify,
  type Keyring,
  type RecordError,
  type SignedRecord,
} from '@wastetrail/firmware-protocol';

/** Who a record says it is, read before it enters the chain (same decoding verifyRecord starts with). */
export type RecordPeek = { ok: true; device: string; seq: number } | { ok: false; error: RecordError };

export interface SignatureVerdict {
  /** base64 SPKI of the key the signature was checked with. */
  spki: string;
  valid: boolean;
}

export interface RecordCheck {
  peek: RecordPeek;
  /** Absent when verification stopped before the signature (unknown device, wrong key, bad bytes). */
  signature?: SignatureVerdict;
}

export function peekRecord(bytes: Uint8Array): RecordPeek {
  const decoded = decodeRecordBytes(bytes);
  return decoded.ok ? { ok: true, device: decoded.value.device, seq: decoded.value.seq } : { ok: false, error: decoded.error };
}

/** What a worker computes for one record. */
export function checkRecord(signed: SignedRecord, keyring: Keyring, verify: Ed25519Verify = nodeEd25519Verify): RecordCheck {
  const peek = peekRecord(signed.bytes);
  if (!peek.ok) return { peek };
  let signature: SignatureVerdict | undefined;
  verifyRecord(signed, {
    keyring,
    ed25519Verify: (spki, message, sig) => {
      const valid = verify(spki, message, sig);
      signature = { spki: toBase64(spki), valid };
      return valid;
    },
  });
  return signature ? { peek, signature } : { peek };
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

  /** Runs `fn` (a ChainVerifier.push of `signed`) with the worker's verdict for that record in force. */
  with<T>(signed: SignedRecord, verdict: SignatureVerdict | undefined, fn: () => T): T {
    this.current = verdict ? { signature: signed.signature, verdict } : undefined;
    try {
      return fn();
    } finally {
      this.current = undefined;
    }
  }
}
