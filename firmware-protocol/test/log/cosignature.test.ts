// Cosignatures (c2sp.org/tlog-cosignature) and the witness's decision, as a log client checks them.
import { describe, expect, it } from 'vitest';
import {
  checkCosignatureQuorum,
  checkWitnessed,
  cosignatureLine,
  cosignedMessage,
  cosigner,
  cosignerKeyString,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  formatCheckpoint,
  leafHash,
  MemoryTree,
  nodeEd25519Verify,
  noteSigner,
  parseCosignerKey,
  parseVerifierKey,
  signNote,
  utf8,
  verifyCheckpoint,
  verifyCosignatures,
  type Checkpoint,
} from '../../src/index.ts';

const ORIGIN = 'log.wastetrail.example/cosign';
const signerOf = (seed: number) => ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem);
const log = noteSigner(ORIGIN, signerOf(1));
const witness = cosigner('witness.example/w1', signerOf(2));
const other = cosigner('witness.example/w2', signerOf(3));
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

function treeOf(size: number): MemoryTree {
  const tree = new MemoryTree();
  for (let i = 0; i < size; i++) tree.append(leafHash(utf8(`leaf ${i}`)));
  return tree;
}
const checkpointOf = (tree: MemoryTree, size = tree.size): Checkpoint => ({ origin: ORIGIN, size, root: tree.root(size) });

describe('cosignatures', () => {
  const text = formatCheckpoint(checkpointOf(treeOf(5)));
  const note = signNote(text, log);

  it('a cosigned note verifies for the witness, and still verifies for the log (the witness line is ignored there)', () => {
    const cosigned = note + cosignatureLine(text, witness, 1_700_000_000);
    const verified = verifyCosignatures(cosigned, [other, witness], nodeEd25519Verify);
    expect(verified.ok && verified.value.cosignatures.map((c) => [c.witness.name, c.timestamp])).toEqual([['witness.example/w1', 1_700_000_000]]);
    expect(verified.ok && verified.value.cosignatures[0]!.line).toBe(cosignatureLine(text, witness, 1_700_000_000));
    expect(codeOf(verifyCheckpoint(cosigned, { origin: ORIGIN, keys: [log], ed25519Verify: nodeEd25519Verify }))).toBe('ok');
  });

  it('signs the cosignature/v1 message: header, time line, then the checkpoint text', () => {
    expect(new TextDecoder().decode(cosignedMessage(text, 42))).toBe(`cosignature/v1\ntime 42\n${text}`);
  });

  it("the witness's vkey has type 0x04 and round-trips; it is not a note key, nor the other way round", () => {
    const vkey = cosignerKeyString(witness);
    expect(vkey).toMatch(/^witness\.example\/w1\+[0-9a-f]{8}\+B[A-P]/);
    // 0x04 then the key: base64 "B", then 00 and the key's first four bits.
    const parsed = parseCosignerKey(vkey);
    expect(parsed.ok && parsed.value.keyId).toBe(witness.keyId);
    expect(codeOf(parseVerifierKey(vkey))).toBe('MALFORMED_VERIFIER_KEY');
    // Same key under type 0x01: another key id, so a plain note signature is no cosignature.
    const plain = noteSigner('witness.example/w1', signerOf(2));
    expect(plain.keyId).not.toBe(witness.keyId);
    expect(verifyCosignatures(signNote(text, plain), [witness], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [] } });
  });

  it('a cosignature over another checkpoint, or altered, is BAD_COSIGNATURE; unknown witnesses are ignored', () => {
    const otherText = formatCheckpoint(checkpointOf(treeOf(6)));
    const moved = note + cosignatureLine(otherText, witness, 7);
    expect(codeOf(verifyCosignatures(moved, [witness], nodeEd25519Verify))).toBe('BAD_COSIGNATURE');
    expect(verifyCosignatures(moved, [other], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [] } });
  });
});

