/**
 * What one leaf of the log commits to for a custody record: its entry is 96 bytes,
 *   record hash (32 bytes: SHA-256("wastetrail/record/v1\n" || record bytes), the hash `prev` links to)
 *   || the record's 64-byte Ed25519 signature
 * and its leaf hash is leafHash(entry) = SHA-256(0x00 || entry).
 *
 * Why not the record or envelope bytes themselves: a `disposed` record may name 5000 bags, beyond the
 * 65,535 bytes a C2SP entry bundle holds per entry; and tiles and bundles can then be published for
 * witnesses and regulators without publishing who handed which bag to whom. The record hash commits
 * to every record byte (and is already domain-separated), the signature to what the server verified.
 */
import { sha256 } from '../crypto/sha256.ts';
import { concatBytes } from '../encoding.ts';
import { signingMessage, type SignedRecord } from '../record/record.ts';
import { leafHash, type Hash } from './hash.ts';

export const RECORD_ENTRY_SIZE = 96;

export function recordLogEntry(signed: SignedRecord): Uint8Array {
  return logEntryOf(sha256(signingMessage(signed.bytes)), signed.signature);
}

/**
 * The entry from a record hash computed already (the server's stored one, from the bytes ingest
 * verified: a record is hashed once, not twice) and the signature.
 */
export function logEntryOf(recordHash: Uint8Array, signature: Uint8Array): Uint8Array {
  return concatBytes(recordHash, signature);
}

export function recordLeafHash(signed: SignedRecord): Hash {
  return leafHash(recordLogEntry(signed));
}

/** An entry read back from a bundle: the record hash a monitor looks the record up by, and the signature. */
export function parseRecordLogEntry(entry: Uint8Array): { recordHash: Uint8Array; signature: Uint8Array } | undefined {
  if (entry.length !== RECORD_ENTRY_SIZE) return undefined;
  return { recordHash: entry.slice(0, 32), signature: entry.slice(32) };
}
