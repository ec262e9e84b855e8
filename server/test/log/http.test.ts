/**
 * The log over HTTP as a tlog client sees it: with only the verifier key, the checkpoint and tiles, a
 * client rebuilds the signed root and checks an inclusion proof with firmware-protocol's verifiers; the
 * proof routes give the same proofs; bad requests get the API's error shape.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  consistencyProofRanges,
  decodeEntryBundle,
  decodeTile,
  entryBundlePath,
  fromBase64,
  inclusionProof,
  inclusionProofRanges,
  leafHash,
  nodeEd25519Verify,
  parseTlogProof,
  parseVerifierKey,
  proofNodes,
  recordLogEntry,
  tileNodeReader,
  tilePath,
  tilesForNodes,
  toHex,
  treeRoot,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type TileAddress,
} from '@wastetrail/firmware-protocol';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { signCheckpoint } from '../../src/log/index.ts';
import { logRecord, openTestLog, ORIGIN, type TestLog } from './support.ts';

let log: TestLog;
let app: ApiInstance;
beforeEach(async () => {
  log = openTestLog();
  app = await buildApp({ store: log.store, clock: () => Date.parse('2026-03-05T00:00:00.000Z'), demo: false, log: { origin: ORIGIN, verifierKey: log.key.verifierKey } });
});
afterEach(async () => {
  await app.close();
  await log.cleanup();
});

const get = (url: string) => app.inject({ method: 'GET', url });

/** What a tlog client holds: the verifier key, then the checkpoint it verified with it. */
async function verifiedCheckpoint() {
  const key = parseVerifierKey((await get('/log/v1/key')).body.trim());
  if (!key.ok) throw new Error(key.error.message);
  const note = (await get('/log/v1/checkpoint')).body;
  const checkpoint = verifyCheckpoint(note, { origin: ORIGIN, keys: [key.value], ed25519Verify: nodeEd25519Verify });
  if (!checkpoint.ok) throw new Error(checkpoint.error.message);
  return checkpoint.value;
}

/** Node hashes read from tiles fetched over HTTP, as a client without any proof route would. */
async function tileReader(size: number, ranges: Parameters<typeof proofNodes>[0]) {
  const tiles = new Map<string, Hash[]>();
  for (const tile of tilesForNodes(proofNodes(ranges), size)) {
    const r = await get(`/log/v1/${tilePath(tile)}`);
    expect(r.statusCode, tilePath(tile)).toBe(200);
    const hashes = decodeTile(r.rawPayload, tile.width);
    if (!hashes.ok) throw new Error(hashes.error.message);
    tiles.set(tilePath(tile), hashes.value);
  }
  return tileNodeReader(size, (tile: TileAddress) => tiles.get(tilePath(tile))!);
}

