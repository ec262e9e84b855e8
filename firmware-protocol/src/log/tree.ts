/**
 * Tree maths that produce hashes: roots and proofs (RFC 9162 sections 2.1.1-2.1.4), built from one
 * source of truth, the hash of any complete subtree. A store answers that from its tiles; MemoryTree
 * answers it from arrays. Planning (which subtrees a proof needs) is separate from reading them, so an
 * asynchronous store can fetch exactly `proofNodes(plan)` first and then assemble the proof here.
 *
 * Indexes and sizes are JavaScript integers up to 2^53 - 1; the arithmetic uses division, never the
 * 32-bit bit operators.
 */
import { EMPTY_TREE_ROOT, nodeHash, type Hash } from './hash.ts';

/** A complete subtree: the 2^level leaves from index * 2^level on. Level 0 nodes are leaf hashes. */
export interface NodeAddress {
  readonly level: number;
  readonly index: number;
}

/** The hash of a complete subtree that exists in the tree being proved. */
export type NodeHashReader = (node: NodeAddress) => Hash;

/** Leaves [start, end): a subtree of the RFC 9162 tree whose MTH a proof carries. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export function checkTreeIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be an integer from 0 to 2^53 - 1, got ${n}`);
}

/** The largest power of two below n (n >= 2): where RFC 9162 splits D[0:n]. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees that make up a range, largest first. Every range a proof names starts at a
 * multiple of the largest power of two it holds, so each piece is complete and aligned.
 */
export function rangeNodes(range: LeafRange): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let at = range.start;
  while (at < range.end) {
    let width = 1;
    let level = 0;
    while (width * 2 <= range.end - at && at % (width * 2) === 0) {
      width *= 2;
      level++;
    }
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
}

/** MTH(D[start:end]): the complete pieces folded from the right, as RFC 9162 splits them. */
export function rangeHash(range: LeafRange, read: NodeHashReader): Hash {
  if (range.end <= range.start) return EMPTY_TREE_ROOT;
  const hashes = rangeNodes(range).map(read);
  let h = hashes.pop()!;
  while (hashes.length > 0) h = nodeHash(hashes.pop()!, h);
  return h;
}

/** The root of the tree of the first `size` leaves. */
export function treeRoot(size: number, read: NodeHashReader): Hash {
  checkTreeIndex(size, 'tree size');
  return rangeHash({ start: 0, end: size }, read);
}

/** PATH(m, D[0:n]) as ranges, leaf side first (RFC 9162 2.1.3.1). */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkTreeIndex(index, 'leaf index');
  checkTreeIndex(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  const path: LeafRange[] = [];
  let start = 0;
  let end = size;
  // Walk down from the root; each step's sibling is a proof component, the deepest coming first.
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (index < mid) {
      path.push({ start: mid, end });
      end = mid;
    } else {
      path.push({ start, end: mid });
      start = mid;
    }
  }
  return path.reverse();
}

/** PROOF(m, D[0:n]) as ranges (RFC 9162 2.1.4.1); empty when the sizes are equal. */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkTreeIndex(size1, 'old tree size');
  checkTreeIndex(size2, 'new tree size');
  if (size1 === 0 || size1 > size2) throw new RangeError(`no consistency proof from size ${size1} to ${size2}`);
  const proof: LeafRange[] = [];
  // SUBPROOF(m, D[start:end], b), unrolled: m counts from `start`; `known` is b.
  let start = 0;
  let end = size2;
  let m = size1;
  let known = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push({ start: start + k, end });
      end = start + k;
    } else {
      proof.push({ start, end: start + k });
      start += k;
      m -= k;
      known = false;
    }
  }
  if (!known) proof.push({ start, end });
  return proof.reverse();
}

/** Every complete subtree a set of proof ranges needs, once each: what a store fetches. */
export function proofNodes(ranges: readonly LeafRange[]): NodeAddress[] {
  const seen = new Map<string, NodeAddress>();
  for (const r of ranges) for (const n of rangeNodes(r)) seen.set(`${n.level}/${n.index}`, n);
  return [...seen.values()];
}

