/**
 * The stored tree read the way clients see it: roots, proofs, tiles and entry bundles, from the store's
 * complete nodes (LogStore). The maths is firmware-protocol's; this only fetches what its plans name.
 */
import {
  consistencyProof,
  consistencyProofRanges,
  encodeEntryBundle,
  encodeTile,
  inclusionProof,
  inclusionProofRanges,
  nodeHashLookup,
  proofNodes,
  TILE_HEIGHT,
  TILE_WIDTH,
  treeRoot,
  type BundleAddress,
  type Hash,
  type LeafRange,
  type TileAddress,
} from '@wastetrail/firmware-protocol';
import type { LogStore } from '../store/index.ts';

async function fetched(store: LogStore, ranges: readonly LeafRange[]) {
  return nodeHashLookup(await store.logNodes(proofNodes(ranges)));
}

export async function logRoot(store: LogStore, size: number): Promise<Hash> {
  return treeRoot(size, await fetched(store, [{ start: 0, end: size }]));
}

/** Leaf `index`'s inclusion proof in the tree of `size` (index < size <= the log's size). */
export async function inclusionProofOf(store: LogStore, index: number, size: number): Promise<Hash[]> {
  return inclusionProof(index, size, await fetched(store, inclusionProofRanges(index, size)));
}

/** The proof that the tree of `to` extends the tree of `from` (0 < from <= to <= the log's size). */
export async function consistencyProofOf(store: LogStore, from: number, to: number): Promise<Hash[]> {
  if (from === to) return [];
  return consistencyProof(from, to, await fetched(store, consistencyProofRanges(from, to)));
}

/** A tile's bytes, or undefined when the log does not hold that tile (yet) at that width. */
export async function tileBytes(store: LogStore, tile: TileAddress): Promise<Uint8Array | undefined> {
  const first = tile.index * TILE_WIDTH;
  const hashes = await store.logNodeRow(tile.level * TILE_HEIGHT, first, first + tile.width);
  return hashes.length === tile.width ? encodeTile(hashes) : undefined;
}

/** An entry bundle's bytes, or undefined when the log does not hold those entries (yet). */
export async function entryBundleBytes(store: LogStore, bundle: BundleAddress): Promise<Uint8Array | undefined> {
  const first = bundle.index * TILE_WIDTH;
  const entries = await store.logEntries(first, first + bundle.width);
  return entries.length === bundle.width ? encodeEntryBundle(entries) : undefined;
}
