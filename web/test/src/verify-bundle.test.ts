/**
 * The in-browser verifier (web/src/verify-bundle.ts, firmware-protocol's record and log code with the
 * pure-JS Ed25519), run in Node on the golden vectors: every record with the server's hashes; a flipped
 * signature bit, a changed weight, an unknown device, a malformed line and a hash the trail showed
 * differently are refused; then the log proofs of a small log of the same records (firmware-protocol's
 * example log) with a witness's cosignature: proven, tampered, pending, another key, quorum not met.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cosignatureLine, cosigner, cosignerKeyString, ed25519KeyPairFromSeed, ed25519Signer, noteSigner, verifierKeyString } from '@wastetrail/firmware-protocol';
import { VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { EXAMPLE_ORIGIN, exampleLog } from '../../../firmware-protocol/test/log/example-log.ts';
import { verdictCounts, verifyBundleHere, type AuditBundle } from '../../src/verify-bundle.ts';

const records = readFileSync(join(VECTORS_DIR, 'chain-valid.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const keyring = JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')) as AuditBundle['keyring'];
const bundleOf = (lines: string[], log?: AuditBundle['log'], ring = keyring): AuditBundle => ({ format: 'wastetrail.bundle.v1', bag: 'epc:3074257bf7194e4000001a85', generatedAt: '2026-03-03T00:00:00.000Z', keyring: ring, records: lines, ...(log ? { log } : {}) });
const none = new Map<string, string>();
/** The golden record at index 1: hz-h001-ref-01 #2, a seal of 1250 g. */
const SEALED = { key: 'hz-h001-ref-01#2', hash: 'a70152b3474fdcaede1c2eaa6bee315ed46d6f0e85d95b298db9efe3e772a829' };

describe('verifyBundleHere: the records', () => {
  it('verifies every record of the golden chain, with the hashes the server computes', () => {
    const v = verifyBundleHere(bundleOf(records), new Map([[SEALED.key, SEALED.hash]]));
    expect(v.records).toHaveLength(14);
    expect(v.records.every((r) => r.ok)).toBe(true);
    expect(v.records[1]).toEqual({ key: SEALED.key, device: 'hz-h001-ref-01', seq: 2, hash: SEALED.hash, ok: true });
    expect(v.hasLog).toBe(false);
    expect(verdictCounts(v)).toEqual({ records: 14, verified: 14, proven: 0, logFailed: false });
  });

  it('refuses a changed signature, a changed record, an unknown device, a malformed line, a hash the trail showed otherwise', () => {
    const env = JSON.parse(records[1]!) as { record: string; sig: string };
    const sig = Buffer.from(env.sig, 'base64');
    sig[5]! ^= 1;
    const badSig = `{"record":"${env.record}","sig":"${sig.toString('base64')}"}`;
    const text = Buffer.from(env.record, 'base64').toString('utf8').replace('"value":1250', '"value":1150');
    const badRecord = `{"record":"${Buffer.from(text, 'utf8').toString('base64')}","sig":"${env.sig}"}`;
    const v = verifyBundleHere(bundleOf([badSig, badRecord, 'not json', records[2]!]), new Map([['hz-h001-ref-01#3', 'f'.repeat(64)]]));
    expect(v.records.map((r) => [r.key, r.ok, r.reason])).toEqual([
      [SEALED.key, false, 'BAD_SIGNATURE'],
      [SEALED.key, false, 'BAD_SIGNATURE'],
      ['', false, 'MALFORMED_ENVELOPE'],
      ['hz-h001-ref-01#3', false, 'HASH_MISMATCH'],
    ]);
    expect(verdictCounts(v).verified).toBe(0);
    const unknown = verifyBundleHere(bundleOf([records[1]!], undefined, { format: 'wastetrail.keyring.v1', devices: {} }), none);
    expect(unknown.records[0]).toMatchObject({ key: SEALED.key, ok: false, reason: 'UNKNOWN_DEVICE' });
    const broken = verifyBundleHere(bundleOf([records[1]!], undefined, { format: 'wastetrail.keyring.v1', devices: { 'hz-h001-ref-01': { keys: [] } } }), none);
    expect(broken.records[0]).toMatchObject({ key: SEALED.key, ok: false, reason: 'INVALID_KEYRING' });
  });
});