describe('the log over HTTP (C2SP tlog-tiles)', () => {
  it('lets a client rebuild the signed root from tiles and prove a record from its entry bundle', async () => {
    await log.append(600);
    await signCheckpoint(log.store, log.key, Date.now);
    const checkpoint = await verifiedCheckpoint();
    expect(checkpoint.size).toBe(600);

    const root = treeRoot(600, await tileReader(600, [{ start: 0, end: 600 }]));
    expect(toHex(root)).toBe(toHex(checkpoint.root));

    // Leaf 530 sits in the partial entry bundle 2 (88 entries): its entry is the record's.
    const bundle = await get(`/log/v1/${entryBundlePath({ index: 2, width: 88 })}`);
    expect(bundle.statusCode).toBe(200);
    const entries = decodeEntryBundle(bundle.rawPayload, 88);
    if (!entries.ok) throw new Error(entries.error.message);
    expect(toHex(entries.value[530 - 512]!)).toBe(toHex(recordLogEntry(logRecord(531))));
    const proof = inclusionProof(530, 600, await tileReader(600, inclusionProofRanges(530, 600)));
    expect(verifyInclusion(530, 600, leafHash(entries.value[18]!), proof, checkpoint.root)).toEqual({ ok: true, value: undefined });
    expect(verifyInclusion(531, 600, leafHash(entries.value[18]!), proof, checkpoint.root).ok).toBe(false);
  });

  it('caches full tiles for good and partial ones briefly; the checkpoint is revalidated; anyone may read', async () => {
    await log.append(300);
    await signCheckpoint(log.store, log.key, Date.now);
    const full = await get('/log/v1/tile/0/000');
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(full.rawPayload.length).toBe(256 * 32);
    expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(full.headers['access-control-allow-origin']).toBe('*');
    const partial = await get('/log/v1/tile/0/001.p/44');
    expect(partial.statusCode).toBe(200);
    expect(partial.headers['cache-control']).toBe('public, max-age=10');
    // A partial tile is a prefix of a wider one at the same place.
    expect(toHex((await get('/log/v1/tile/0/001.p/10')).rawPayload)).toBe(toHex(partial.rawPayload.subarray(0, 320)));
    expect(toHex((await get('/log/v1/tile/1/000.p/1')).rawPayload)).toBe(toHex(log.tree.node({ level: 8, index: 0 })));
    const checkpoint = await get('/log/v1/checkpoint');
    expect(checkpoint.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(checkpoint.headers['cache-control']).toBe('no-cache');
  });

  it('answers tiles it does not hold, and paths outside the layout, with LOG_TILE_NOT_FOUND', async () => {
    await log.append(300);
    for (const path of ['tile/0/001', 'tile/0/001.p/45', 'tile/entries/002', 'tile/0/1', 'tile/0/x000/001', 'tile/0/000.p/256', 'tile/0/000/001']) {
      const r = await get(`/log/v1/${path}`);
      expect(r.statusCode, path).toBe(404);
      expect(r.json().error.code, path).toBe('LOG_TILE_NOT_FOUND');
    }
  });
});

describe('the proof routes', () => {
  it('give inclusion and consistency proofs that verify against signed checkpoints, and the tlog-proof text', async () => {
    await log.append(100);
    const old = (await signCheckpoint(log.store, log.key, Date.now)).checkpoint;
    await log.append(250);
    await signCheckpoint(log.store, log.key, Date.now);
    const checkpoint = await verifiedCheckpoint();

    const inclusion = await get('/api/v1/log/inclusion?index=77');
    expect(inclusion.statusCode).toBe(200);
    const body = inclusion.json() as { index: number; size: number; hashes: string[] };
    expect(body).toMatchObject({ index: 77, size: 350 });
    expect(verifyInclusion(77, 350, log.tree.node({ level: 0, index: 77 }), body.hashes.map((h) => fromBase64(h)!), checkpoint.root).ok).toBe(true);

    const atOld = (await get('/api/v1/log/inclusion?index=77&size=100')).json() as { hashes: string[] };
    expect(atOld.hashes.map((h) => toHex(fromBase64(h)!))).toEqual(log.tree.inclusionProof(77, 100).map(toHex));

    const text = await get('/api/v1/log/inclusion?index=349&format=tlog-proof');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    const parsed = parseTlogProof(text.body);
    expect(parsed.ok && parsed.value.checkpoint).toBe((await log.store.latestCheckpoint())!.note);

    const consistency = (await get('/api/v1/log/consistency?from=100')).json() as { from: number; to: number; hashes: string[] };
    expect(consistency).toMatchObject({ from: 100, to: 350 });
    expect(consistency.hashes).toHaveLength(consistencyProofRanges(100, 350).length);
    const oldRoot = fromBase64(old.note.split('\n')[2]!)!;
    expect(verifyConsistency(100, 350, oldRoot, checkpoint.root, consistency.hashes.map((h) => fromBase64(h)!)).ok).toBe(true);
    expect((await get('/api/v1/log/consistency?from=350')).json()).toEqual({ from: 350, to: 350, hashes: [] });
  });

  it('refuses what the log cannot prove with LOG_RANGE_INVALID, and bad numbers with VALIDATION_FAILED', async () => {
    await log.append(10);
    await signCheckpoint(log.store, log.key, Date.now);
    const cases: Array<[string, number, string, string?]> = [
      ['/api/v1/log/inclusion?index=10', 400, 'LOG_RANGE_INVALID', 'index'],
      ['/api/v1/log/inclusion?index=3&size=11', 400, 'LOG_RANGE_INVALID', 'size'],
      ['/api/v1/log/inclusion?index=3&size=5&format=tlog-proof', 400, 'LOG_RANGE_INVALID', 'size'],
      ['/api/v1/log/inclusion?index=-1', 400, 'VALIDATION_FAILED'],
      ['/api/v1/log/inclusion?index=0x1', 400, 'VALIDATION_FAILED'],
      ['/api/v1/log/inclusion', 400, 'VALIDATION_FAILED'],
      ['/api/v1/log/consistency?from=0', 400, 'VALIDATION_FAILED'],
      ['/api/v1/log/consistency?from=5&to=4', 400, 'LOG_RANGE_INVALID', 'from'],
      ['/api/v1/log/consistency?from=5&to=11', 400, 'LOG_RANGE_INVALID', 'to'],
    ];
    for (const [url, status, code, field] of cases) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(status);
      expect(r.json().error, url).toMatchObject({ code, ...(field ? { field } : {}) });
    }
  });
});

describe('a server without a log key', () => {
  it('answers the log routes with NOT_AVAILABLE', async () => {
    const bare = await buildApp({ store: log.store, clock: Date.now, demo: false });
    try {
      for (const url of ['/log/v1/checkpoint', '/log/v1/key', '/log/v1/tile/0/000', '/api/v1/log/inclusion?index=0']) {
        const r = await bare.inject({ method: 'GET', url });
        expect(r.statusCode, url).toBe(503);
        expect(r.json().error.code, url).toBe('NOT_AVAILABLE');
      }
    } finally {
      await bare.close();
    }
  });
});
