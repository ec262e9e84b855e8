/**
 * The browser's verifier (server/src/web/client/verify.js), run in Node on the golden vectors: signatures,
 * then the log proofs of a small log of the same records (firmware-protocol's example log) with a
 * witness's cosignature.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosignatureLine, cosigner, cosignerKeyString, ed25519KeyPairFromSeed, ed25519Signer, noteSigner, verifierKeyString } from '@wastetrail/firmware-protocol';
import { VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { EXAMPLE_ORIGIN, exampleLog } from '../../../firmware-protocol/test/log/example-log.ts';

interface Outcome {
  device: string;
  seq: number;
  hash: string;
  ok: boolean;
  reason?: string;
  log?: { leaf?: number; size?: number; pending?: true; failed?: string };
}
interface Bundle {
  keyring: { devices: Record<string, unknown> };
  records: string[];
  log?: { key: string; witnesses?: string[]; quorum?: number; proofs: Array<string | null> };
}
type VerifyBundle = (bundle: Bundle) => Outcome[];
type VerifyBundleCheckpoints = (bundle: Bundle) => Array<{ size: number; signed: boolean; cosignedBy: string[]; quorum: number; witnesses: number; quorumMet: boolean; reason?: string }>;

let verifyBundle: VerifyBundle;
let verifyBundleCheckpoints: VerifyBundleCheckpoints;
const records = readFileSync(join(VECTORS_DIR, 'chain-valid.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const keyring = JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')) as { devices: Record<string, unknown> };

beforeAll(async () => {
  // Plain JavaScript for the browser: imported by URL so the TypeScript build does not need its types.
  const url = pathToFileURL(join(import.meta.dirname, '../../src/web/client/verify.js')).href;
  ({ verifyBundle, verifyBundleCheckpoints } = (await import(url)) as { verifyBundle: VerifyBundle; verifyBundleCheckpoints: VerifyBundleCheckpoints });
});

describe('in-browser verifier', () => {
  it('verifies every record of the golden chain, with the hashes the server computes', () => {
    const out = verifyBundle({ keyring, records });
    expect(out).toHaveLength(14);
    expect(out.every((r) => r.ok)).toBe(true);
    expect(out[1]).toMatchObject({ device: 'hz-h001-ref-01', seq: 2, hash: 'a70152b3474fdcaede1c2eaa6bee315ed46d6f0e85d95b298db9efe3e772a829' });
  });

  it('refuses a changed signature, a changed record and an unknown key', () => {
    const env = JSON.parse(records[1]!) as { record: string; sig: string };
    const sig = Buffer.from(env.sig, 'base64');
    sig[5]! ^= 1;
    const badSig = JSON.stringify({ ...env, sig: sig.toString('base64') });
    const text = Buffer.from(env.record, 'base64').toString('utf8').replace('"value":1250', '"value":1150');
    const badRecord = JSON.stringify({ ...env, record: Buffer.from(text, 'utf8').toString('base64') });
    const out = verifyBundle({ keyring, records: [badSig, badRecord] });
    expect(out.map((r) => r.reason)).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE']);
    expect(verifyBundle({ keyring: { devices: {} }, records: [records[1]!] })[0]).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(verifyBundle({ keyring, records: ['not json'] })[0]).toMatchObject({ ok: false, reason: 'MALFORMED_RECORD' });
  });
});

describe('in-browser verifier: the log proofs', () => {
  const log = exampleLog();
  const witness = cosigner('witness.regulator.example/hz', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(31)).privateKeyPem));
  const text = log.checkpoint.slice(0, log.checkpoint.indexOf('\n\n') + 1);
  const cosigned = log.checkpoint + cosignatureLine(text, witness, 1_772_000_000);
  /** The vectors as a bundle whose proofs lead to `checkpoint`, the witness required once. */
  const bundleWith = (checkpoint: string, proofs: Array<string | null> = log.envelopes.map((_, i) => log.proofText(i))): Bundle => ({
    keyring,
    records: log.envelopes,
    log: { key: log.vkey, witnesses: [cosignerKeyString(witness)], quorum: 1, proofs: proofs.map((p) => (p === null ? null : p.replace(log.checkpoint, checkpoint))) },
  });

  it("proves each record at its leaf in the log's checkpoint, cosigned by the quorum", () => {
    const bundle = bundleWith(cosigned);
    const out = verifyBundle(bundle);
    expect(out.every((r) => r.ok)).toBe(true);
    expect(out.map((r) => r.log)).toEqual(log.indexes.map((leaf) => ({ leaf, size: log.tree.size })));
    expect(verifyBundleCheckpoints(bundle)).toEqual([{ size: log.tree.size, signed: true, cosignedBy: ['witness.regulator.example/hz'], quorum: 1, witnesses: 1, quorumMet: true }]);
  });

  it('a changed proof hash fails that record (ROOT_MISMATCH); another key fails every proof; a proof not yet made is pending', () => {
    const proofs: Array<string | null> = log.envelopes.map((_, i) => log.proofText(i));
    const lines = proofs[2]!.split('\n');
    lines[2] = `${lines[2]![0] === 'A' ? 'B' : 'A'}${lines[2]!.slice(1)}`;
    proofs[2] = lines.join('\n');
    proofs[4] = null;
    const out = verifyBundle(bundleWith(cosigned, proofs));
    expect(out[2]!.log).toEqual({ failed: 'ROOT_MISMATCH' });
    expect(out[4]!.log).toEqual({ pending: true });
    expect(out.filter((r) => r.log?.leaf !== undefined)).toHaveLength(log.envelopes.length - 2); // all but the failed and the pending
    // The signatures are the records' own: a bad log proof does not make a record's signature fail.
    expect(out.every((r) => r.ok)).toBe(true);

    // The bundle names another key of the same log name: no proof's checkpoint is signed by it.
    const otherKey = verifierKeyString(noteSigner(EXAMPLE_ORIGIN, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(9)).privateKeyPem)));
    const forged = { ...bundleWith(cosigned), log: { ...bundleWith(cosigned).log!, key: otherKey } };
    expect(verifyBundle(forged).map((r) => r.log)).toEqual(log.envelopes.map(() => ({ failed: 'NO_TRUSTED_SIGNATURE' })));
    expect(verifyBundleCheckpoints(forged)).toEqual([]);
  });

  it('a checkpoint without the cosignature the quorum needs is signed but not witnessed: QUORUM_NOT_MET', () => {
    const [checkpoint] = verifyBundleCheckpoints(bundleWith(log.checkpoint));
    expect(checkpoint).toEqual({ size: log.tree.size, signed: true, cosignedBy: [], quorum: 1, witnesses: 1, quorumMet: false, reason: 'QUORUM_NOT_MET' });
    expect(verifyBundle(bundleWith(log.checkpoint)).every((r) => r.log?.leaf !== undefined)).toBe(true);
  });
});
