// Signed notes and checkpoints against the published examples, and the ways a note must fail.
import { describe, expect, it } from 'vitest';
import {
  ed25519KeyPairFromSeed,
  ed25519Signer,
  formatCheckpoint,
  fromBase64,
  leafHash,
  nodeEd25519Verify,
  noteSigner,
  noteVerifierKey,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signNote,
  utf8,
  verifierKeyString,
  verifyCheckpoint,
  verifyNote,
  type NoteVerifierKey,
} from '../../src/index.ts';

const verifier = (vkey: string): NoteVerifierKey => {
  const r = parseVerifierKey(vkey);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

// c2sp.org/signed-note, section "Example" (C2SP/C2SP signed-note.md).
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

// The package example of golang.org/x/mod/sumdb/note (note.go), with its signer key
// PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz (0x01 || 32-byte seed).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SEED = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz')!.slice(1);
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const peter = noteSigner('PeterNeumann', ed25519Signer(ed25519KeyPairFromSeed(PETER_SEED).privateKeyPem));
const log = ed25519KeyPairFromSeed(new Uint8Array(32).fill(7));
const logSigner = noteSigner('log.wastetrail.example/test', ed25519Signer(log.privateKeyPem));
const other = noteSigner('log.wastetrail.example/test', ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(8)).privateKeyPem));

