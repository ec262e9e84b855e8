/**
 * Proof verification, RFC 9162 sections 2.1.3.2 and 2.1.4.2: what a client, the edge witness and
 * `wastetrail verify` run offline. Never throws; every failure has a code from LOG_ERROR_CODES.
 */
import { bytesEqual } from '../encoding.ts';
import { logFail, type LogResult } from './errors.ts';
import { HASH_SIZE, nodeHash, type Hash } from './hash.ts';
import { ok } from '../record/errors.ts';

const isTreeNumber = (n: number) => Number.isSafeInteger(n) && n >= 0;
const half = (n: number) => Math.floor(n / 2);
const isOdd = (n: number) => n % 2 === 1;

function checkHashes(hashes: readonly Hash[], what: string): LogResult<void> {
  for (const [i, h] of hashes.entries()) {
    if (h.length !== HASH_SIZE) return logFail('MALFORMED_HASH', `${what} ${i} is ${h.length} bytes, not ${HASH_SIZE}`);
  }
  return ok(undefined);
}

/** The root an inclusion proof leads to from a leaf hash, or why it leads nowhere. */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, proof: readonly Hash[]): LogResult<Hash> {
  if (!isTreeNumber(index) || !isTreeNumber(size)) return logFail('INDEX_OUT_OF_RANGE', 'leaf index and tree size are integers from 0 to 2^53 - 1');
  if (index >= size) return logFail('INDEX_OUT_OF_RANGE', `leaf index ${index} is not in a tree of size ${size}`);
  const hashes = checkHashes([leaf], 'leaf hash');
  if (!hashes.ok) return hashes;
  const components = checkHashes(proof, 'proof hash');
  if (!components.ok) return components;
  const sides = pathSides(index, size - 1, proof.length);
  if (sides === 'too-long') return logFail('INCLUSION_PROOF_INVALID', `the proof has ${proof.length} hashes, more than leaf ${index} of ${size} needs`);
  if (sides === 'too-short') return logFail('INCLUSION_PROOF_INVALID', `the proof has ${proof.length} hashes, fewer than leaf ${index} of ${size} needs`);
  let r = leaf;
  for (const [i, p] of proof.entries()) r = sides[i] === 'left' ? nodeHash(p, r) : nodeHash(r, p);
  return ok(r);
}

export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): LogResult<void> {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  if (!computed.ok) return computed;
  if (!bytesEqual(computed.value, root)) return logFail('ROOT_MISMATCH', `the proof for leaf ${index} leads to another root than the tree of size ${size} has`);
  return ok(undefined);
}

/** The new root a consistency proof leads to from the old root, or why it leads nowhere. */
export function rootFromConsistencyProof(size1: number, size2: number, root1: Hash, proof: readonly Hash[]): LogResult<Hash> {
  if (!isTreeNumber(size1) || !isTreeNumber(size2)) return logFail('CONSISTENCY_PROOF_INVALID', 'tree sizes are integers from 0 to 2^53 - 1');
  if (size1 > size2) return logFail('CONSISTENCY_PROOF_INVALID', `the log shrank from ${size1} to ${size2} leaves`);
  // Every tree extends the empty one: a proof from size 0 proves nothing, so it is refused, not passed.
  if (size1 === 0) return logFail('CONSISTENCY_PROOF_INVALID', 'a consistency proof from the empty tree proves nothing');
  if (size1 === size2) {
    if (proof.length > 0) return logFail('CONSISTENCY_PROOF_INVALID', 'equal tree sizes take an empty proof');
    return ok(root1);
  }
  if (proof.length === 0) return logFail('CONSISTENCY_PROOF_INVALID', `an empty proof cannot show size ${size2} extends size ${size1}`);
  const components = checkHashes(proof, 'proof hash');
  if (!components.ok) return components;
  // When the old tree is a complete subtree its root is the proof's implicit first hash.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  // The first hash stands for the old tree's rightmost complete subtree: start the walk above it.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const sides = pathSides(fn, sn, path.length - 1);
  if (sides === 'too-long') return logFail('CONSISTENCY_PROOF_INVALID', `the proof has more hashes than sizes ${size1} and ${size2} need`);
  if (sides === 'too-short') return logFail('CONSISTENCY_PROOF_INVALID', `the proof has fewer hashes than sizes ${size1} and ${size2} need`);
  let fr = path[0]!;
  let sr = path[0]!;
  for (const [i, c] of path.slice(1).entries()) {
    if (sides[i] === 'left') {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else {
      sr = nodeHash(sr, c);
    }
  }
  if (!bytesEqual(fr, root1)) return logFail('ROOT_MISMATCH', `the proof does not lead to the old root of size ${size1}`);
  return ok(sr);
}

export function verifyConsistency(size1: number, size2: number, root1: Hash, root2: Hash, proof: readonly Hash[]): LogResult<void> {
  const computed = rootFromConsistencyProof(size1, size2, root1, proof);
  if (!computed.ok) return computed;
  if (!bytesEqual(computed.value, root2)) return logFail('ROOT_MISMATCH', `the proof does not lead to the new root of size ${size2}`);
  return ok(undefined);
}

/**
 * The walk both RFC 9162 verifiers share: from node fn of a last node sn, where each of `count`
 * hashes sits (left: it is hashed before the running value). A hash that completes the right edge
 * (fn === sn, even) is a left sibling and lifts the walk past the levels the edge lacks.
 */
function pathSides(fn: number, sn: number, count: number): ('left' | 'right')[] | 'too-long' | 'too-short' {
  const sides: ('left' | 'right')[] = [];
  for (let i = 0; i < count; i++) {
    if (sn === 0) return 'too-long';
    if (isOdd(fn) || fn === sn) {
      sides.push('left');
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sides.push('right');
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? sides : 'too-short';
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