describe('verifyBundleHere: the log proofs', () => {
  const log = exampleLog();
  const witness = cosigner('witness.regulator.example/hz', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(31)).privateKeyPem));
  const text = log.checkpoint.slice(0, log.checkpoint.indexOf('\n\n') + 1);
  const cosigned = log.checkpoint + cosignatureLine(text, witness, 1_772_000_000);
  /** The vectors as a bundle whose proofs lead to `checkpoint`, the witness required once. */
  const bundleWith = (checkpoint: string, proofs: Array<string | null> = log.envelopes.map((_, i) => log.proofText(i)), quorum = 1): AuditBundle =>
    bundleOf(log.envelopes, { key: log.vkey, witnesses: [cosignerKeyString(witness)], quorum, proofs: proofs.map((p) => (p === null ? null : p.replace(log.checkpoint, checkpoint))) });

  it("proves each record at its leaf in the log's checkpoint, cosigned by the quorum", () => {
    const v = verifyBundleHere(bundleWith(cosigned), none);
    expect(v.records.every((r) => r.ok)).toBe(true);
    expect(v.records.map((r) => r.log)).toEqual(log.indexes.map((leaf) => ({ leaf, size: log.tree.size })));
    expect(v.checkpoints).toEqual([{ size: log.tree.size, cosignedBy: ['witness.regulator.example/hz'], quorum: 1, witnesses: 1, quorumMet: true }]);
    expect(verdictCounts(v)).toMatchObject({ proven: log.envelopes.length, logFailed: false });
  });

  it('a changed proof hash fails that record (ROOT_MISMATCH); another key fails every proof; a proof not yet made is pending', () => {
    const proofs: Array<string | null> = log.envelopes.map((_, i) => log.proofText(i));
    const lines = proofs[2]!.split('\n');
    lines[2] = `${lines[2]![0] === 'A' ? 'B' : 'A'}${lines[2]!.slice(1)}`;
    proofs[2] = lines.join('\n');
    proofs[4] = null;
    const v = verifyBundleHere(bundleWith(cosigned, proofs), none);
    expect(v.records[2]!.log).toEqual({ failed: 'ROOT_MISMATCH' });
    expect(v.records[4]!.log).toEqual({ pending: true });
    expect(verdictCounts(v)).toMatchObject({ proven: log.envelopes.length - 2, logFailed: true });
    // The signatures are the records' own: a bad log proof does not make a record's signature fail.
    expect(v.records.every((r) => r.ok)).toBe(true);

    // The bundle names another key of the same log name: no proof's checkpoint is signed by it.
    const otherKey = verifierKeyString(noteSigner(EXAMPLE_ORIGIN, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(9)).privateKeyPem)));
    const forged = bundleWith(cosigned);
    const f = verifyBundleHere({ ...forged, log: { ...forged.log!, key: otherKey } }, none);
    expect(f.records.map((r) => r.log)).toEqual(log.envelopes.map(() => ({ failed: 'NO_TRUSTED_SIGNATURE' })));
    expect(f.checkpoints).toEqual([]);
  });

  it('a checkpoint without the cosignature the quorum needs is signed but not witnessed: QUORUM_NOT_MET; a quorum above the witnesses named is never lowered', () => {
    const v = verifyBundleHere(bundleWith(log.checkpoint), none);
    expect(v.checkpoints).toEqual([{ size: log.tree.size, cosignedBy: [], quorum: 1, witnesses: 1, quorumMet: false, reason: 'QUORUM_NOT_MET' }]);
    expect(v.records.every((r) => r.log !== undefined && 'leaf' in r.log)).toBe(true);
    const high = verifyBundleHere(bundleWith(cosigned, undefined, 2), none);
    expect(high.checkpoints).toEqual([{ size: log.tree.size, cosignedBy: [], quorum: 2, witnesses: 1, quorumMet: false, reason: 'QUORUM_NOT_MET' }]);
  });
});