describe('checkCosignatureQuorum: a checkpoint cosigned by enough of the trusted witnesses, and by no one else', () => {
  const text = formatCheckpoint(checkpointOf(treeOf(5)));
  const note = signNote(text, log);
  const third = cosigner('witness.example/w3', signerOf(4));
  const both = note + cosignatureLine(text, witness, 10) + cosignatureLine(text, other, 11);
  const check = (n: string, quorum: number, witnesses = [witness, other]) => checkCosignatureQuorum(n, { log, witnesses, quorum }, nodeEd25519Verify);

  it('passes at or under the number of good cosignatures, naming the witnesses', () => {
    const r = check(both, 2);
    expect(r.ok && r.value.cosignedBy.map((w) => w.name)).toEqual(['witness.example/w1', 'witness.example/w2']);
    expect(codeOf(check(note + cosignatureLine(text, other, 11), 1))).toBe('ok');
    expect(codeOf(check(note, 0))).toBe('ok');
  });

  it('QUORUM_NOT_MET: a cosignature missing, or none at all', () => {
    const one = check(note + cosignatureLine(text, witness, 10), 2);
    expect(codeOf(one)).toBe('QUORUM_NOT_MET');
    expect(!one.ok && one.error.message).toContain('cosigned by 1 of the trusted witnesses (witness.example/w1), fewer than the quorum of 2');
    expect(codeOf(check(note, 1))).toBe('QUORUM_NOT_MET');
    // The same witness twice is one cosignature.
    expect(codeOf(check(note + cosignatureLine(text, witness, 10) + cosignatureLine(text, witness, 12), 2))).toBe('QUORUM_NOT_MET');
  });

  it('UNKNOWN_WITNESS: a line by a key that is neither the log nor a trusted witness, even with the quorum met', () => {
    const extra = both + cosignatureLine(text, third, 12);
    expect(codeOf(check(extra, 2))).toBe('UNKNOWN_WITNESS');
    // A trusted name with another key is another key.
    const impostor = cosigner('witness.example/w2', signerOf(9));
    expect(codeOf(check(note + cosignatureLine(text, witness, 10) + cosignatureLine(text, impostor, 11), 1))).toBe('UNKNOWN_WITNESS');
    expect(codeOf(check(extra, 2, [witness, other, third]))).toBe('ok');
  });

  it('BAD_COSIGNATURE: a trusted witness\'s line over another checkpoint', () => {
    const otherText = formatCheckpoint(checkpointOf(treeOf(6)));
    expect(codeOf(check(note + cosignatureLine(text, witness, 10) + cosignatureLine(otherText, other, 11), 1))).toBe('BAD_COSIGNATURE');
  });

  it('a quorum larger than the witnesses is a caller\'s bug', () => {
    expect(() => check(both, 3)).toThrow(RangeError);
  });
});

describe('checkWitnessed: what a witness may cosign after what it cosigned', () => {
  const tree = treeOf(9);
  it('the first checkpoint, the same one again and a consistent larger one pass', () => {
    expect(codeOf(checkWitnessed(undefined, checkpointOf(tree, 4), []))).toBe('ok');
    expect(codeOf(checkWitnessed(checkpointOf(tree, 4), checkpointOf(tree, 4), []))).toBe('ok');
    expect(codeOf(checkWitnessed(checkpointOf(tree, 4), checkpointOf(tree, 9), tree.consistencyProof(4, 9)))).toBe('ok');
  });
  it('refuses a rollback, a fork and an inconsistent pair by name', () => {
    expect(codeOf(checkWitnessed(checkpointOf(tree, 9), checkpointOf(tree, 4), []))).toBe('CHECKPOINT_ROLLBACK');
    const forked = treeOf(4);
    forked.append(leafHash(utf8('another leaf 4')));
    expect(codeOf(checkWitnessed(checkpointOf(tree, 5), checkpointOf(forked, 5), []))).toBe('CHECKPOINT_FORK');
    expect(codeOf(checkWitnessed(checkpointOf(forked, 5), checkpointOf(tree, 9), tree.consistencyProof(5, 9)))).toBe('CHECKPOINT_INCONSISTENT');
    expect(codeOf(checkWitnessed(checkpointOf(tree, 4), checkpointOf(tree, 9), []))).toBe('CHECKPOINT_INCONSISTENT');
  });
});
