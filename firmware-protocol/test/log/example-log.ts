// A small log of the vector records (firmware-protocol/test/vectors/chain-valid.jsonl) with a fixed
// key, for the inclusion tests and the by-hand script's test.
import {
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  formatCheckpoint,
  formatTlogProof,
  leafHash,
  MemoryTree,
  nodeEd25519Verify,
  noteSigner,
  recordLeafHash,
  signNote,
  utf8,
  verifierKeyString,
  type LogTrust,
} from '../../src/index.ts';
import { vectorRecords } from '../support.ts';

export const EXAMPLE_ORIGIN = 'log.wastetrail.example/vectors';

export function exampleLog() {
  const records = vectorRecords('chain-valid.jsonl');
  const signer = noteSigner(EXAMPLE_ORIGIN, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(0x2a)).privateKeyPem));
  const tree = new MemoryTree();
  // Other leaves around the records, so the proofs have several levels and an incomplete right edge.
  for (let i = 0; i < 5; i++) tree.append(leafHash(utf8(`earlier entry ${i}`)));
  const indexes = records.map((r) => tree.append(recordLeafHash(r)));
  for (let i = 0; i < 6; i++) tree.append(leafHash(utf8(`later entry ${i}`)));
  const checkpoint = signNote(formatCheckpoint({ origin: EXAMPLE_ORIGIN, size: tree.size, root: tree.root() }), signer);
  const trust: LogTrust = { origin: EXAMPLE_ORIGIN, keys: [signer], ed25519Verify: nodeEd25519Verify };
  return {
    records,
    envelopes: records.map(encodeEnvelope),
    indexes,
    tree,
    signer,
    vkey: verifierKeyString(signer),
    checkpoint,
    trust,
    /** The tlog-proof text for record i of the vectors. */
    proofText: (i: number) => formatTlogProof({ index: indexes[i]!, proof: tree.inclusionProof(indexes[i]!), checkpoint }),
  };
}
