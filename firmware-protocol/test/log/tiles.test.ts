// The C2SP tlog-tiles layout on the spec's own examples, and a store built on tiles proving the same
// as the tree in memory.
import { describe, expect, it } from 'vitest';
import {
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  encodeTile,
  entryBundlePath,
  entryBundles,
  inclusionProof,
  inclusionProofRanges,
  consistencyProof,
  consistencyProofRanges,
  leafHash,
  MemoryTree,
  parseTilePath,
  proofNodes,
  tileHashes,
  tileIndexPath,
  tileNodeReader,
  tilePath,
  tilesForNodes,
  toHex,
  treeRoot,
  treeTiles,
  type TileAddress,
} from '../../src/index.ts';

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

describe('tile paths', () => {
  it('write the index in x-prefixed 3-digit groups (the spec: 1234067 is x001/x234/067)', () => {
    expect(tileIndexPath(1234067)).toBe('x001/x234/067');
    expect(tileIndexPath(0)).toBe('000');
    expect(tileIndexPath(67)).toBe('067');
    expect(tileIndexPath(1000)).toBe('x001/000');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe('tile/2/000.p/1');
    expect(entryBundlePath({ index: 273, width: 112 })).toBe('tile/entries/273.p/112');
    expect(() => tilePath({ level: 0, index: 0, width: 0 })).toThrow(RangeError);
    expect(() => tilePath({ level: 64, index: 0, width: 256 })).toThrow(RangeError);
  });

  it('parse back to the same address, and refuse every other spelling', () => {
    for (const t of [{ level: 0, index: 1234067, width: 256 }, { level: 1, index: 1, width: 17 }, { level: 63, index: 999, width: 255 }]) {
      expect(parseTilePath(tilePath(t))).toEqual({ ok: true, value: { kind: 'tile', tile: t } });
    }
    expect(parseTilePath('tile/entries/x001/x234/067.p/9')).toEqual({ ok: true, value: { kind: 'entries', bundle: { index: 1234067, width: 9 } } });
    for (const bad of ['tile/0/1', 'tile/0/0001', 'tile/00/000', 'tile/64/000', 'tile/0/x000/001', 'tile/0/001/x002', 'tile/0/000.p/256', 'tile/0/000.p/0', 'tile/0/000.p/07', 'tile/0/000/', '/tile/0/000', 'tile/entries/000.p/', 'tile/0/x1/000']) {
      expect(codeOf(parseTilePath(bad)), bad).toBe('MALFORMED_TILE_PATH');
    }
  });
});

describe('the tiles of a tree', () => {
  const widths = (tiles: TileAddress[], level: number) => tiles.filter((t) => t.level === level).map((t) => t.width);

  it('size 70,000: 273 full level-0 tiles and one of width 112, one full level-1 tile and one of 17, one level-2 tile of 1 (the spec)', () => {
    const tiles = treeTiles(70_000);
    expect(widths(tiles, 0)).toEqual([...Array(273).fill(256), 112]);
    expect(widths(tiles, 1)).toEqual([256, 17]);
    expect(widths(tiles, 2)).toEqual([1]);
    expect(tiles.filter((t) => t.level > 2)).toEqual([]);
    expect(entryBundles(70_000).at(-1)).toEqual({ index: 273, width: 112 });
  });

  it('size 256: one full level-0 tile and a level-1 tile of width 1 (the spec); size 0: none', () => {
    expect(treeTiles(256)).toEqual([{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
    expect(treeTiles(0)).toEqual([]);
    expect(treeTiles(255)).toEqual([{ level: 0, index: 0, width: 255 }]);
  });

  it('a store that keeps only tiles proves and roots exactly like the tree in memory', () => {
    const size = 70_000;
    const tree = new MemoryTree();
    for (let i = 0; i < size; i++) tree.append(leafHash(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16)));
    // The store: the tiles of the newest tree as bytes, nothing else. An older size's partial tile is a
    // prefix of the newer tile at the same place (the tree only grows), which is what the store serves.
    const newest = new Map(treeTiles(size).map((t) => [`${t.level}/${t.index}`, t] as const));
    const store = new Map(treeTiles(size).map((t) => [tilePath(t), encodeTile(tileHashes(t, tree.node))]));
    const fetched: string[] = [];
    const readTile = (t: TileAddress) => {
      fetched.push(tilePath(t));
      const stored = newest.get(`${t.level}/${t.index}`)!;
      expect(stored.width).toBeGreaterThanOrEqual(t.width);
      const r = decodeTile(store.get(tilePath(stored))!, stored.width);
      if (!r.ok) throw new Error(r.error.message);
      return r.value.slice(0, t.width);
    };
    for (const n of [1, 255, 256, 257, 65_536, 65_537, 69_999, 70_000]) {
      const fromTiles = tileNodeReader(n, readTile);
      expect(toHex(treeRoot(n, fromTiles)), `root ${n}`).toBe(toHex(tree.root(n)));
      for (const m of [0, n - 1, Math.floor(n / 3)]) {
        fetched.length = 0;
        expect(inclusionProof(m, n, fromTiles).map(toHex)).toEqual(tree.inclusionProof(m, n).map(toHex));
        // The tiles read are exactly those the plan names: a server can fetch them first, in parallel.
        expect(new Set(fetched)).toEqual(new Set(tilesForNodes(proofNodes(inclusionProofRanges(m, n)), n).map(tilePath)));
        if (m > 0) expect(consistencyProof(m, n, fromTiles).map(toHex)).toEqual(tree.consistencyProof(m, n).map(toHex));
        if (m > 0) expect(tilesForNodes(proofNodes(consistencyProofRanges(m, n)), n).every((t) => newest.get(`${t.level}/${t.index}`)!.width >= t.width)).toBe(true);
      }
    }
  });

  it('decodes only tiles of the width asked for', () => {
    const h = leafHash(new Uint8Array(0));
    expect(decodeTile(encodeTile([h, h]), 2)).toMatchObject({ ok: true, value: [h, h] });
    expect(codeOf(decodeTile(encodeTile([h, h]), 3))).toBe('MALFORMED_TILE');
    expect(codeOf(decodeTile(encodeTile([h, h]).subarray(1), 2))).toBe('MALFORMED_TILE');
    expect(() => encodeTile([])).toThrow(RangeError);
    expect(() => encodeTile([h.subarray(1)])).toThrow(RangeError);
  });
});

describe('entry bundles', () => {
  it('round-trip entries of 0 to 65,535 bytes as uint16 big-endian length then bytes', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(0xffff).fill(9), new Uint8Array(300).fill(4)];
    const bytes = encodeEntryBundle(entries);
    expect([...bytes.subarray(0, 7)]).toEqual([0x00, 0x00, 0x00, 0x03, 1, 2, 3]);
    expect(decodeEntryBundle(bytes, 4)).toEqual({ ok: true, value: entries });
  });

  it('refuse a cut-off length, a cut-off entry, a wrong count; refuse to write a too-large entry', () => {
    const bytes = encodeEntryBundle([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    expect(codeOf(decodeEntryBundle(bytes, 3))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(codeOf(decodeEntryBundle(bytes.subarray(0, bytes.length - 1), 2))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(codeOf(decodeEntryBundle(Uint8Array.of(...bytes, 0), 2))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(RangeError);
  });
});
