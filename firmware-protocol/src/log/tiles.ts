/**
 * The C2SP tlog-tiles layout (c2sp.org/tlog-tiles): how the tree and its entries are published as
 * immutable files, and how a store reads any tree node back out of them. Pure: paths, which tiles a
 * tree of a size has, a tile's hashes, and the byte forms of tiles and entry bundles.
 *
 *   tile/<L>/<N>[.p/<W>]      256 (or W < 256) hashes of level 8L of the tree, 32 bytes each
 *   tile/entries/<N>[.p/<W>]  the entries of level-0 tile N, each a big-endian uint16 length, then its bytes
 * <N> is written in 3-digit groups, all but the last with an "x": 1234067 is x001/x234/067.
 */
import { concatBytes } from '../encoding.ts';
import { ok } from '../record/errors.ts';
import { logFail, type LogResult } from './errors.ts';
import { HASH_SIZE, nodeHash, type Hash } from './hash.ts';
import type { NodeAddress, NodeHashReader } from './tree.ts';

/** Levels of the tree one tile spans, and hashes in a full tile. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** The most one entry of a bundle can hold: its length is a uint16. */
export const MAX_ENTRY_SIZE = 0xffff;

/** A tile: `width` hashes (TILE_WIDTH when full) of tree level `level * 8`, from hash index * 256 on. */
export interface TileAddress {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** An entry bundle: the entries of level-0 tile `index`, `width` of them. */
export interface BundleAddress {
  readonly index: number;
  readonly width: number;
}

export function tileIndexPath(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index} is not an integer from 0`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

const widthSuffix = (width: number) => {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width ${width} is not from 1 to ${TILE_WIDTH}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
};

export function tilePath(tile: TileAddress): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > 63) throw new RangeError(`tile level ${tile.level} is not from 0 to 63`);
  return `tile/${tile.level}/${tileIndexPath(tile.index)}${widthSuffix(tile.width)}`;
}

export function entryBundlePath(bundle: BundleAddress): string {
  return `tile/entries/${tileIndexPath(bundle.index)}${widthSuffix(bundle.width)}`;
}

/** A tile or entry bundle path as a server route receives it (without the log's URL prefix). */
export function parseTilePath(path: string): LogResult<{ kind: 'tile'; tile: TileAddress } | { kind: 'entries'; bundle: BundleAddress }> {
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  const bad = logFail('MALFORMED_TILE_PATH', `${JSON.stringify(path.slice(0, 100))} is not tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]`);
  if (!m) return bad;
  const groups = m[2]!.split('/');
  // One form per index: no leading "x000" group (index 1000 is x001/000, never x000/x001/000).
  if (groups.length > 1 && groups[0] === 'x000') return bad;
  const index = Number(groups.map((g) => g.replace('x', '')).join(''));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (!Number.isSafeInteger(index) || (m[3] !== undefined && width >= TILE_WIDTH)) return bad;
  if (m[1] === 'entries') return ok({ kind: 'entries', bundle: { index, width } });
  const level = Number(m[1]);
  if (level > 63) return bad;
  return ok({ kind: 'tile', tile: { level, index, width } });
}

/** How many hashes tree level 8 * tileLevel holds in a tree of `size` leaves. */
const rowLength = (tileLevel: number, size: number) => Math.floor(size / TILE_WIDTH ** tileLevel);

/** Every tile of a tree of `size` leaves, full and partial, level by level. */
export function treeTiles(size: number): TileAddress[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size ${size} is not an integer from 0`);
  const tiles: TileAddress[] = [];
  for (let level = 0; rowLength(level, size) > 0; level++) {
    const count = rowLength(level, size);
    const full = Math.floor(count / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (count % TILE_WIDTH > 0) tiles.push({ level, index: full, width: count % TILE_WIDTH });
  }
  return tiles;
}

/** The entry bundles of a tree of `size` leaves: one per level-0 tile. */
export function entryBundles(size: number): BundleAddress[] {
  return treeTiles(size).filter((t) => t.level === 0).map(({ index, width }) => ({ index, width }));
}

