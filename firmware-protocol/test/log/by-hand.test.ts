// docs/protocol/log.md promises one inclusion proof and a checkpoint signature can be checked with a
// shell, sha256sum and openssl: hold verify-inclusion-by-hand.sh to that on a generated example.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTlogProof, parseTlogProof, recordHash, toHex } from '../../src/index.ts';
import { exampleLog } from './example-log.ts';

const SCRIPT = new URL('../../../docs/protocol/verify-inclusion-by-hand.sh', import.meta.url).pathname;
const log = exampleLog();
const dir = mkdtempSync(join(tmpdir(), 'wt-log-by-hand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(envelope: string, proof: string, vkey = log.vkey): { code: number; out: string } {
  writeFileSync(join(dir, 'record.jsonl'), `${envelope}\n`);
  writeFileSync(join(dir, 'record.tlog-proof'), proof);
  try {
    return { code: 0, out: execFileSync('bash', [SCRIPT, join(dir, 'record.jsonl'), join(dir, 'record.tlog-proof'), vkey], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout };
  }
}

describe('verify-inclusion-by-hand.sh (docs/protocol/log.md)', () => {
  it('openssl verifies the checkpoint and the shell walk reaches its root, for records at several depths', () => {
    for (const i of [0, 1, log.records.length - 1]) {
      const { code, out } = run(log.envelopes[i]!, log.proofText(i));
      expect(out).toContain(`record hash: ${recordHash(log.records[i]!.bytes)}`);
      expect(out).toContain('Signature Verified Successfully');
      expect(out).toContain(`root ${toHex(log.tree.root())}`);
      expect(out).toContain(`inclusion: leaf ${log.indexes[i]} is in the tree of size ${log.tree.size} (the root matches)`);
      expect(code).toBe(0);
    }
  });

  it('the worked example in docs/protocol/log.md is this log: its verifier key and the proof of vector line 2', () => {
    const doc = readFileSync(new URL('../../../docs/protocol/log.md', import.meta.url), 'utf8');
    expect(doc).toContain(log.vkey);
    expect(doc).toContain('```\n' + log.proofText(1) + '```');
    expect(doc).toContain(toHex(log.tree.root()));
  });

  it('refuses another record, a changed proof hash, a tampered checkpoint and another key', () => {
    expect(run(log.envelopes[2]!, log.proofText(1))).toMatchObject({ code: 1, out: expect.stringContaining('ROOT_MISMATCH') });
    const proof = parseTlogProof(log.proofText(1));
    if (!proof.ok) throw new Error(proof.error.message);
    const changed = proof.value.proof.map((h) => Uint8Array.from(h));
    changed[1]![0]! ^= 1;
    expect(run(log.envelopes[1]!, formatTlogProof({ ...proof.value, proof: changed }))).toMatchObject({ code: 1, out: expect.stringContaining('ROOT_MISMATCH') });
    expect(run(log.envelopes[1]!, formatTlogProof({ ...proof.value, proof: proof.value.proof.slice(1) }))).toMatchObject({ code: 1, out: expect.stringContaining('INCLUSION_PROOF_INVALID') });
    const bigger = log.proofText(1).replace(`\n${log.tree.size}\n`, `\n${log.tree.size + 1}\n`);
    expect(run(log.envelopes[1]!, bigger)).toMatchObject({ code: 1, out: expect.stringContaining('Signature Verification Failure') });
    const otherKey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    expect(run(log.envelopes[1]!, log.proofText(1), otherKey)).toMatchObject({ code: 1, out: expect.stringContaining('NO_TRUSTED_SIGNATURE') });
  });
});