describe('signed notes (c2sp.org/signed-note)', () => {
  it('verifies the C2SP example with its verifier key', () => {
    expect(verifyNote(C2SP_NOTE, [verifier(C2SP_VKEY)], nodeEd25519Verify)).toMatchObject({ ok: true, value: { text: 'This is an example message.\n' } });
  });

  it('reproduces the sumdb/note example byte for byte from its private key, and verifies it', () => {
    expect(verifierKeyString(peter)).toBe(PETER_VKEY);
    expect(signNote(PETER_TEXT, peter)).toBe(PETER_NOTE);
    expect(verifyNote(PETER_NOTE, [verifier(PETER_VKEY)], nodeEd25519Verify)).toMatchObject({ ok: true, value: { text: PETER_TEXT } });
  });

  it('round-trips verifier keys, whose base64 may hold a "+"', () => {
    for (const vkey of [C2SP_VKEY, PETER_VKEY, verifierKeyString(logSigner)]) expect(verifierKeyString(verifier(vkey))).toBe(vkey);
    const plus = 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6';
    expect(verifierKeyString(verifier(plus))).toBe(plus);
    expect(verifier(verifierKeyString(logSigner)).keyId).toBe(noteVerifierKey('log.wastetrail.example/test', log.publicKeySpki).keyId);
  });

  it('refuses malformed verifier keys: wrong id, type, length, name', () => {
    for (const bad of [
      'example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'example.com/foo+530d903a+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
      'example.com/fo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'example.com foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      '+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'example.com/foo+530d903a',
      '',
    ]) {
      expect(codeOf(parseVerifierKey(bad)), bad).toBe('MALFORMED_VERIFIER_KEY');
    }
  });

  it('fails on any changed byte of the text or the signature', () => {
    const key = [verifier(PETER_VKEY)];
    expect(codeOf(verifyNote(PETER_NOTE.replace('cryptography', 'cryptographY'), key, nodeEd25519Verify))).toBe('BAD_NOTE_SIGNATURE');
    const sigAt = PETER_NOTE.indexOf('x08go') + 10;
    const tampered = PETER_NOTE.slice(0, sigAt) + (PETER_NOTE[sigAt] === 'A' ? 'B' : 'A') + PETER_NOTE.slice(sigAt + 1);
    expect(codeOf(verifyNote(tampered, key, nodeEd25519Verify))).toBe('BAD_NOTE_SIGNATURE');
  });

  it('ignores unknown keys, needs a trusted one, and rejects a note where a trusted key fails', () => {
    const text = 'log.wastetrail.example/test\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
    const trusted = [noteVerifierKey(logSigner.name, log.publicKeySpki)];
    // A signature by another key under the same name has another key id: ignored, so nothing verifies.
    expect(codeOf(verifyNote(signNote(text, other), trusted, nodeEd25519Verify))).toBe('NO_TRUSTED_SIGNATURE');
    expect(codeOf(verifyNote(signNote(text, peter, logSigner), trusted, nodeEd25519Verify))).toBe('ok');
    expect(verifyNote(signNote(text, logSigner, peter), [...trusted, verifier(PETER_VKEY)], nodeEd25519Verify)).toMatchObject({ ok: true, value: { verifiedBy: [{ name: logSigner.name }, { name: 'PeterNeumann' }] } });
    // Same name and id as the trusted key but a signature by another key: the whole note is refused.
    const forged = signNote(text, { ...other, keyId: logSigner.keyId });
    expect(codeOf(verifyNote(forged, trusted, nodeEd25519Verify))).toBe('BAD_NOTE_SIGNATURE');
    expect(codeOf(verifyNote(signNote(text, logSigner), [], nodeEd25519Verify))).toBe('NO_TRUSTED_SIGNATURE');
  });

  it('refuses notes that are not of the form', () => {
    const key = [verifier(PETER_VKEY)];
    for (const bad of [
      PETER_NOTE.slice(0, -1), // no final newline
      PETER_NOTE.replace('\n\n', '\n'), // no blank line
      PETER_NOTE.replace('— ', '- '), // hyphen for the em dash
      PETER_NOTE.replace('— PeterNeumann ', '— PeterNeumann  '),
      PETER_NOTE.replace('problem,', 'problem,\r'),
      PETER_NOTE.replace('problem,', 'problem,\t'),
      PETER_NOTE.replace('problem,', 'problem,\ud800'),
      PETER_NOTE + '\n',
      PETER_NOTE.replace('AM=\n', 'AM\n'),
    ]) {
      expect(codeOf(verifyNote(bad, key, nodeEd25519Verify)), JSON.stringify(bad)).toBe('MALFORMED_NOTE');
    }
    expect(parseNote('a\n\nb\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n')).toMatchObject({ ok: true, value: { text: 'a\n\nb\n' } });
    expect(() => signNote('no newline', peter)).toThrow(TypeError);
    expect(() => signNote('text\n')).toThrow(TypeError);
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const root = leafHash(utf8('one entry'));
  const checkpoint = { origin: 'log.wastetrail.example/test', size: 1, root };
  const trust = { origin: checkpoint.origin, keys: [noteVerifierKey(logSigner.name, log.publicKeySpki)], ed25519Verify: nodeEd25519Verify };

  it('parses the C2SP example body and formats it back byte for byte', () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const parsed = parseCheckpoint(body);
    expect(parsed).toMatchObject({ ok: true, value: { origin: 'example.com/behind-the-sofa', size: 20852163 } });
    if (parsed.ok) expect(formatCheckpoint(parsed.value)).toBe(body);
    expect(parseCheckpoint(body + 'ext one\n')).toMatchObject({ ok: true, value: { extensions: ['ext one'] } });
  });

  it('signs and verifies, and a changed size, root or origin fails', () => {
    const note = signNote(formatCheckpoint(checkpoint), logSigner);
    expect(verifyCheckpoint(note, trust)).toMatchObject({ ok: true, value: { origin: checkpoint.origin, size: 1, root } });
    expect(codeOf(verifyCheckpoint(note.replace('\n1\n', '\n2\n'), trust))).toBe('BAD_NOTE_SIGNATURE');
    expect(codeOf(verifyCheckpoint(note, { ...trust, origin: 'log.wastetrail.example/other' }))).toBe('WRONG_ORIGIN');
    expect(codeOf(verifyCheckpoint(signNote('log.wastetrail.example/test\n01\nAAAA\n', logSigner), trust))).toBe('MALFORMED_CHECKPOINT');
  });

  it('refuses malformed bodies', () => {
    const r = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
    for (const bad of [`o\n1\n${r}`, `o\n01\n${r}\n`, `o\n-1\n${r}\n`, `o\n1.0\n${r}\n`, `o\n9007199254740992\n${r}\n`, `\n1\n${r}\n`, `o\n1\nAAAA\n`, `o\n1\n${r}\n\n`, `o\n1\n`, `o\n 1\n${r}\n`]) {
      expect(codeOf(parseCheckpoint(bad)), JSON.stringify(bad)).toBe('MALFORMED_CHECKPOINT');
    }
    expect(() => formatCheckpoint({ ...checkpoint, origin: 'has space' })).toThrow(TypeError);
    expect(() => formatCheckpoint({ ...checkpoint, size: -1 })).toThrow(RangeError);
  });
});