/** The hashes a tile holds, from any reader of complete nodes (a MemoryTree, a store). */
export function tileHashes(tile: TileAddress, read: NodeHashReader): Hash[] {
  return Array.from({ length: tile.width }, (_, i) => read({ level: tile.level * TILE_HEIGHT, index: tile.index * TILE_WIDTH + i }));
}

export function encodeTile(hashes: readonly Hash[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH || hashes.some((h) => h.length !== HASH_SIZE)) throw new RangeError(`a tile is 1 to ${TILE_WIDTH} hashes of ${HASH_SIZE} bytes`);
  return concatBytes(...hashes);
}

export function decodeTile(bytes: Uint8Array, width: number): LogResult<Hash[]> {
  if (bytes.length !== width * HASH_SIZE) return logFail('MALFORMED_TILE', `a tile of width ${width} is ${width * HASH_SIZE} bytes, not ${bytes.length}`);
  return ok(Array.from({ length: width }, (_, i) => bytes.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
}

/** The tile that holds node `node`'s hash, or the hashes it is built from, in a tree of `size`. */
export function tileOfNode(node: NodeAddress, size: number): { tile: TileAddress; offset: number; count: number } {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const count = 2 ** (node.level - level * TILE_HEIGHT);
  const first = node.index * count;
  const index = Math.floor(first / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, rowLength(level, size) - index * TILE_WIDTH);
  if (first % TILE_WIDTH + count > width) throw new RangeError(`node ${node.level}/${node.index} is not complete in a tree of size ${size}`);
  return { tile: { level, index, width }, offset: first % TILE_WIDTH, count };
}

/** The tiles a set of nodes (e.g. proofNodes of a proof plan) needs, each once. */
export function tilesForNodes(nodes: readonly NodeAddress[], size: number): TileAddress[] {
  const tiles = new Map<string, TileAddress>();
  for (const n of nodes) {
    const { tile } = tileOfNode(n, size);
    tiles.set(tilePath(tile), tile);
  }
  return [...tiles.values()];
}

/**
 * A NodeHashReader over stored tiles: levels between a tile's rows are rebuilt by hashing, as the spec
 * intends. readTile returns the tile's hashes (decodeTile of its bytes).
 */
export function tileNodeReader(size: number, readTile: (tile: TileAddress) => readonly Hash[]): NodeHashReader {
  return (node) => {
    const { tile, offset, count } = tileOfNode(node, size);
    const hashes = readTile(tile);
    if (hashes.length < offset + count) throw new RangeError(`tile ${tilePath(tile)} holds ${hashes.length} hashes, not ${tile.width}`);
    let row = hashes.slice(offset, offset + count);
    while (row.length > 1) row = Array.from({ length: row.length / 2 }, (_, i) => nodeHash(row[2 * i]!, row[2 * i + 1]!));
    return row[0]!;
  };
}

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH) throw new RangeError(`an entry bundle holds 1 to ${TILE_WIDTH} entries`);
  return concatBytes(
    ...entries.flatMap((e) => {
      if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`an entry of ${e.length} bytes does not fit a bundle (at most ${MAX_ENTRY_SIZE})`);
      return [Uint8Array.of(e.length >>> 8, e.length & 0xff), e];
    }),
  );
}

/** The entries of a bundle of `width` entries; anything short, long or left over is refused. */
export function decodeEntryBundle(bytes: Uint8Array, width: number): LogResult<Uint8Array[]> {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return logFail('MALFORMED_ENTRY_BUNDLE', `a length prefix is cut off at byte ${at}`);
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + length > bytes.length) return logFail('MALFORMED_ENTRY_BUNDLE', `entry ${entries.length} claims ${length} bytes but the bundle ends first`);
    entries.push(bytes.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (entries.length !== width) return logFail('MALFORMED_ENTRY_BUNDLE', `the bundle holds ${entries.length} entries, not ${width}`);
  return ok(entries);
}
