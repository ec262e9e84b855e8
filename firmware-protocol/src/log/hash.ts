/**
 * RFC 9162 (RFC 6962) Merkle tree hashing with SHA-256. The one-byte prefixes keep a leaf from ever
 * hashing like an inner node, so nobody can pass two hashes off as a leaf or a leaf as a subtree.
 */
import { sha256 } from '../crypto/sha256.ts';
import { concatBytes } from '../encoding.ts';

/** A SHA-256 tree hash: 32 bytes. */
export type Hash = Uint8Array;
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH of one entry: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Hash {
  return sha256(concatBytes(LEAF_PREFIX, entry));
}

/** MTH of two subtrees: SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_TREE_ROOT: Hash = sha256(new Uint8Array(0));
