// A record's offline inclusion proof, as an audit bundle carries it: envelope + tlog-proof + trusted key.
import { describe, expect, it } from 'vitest';
import { ed25519KeyPairFromSeed, fromHex, logEntryOf, ed25519Signer, formatCheckpoint, formatTlogProof, noteSigner, parseTlogProof, parseVerifierKey, RECORD_ENTRY_SIZE, recordLogEntry, parseRecordLogEntry, recordHash, signNote, toBase64, toHex, verifyRecordInclusion } from '../../src/index.ts';
import { exampleLog, EXAMPLE_ORIGIN } from './example-log.ts';

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);
const log = exampleLog();
const parsed = (text: string) => {
  const r = parseTlogProof(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('the record leaf', () => {
  it('is the record hash (what the next record links to as prev) then the signature: 96 bytes', () => {
    const entry = recordLogEntry(log.records[1]!);
    expect(entry.length).toBe(RECORD_ENTRY_SIZE);
    expect(toHex(entry.subarray(0, 32))).toBe(recordHash(log.records[1]!.bytes));
    expect(parseRecordLogEntry(entry)).toEqual({ recordHash: entry.slice(0, 32), signature: log.records[1]!.signature });
    expect(parseRecordLogEntry(entry.subarray(1))).toBeUndefined();
  });

  it('made from the stored record hash (as the server sequences) it is the same entry', () => {
    for (const r of log.records) expect(toHex(logEntryOf(fromHex(recordHash(r.bytes))!, r.signature))).toBe(toHex(recordLogEntry(r)));
  });
});

describe('verifyRecordInclusion', () => {
  it('accepts every record of the example log with its tlog proof and the log key', () => {
    // The verifier holds only the vkey string, as an auditor's configuration would.
    const vkey = parseVerifierKey(log.vkey);
    if (!vkey.ok) throw new Error(vkey.error.message);
    const trust = { ...log.trust, keys: [vkey.value] };
    for (const [i, envelope] of log.envelopes.entries()) {
      const r = verifyRecordInclusion(envelope, parsed(log.proofText(i)), trust);
      expect(r).toMatchObject({ ok: true, value: { index: log.indexes[i], checkpoint: { origin: EXAMPLE_ORIGIN, size: log.tree.size } } });
    }
  });

  it('refuses another record, another index, a changed proof hash, a malformed envelope', () => {
    const proof = parsed(log.proofText(1));
    expect(codeOf(verifyRecordInclusion(log.envelopes[2]!, proof, log.trust))).toBe('ROOT_MISMATCH');
    expect(codeOf(verifyRecordInclusion(log.envelopes[1]!, { ...proof, index: proof.index + 1 }, log.trust))).toBe('ROOT_MISMATCH');
    expect(codeOf(verifyRecordInclusion(log.envelopes[1]!, { ...proof, index: log.tree.size }, log.trust))).toBe('INDEX_OUT_OF_RANGE');
    const changed = proof.proof.map((h) => Uint8Array.from(h));
    changed[0]![5]! ^= 0x10;
    expect(codeOf(verifyRecordInclusion(log.envelopes[1]!, { ...proof, proof: changed }, log.trust))).toBe('ROOT_MISMATCH');
    expect(codeOf(verifyRecordInclusion(log.envelopes[1]!, { ...proof, proof: proof.proof.slice(1) }, log.trust))).toBe('INCLUSION_PROOF_INVALID');
    expect(codeOf(verifyRecordInclusion(log.envelopes[1]!.replace('{"record":"', '{"record": "'), proof, log.trust))).toBe('MALFORMED_ENVELOPE');
  });

  it('refuses a checkpoint signed by another key, or of another origin', () => {
    const proof = parsed(log.proofText(0));
    const impostor = noteSigner(EXAMPLE_ORIGIN, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(1)).privateKeyPem));
    const body = formatCheckpoint({ origin: EXAMPLE_ORIGIN, size: log.tree.size, root: log.tree.root() });
    expect(codeOf(verifyRecordInclusion(log.envelopes[0]!, { ...proof, checkpoint: signNote(body, impostor) }, log.trust))).toBe('NO_TRUSTED_SIGNATURE');
    expect(codeOf(verifyRecordInclusion(log.envelopes[0]!, proof, { ...log.trust, origin: 'log.wastetrail.example/other' }))).toBe('WRONG_ORIGIN');
  });
});

describe('tlog-proof text (c2sp.org/tlog-proof)', () => {
  it('round-trips, with and without extra data', () => {
    const text = log.proofText(1);
    expect(text.startsWith(`c2sp.org/tlog-proof@v1\nindex ${log.indexes[1]}\n`)).toBe(true);
    expect(formatTlogProof(parsed(text))).toBe(text);
    const withExtra = formatTlogProof({ ...parsed(text), extra: Uint8Array.of(1, 2, 3) });
    expect(withExtra).toContain(`\nextra ${toBase64(Uint8Array.of(1, 2, 3))}\nindex `);
    expect(formatTlogProof(parsed(withExtra))).toBe(withExtra);
  });

  it('refuses every other form', () => {
    const text = log.proofText(1);
    for (const bad of [
      text.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
      text.replace(/^index \d+$/m, 'index 01'),
      text.replace(/^index \d+$/m, 'index -1'),
      text.replace(/^index (\d+)$/m, 'index  $1'),
      text.replace(/\n\n/, '\n'),
      text.replace(/^(index \d+\n)([A-Za-z0-9+/]{4})/m, '$1 $2'),
      text.replace(/^(index \d+\n)[A-Za-z0-9+/=]+\n/m, '$1AAAA\n'),
      text.replace('c2sp.org/tlog-proof@v1\n', 'c2sp.org/tlog-proof@v1\nextra !!\n'),
    ]) {
      expect(codeOf(parseTlogProof(bad)), bad.slice(0, 120)).toBe('MALFORMED_TLOG_PROOF');
    }
  });
});
