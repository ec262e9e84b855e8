import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** SHA-256, the same pure implementation in the agent, the server and the browser. */
export function sha256(message: Uint8Array): Uint8Array {
  return nobleSha256(message);
}
