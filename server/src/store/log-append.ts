/**
 * Sequencing, the same in both dialects: what one commit appends to the verifiable log. The store
 * reads the log head (locked) and the tree's right edge inside its transaction; this computes the leaf
 * rows and the complete nodes the new leaves make; the store writes them in the same transaction.
 */
import { appendToEdge, fromHex, leafHash, logEntryOf, rangeNodes, type Hash, type NodeAddress, type TreeNode } from '@wastetrail/firmware-protocol';

export interface LeafRow {
  index: number;
  device: string;
  seq: number;
  entry: Uint8Array;
  leafHash: Hash;
}

/** The nodes whose hashes an append needs: the right edge of the tree of `size`, largest first. */
export const edgeOf = (size: number): NodeAddress[] => rangeNodes({ start: 0, end: size });

/** A record as the log takes it: its stored hash (hex: recordHash of its bytes, computed once by ingest) and signature. */
export interface SequencedRecord {
  device: string;
  seq: number;
  hash: string;
  signature: Uint8Array;
}

/** Leaves for `records` (in the order given: commit order) from index `size` on, and the nodes they complete. */
export function logAppend(size: number, edge: readonly Hash[], records: readonly SequencedRecord[]): { leaves: LeafRow[]; nodes: TreeNode[]; size: number } {
  const leaves = records.map((r, i) => {
    const hash = fromHex(r.hash);
    if (!hash) throw new TypeError(`record ${r.device}#${r.seq} has no hex record hash to log`);
    const entry = logEntryOf(hash, r.signature);
    return { index: size + i, device: r.device, seq: r.seq, entry, leafHash: leafHash(entry) };
  });
  const nodes = appendToEdge(
    size,
    edge,
    leaves.map((l) => l.leafHash),
  );
  return { leaves, nodes, size: size + leaves.length };
}

/** Node addresses split by where they are kept: level 0 in log_leaves, the rest in log_nodes. */
export function byTable(nodes: readonly NodeAddress[]): { leaves: number[]; inner: NodeAddress[] } {
  return { leaves: nodes.filter((n) => n.level === 0).map((n) => n.index), inner: nodes.filter((n) => n.level > 0) };
}