export function inclusionProof(index: number, size: number, read: NodeHashReader): Hash[] {
  return inclusionProofRanges(index, size).map((r) => rangeHash(r, read));
}

/** The proof that the tree of size2 extends the tree of size1; empty for equal sizes. */
export function consistencyProof(size1: number, size2: number, read: NodeHashReader): Hash[] {
  if (size1 === size2 && size1 > 0) return [];
  return consistencyProofRanges(size1, size2).map((r) => rangeHash(r, read));
}

/** A NodeHashReader over hashes fetched ahead, keyed as proofNodes lists them. */
export function nodeHashLookup(fetched: ReadonlyMap<string, Hash>): NodeHashReader {
  return (node) => {
    const h = fetched.get(nodeKey(node));
    if (!h) throw new RangeError(`node ${nodeKey(node)} was not fetched`);
    return h;
  };
}

export const nodeKey = (node: NodeAddress): string => `${node.level}/${node.index}`;

/** A complete node and its hash: what a store keeps as leaves are appended. */
export interface TreeNode extends NodeAddress {
  readonly hash: Hash;
}

/**
 * The complete nodes above the leaves (level >= 1) that appending `leaves` to a tree of `size` creates.
 * `edge` is the tree's right edge: the hashes of rangeNodes({ start: 0, end: size }), largest first,
 * which is all an append needs, so a store never reads or rehashes the rest of the tree. Each leaf
 * creates one node per trailing 1-bit of its index: O(log n) at worst, fewer than one on average.
 */
export function appendToEdge(size: number, edge: readonly Hash[], leaves: readonly Hash[]): TreeNode[] {
  checkTreeIndex(size, 'tree size');
  const shape = rangeNodes({ start: 0, end: size });
  if (shape.length !== edge.length) throw new RangeError(`a tree of size ${size} has an edge of ${shape.length} nodes, not ${edge.length}`);
  // Levels fall strictly from the bottom of the stack to its top, as they do along the edge.
  const stack: TreeNode[] = shape.map((n, i) => ({ ...n, hash: edge[i]! }));
  const created: TreeNode[] = [];
  let index = size;
  for (const leaf of leaves) {
    let top: TreeNode = { level: 0, index: index++, hash: leaf };
    while (stack.length > 0 && stack[stack.length - 1]!.level === top.level) {
      const left = stack.pop()!;
      top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
      created.push(top);
    }
    stack.push(top);
  }
  return created;
}

/**
 * The whole tree in memory, every complete subtree kept as it forms: for tests, witnesses and small
 * logs. Append-only, so a node complete at one size is the same node at every larger size.
 */
export class MemoryTree {
  /** levels[l][i] is the hash of complete node (l, i). */
  private readonly levels: Hash[][] = [[]];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf hash (leafHash(entry)); returns its index. */
  append(leaf: Hash): number {
    const index = this.size;
    let h = leaf;
    let i = index;
    for (let level = 0; ; level++) {
      const row = (this.levels[level] ??= []);
      row.push(h);
      if (i % 2 === 0) break;
      h = nodeHash(row[i - 1]!, h);
      i = (i - 1) / 2;
    }
    return index;
  }

  readonly node: NodeHashReader = (node) => {
    const h = this.levels[node.level]?.[node.index];
    if (!h) throw new RangeError(`node ${nodeKey(node)} is not complete in a tree of size ${this.size}`);
    return h;
  };

  root(size = this.size): Hash {
    this.checkSize(size);
    return treeRoot(size, this.node);
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    this.checkSize(size);
    return inclusionProof(index, size, this.node);
  }

  consistencyProof(size1: number, size2 = this.size): Hash[] {
    this.checkSize(size2);
    return consistencyProof(size1, size2, this.node);
  }

  private checkSize(size: number): void {
    if (size > this.size) throw new RangeError(`the tree holds ${this.size} leaves, not ${size}`);
  }
}
