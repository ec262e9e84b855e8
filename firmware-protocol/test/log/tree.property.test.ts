/**
 * The tree maths against a naive tree written straight from RFC 9162's recursive definitions (MTH,
 * PATH, PROOF): for random sizes, generated proofs equal the naive ones and verify, and any changed
 * byte, leaf index or tree size makes verification fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendToEdge,
  consistencyProof,
  EMPTY_TREE_ROOT,
  inclusionProof,
  leafHash,
  MemoryTree,
  nodeHash,
  nodeHashLookup,
  nodeKey,
  proofNodes,
  rangeNodes,
  inclusionProofRanges,
  consistencyProofRanges,
  toHex,
  treeRoot,
  utf8,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/index.ts';

// The naive reference: recursion over the leaf hashes, as the RFC writes it.
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: Hash[]): Hash {
  if (d.length === 0) return EMPTY_TREE_ROOT;
  if (d.length === 1) return d[0]!;
  return nodeHash(mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
}
function path(m: number, d: Hash[]): Hash[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Hash[], b: boolean): Hash[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}`)));
const treeOf = (hashes: Hash[]) => {
  const t = new MemoryTree();
  for (const h of hashes) t.append(h);
  return t;
};
const hex = (hs: Hash[]) => hs.map(toHex);
/** One bit flipped in byte `at` of the concatenated proof. */
function flipped(proof: Hash[], at: number, bit: number): Hash[] {
  const copy = proof.map((h) => Uint8Array.from(h));
  copy[Math.floor(at / 32)]![at % 32]! ^= 1 << bit;
  return copy;
}

/**
 * Which side of the running hash each proof hash goes, as the log lays a proof out. A root does not
 * commit to its tree size (the signed checkpoint does), so a proof checked against another size
 * verifies exactly when that size lays the proof out the same way, and must fail otherwise.
 */
const inclusionLayout = (m: number, n: number) => (m < n ? inclusionProofRanges(m, n).map((r) => (r.start > m ? 'R' : 'L')).join('') : 'none');
const isPowerOfTwo = (n: number) => Number.isInteger(Math.log2(n));
const consistencyLayout = (m: number, n: number) =>
  (isPowerOfTwo(m) ? 'old root first:' : '') + consistencyProofRanges(m, n).map((r) => (r.start >= m ? 'R' : 'L')).join('');

const SIZES = 300;
const all = leaves(SIZES);
const tree = treeOf(all);

