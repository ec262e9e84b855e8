/**
 * The Ed25519 SubjectPublicKeyInfo prefix, apart from ed25519.ts (node:crypto) so the pure code that
 * needs it (keyrings, signed notes) also bundles for the browser's verifier.
 */

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows. */
export const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