describe('tree maths against the naive RFC 9162 tree (property)', () => {
  it('split points: the largest power of two below n, even past 2^32', () => {
    expect(k(2)).toBe(1);
    expect(k(7)).toBe(4);
    expect(k(8)).toBe(4);
    const big = 2 ** 40 + 3;
    // A root over 2^40 + 3 leaves needs only the nodes the ranges name: check the plan, not the hashes.
    expect(inclusionProofRanges(big - 1, big).at(-1)).toEqual({ start: 0, end: 2 ** 40 });
    expect(consistencyProofRanges(2 ** 33, big)).toEqual([{ start: 2 ** 33, end: 2 ** 34 }, { start: 2 ** 34, end: 2 ** 35 }, { start: 2 ** 35, end: 2 ** 36 }, { start: 2 ** 36, end: 2 ** 37 }, { start: 2 ** 37, end: 2 ** 38 }, { start: 2 ** 38, end: 2 ** 39 }, { start: 2 ** 39, end: 2 ** 40 }, { start: 2 ** 40, end: big }]);
  });

  it('roots equal the naive MTH at every size, and the empty tree is SHA-256 of nothing', () => {
    expect(toHex(tree.root(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 0; n <= 70; n++) expect(toHex(tree.root(n))).toBe(toHex(mth(all.slice(0, n))));
    expect(toHex(tree.root())).toBe(toHex(mth(all)));
  });

  it('inclusion proofs equal the naive PATH, verify, and fail on any changed byte, index or size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: SIZES }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(), fc.nat(7))), ([n, m, at, bit]) => {
        const proof = tree.inclusionProof(m, n);
        const root = tree.root(n);
        expect(hex(proof)).toEqual(hex(path(m, all.slice(0, n))));
        expect(verifyInclusion(m, n, all[m]!, proof, root).ok).toBe(true);
        if (proof.length > 0) expect(verifyInclusion(m, n, all[m]!, flipped(proof, at % (proof.length * 32), bit), root).ok).toBe(false);
        expect(verifyInclusion(m, n, flipped([all[m]!], at % 32, bit)[0]!, proof, root).ok).toBe(false);
        expect(verifyInclusion(m, n, all[m]!, proof, flipped([root], at % 32, bit)[0]!).ok).toBe(false);
        for (const otherSize of [n - 1, n + 1, n * 2]) {
          const same = inclusionLayout(m, otherSize) === inclusionLayout(m, n);
          expect(verifyInclusion(m, otherSize, all[m]!, proof, root).ok).toBe(same);
        }
        const otherIndex = (m + 1 + (at % n)) % n;
        // Within one tree size every leaf has its own layout (the proof spells its way down), so no other index passes.
        expect(verifyInclusion(otherIndex, n, all[m]!, proof, root).ok).toBe(otherIndex === m);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs equal the naive PROOF, verify, and fail on any changed byte or size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: SIZES }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n), fc.nat(), fc.nat(7))), ([m, n, at, bit]) => {
        const proof = tree.consistencyProof(m, n);
        const [root1, root2] = [tree.root(m), tree.root(n)];
        expect(hex(proof)).toEqual(m === n ? [] : hex(subproof(m, all.slice(0, n), true)));
        expect(verifyConsistency(m, n, root1, root2, proof).ok).toBe(true);
        if (proof.length > 0) expect(verifyConsistency(m, n, root1, root2, flipped(proof, at % (proof.length * 32), bit)).ok).toBe(false);
        expect(verifyConsistency(m, n, flipped([root1], at % 32, bit)[0]!, root2, proof).ok).toBe(false);
        expect(verifyConsistency(m, n, root1, flipped([root2], at % 32, bit)[0]!, proof).ok).toBe(false);
        if (m < n) {
          // Another old size with the same proof and roots: refused (a proof binds both sizes).
          const m2 = 1 + ((m + at) % (n - 1));
          expect(verifyConsistency(m2, n, root1, root2, proof).ok).toBe(consistencyLayout(m2, n) === consistencyLayout(m, n));
          expect(verifyConsistency(m, n + 1, root1, root2, proof).ok).toBe(consistencyLayout(m, n + 1) === consistencyLayout(m, n));
          expect(verifyConsistency(m, n, root1, root2, proof.slice(1)).ok).toBe(false);
          expect(verifyConsistency(m, n, root1, root2, [...proof, proof[0]!]).ok).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a store that fetches only proofNodes(plan) first builds the same proofs', () => {
    for (const [m, n] of [[0, 1], [5, 6], [6, 7], [100, 300], [255, 256], [256, 257]] as const) {
      const fetched = new Map(proofNodes(inclusionProofRanges(m, n)).map((node) => [nodeKey(node), tree.node(node)] as const));
      expect(hex(inclusionProof(m, n, nodeHashLookup(fetched)))).toEqual(hex(tree.inclusionProof(m, n)));
      const c = new Map(proofNodes(consistencyProofRanges(m + 1, n)).map((node) => [nodeKey(node), tree.node(node)] as const));
      expect(hex(consistencyProof(m + 1, n, nodeHashLookup(c)))).toEqual(hex(tree.consistencyProof(m + 1, n)));
      // Asking for a node the plan did not name is a bug in the caller, said loudly.
      expect(() => treeRoot(n, nodeHashLookup(new Map()))).toThrow(/was not fetched/);
    }
  });

  it('appending to the right edge creates exactly the nodes the whole tree has, in batches of any split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), (batches) => {
        const stored = new Map<string, Hash>();
        let size = 0;
        for (const count of batches) {
          if (size + count > SIZES) break;
          const edge = rangeNodes({ start: 0, end: size }).map((n) => (n.level === 0 ? all[n.index]! : stored.get(nodeKey(n))!));
          for (const n of appendToEdge(size, edge, all.slice(size, size + count))) {
            expect(stored.has(nodeKey(n))).toBe(false);
            stored.set(nodeKey(n), n.hash);
          }
          size += count;
        }
        // Every complete node above the leaves, and nothing else.
        let expected = 0;
        for (let width = 2; width <= size; width *= 2) expected += Math.floor(size / width);
        expect(stored.size).toBe(expected);
        for (const [key, h] of stored) {
          const [level, index] = key.split('/').map(Number) as [number, number];
          expect(toHex(h)).toBe(toHex(tree.node({ level, index })));
        }
      }),
    );
    expect(() => appendToEdge(3, [all[0]!], [all[3]!])).toThrow(/edge of 2 nodes/);
  });

  it('refuses to prove what the tree cannot hold', () => {
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, SIZES + 1)).toThrow(RangeError);
    expect(() => tree.consistencyProof(0, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.node({ level: 9, index: 0 })).toThrow(/not complete/);
    expect(verifyInclusion(-1, 5, all[0]!, [], tree.root(5))).toMatchObject({ ok: false, error: { code: 'INDEX_OUT_OF_RANGE' } });
    expect(verifyInclusion(0, 2, all[0]!, [new Uint8Array(31)], tree.root(2))).toMatchObject({ ok: false, error: { code: 'MALFORMED_HASH' } });
  });
});
