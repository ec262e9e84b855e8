// docs/protocol/record.md promises a record can be verified with only sha256sum and openssl: hold it to that.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordHash, toBase64 } from '../../src/index.ts';
import { vectorKeyring, vectorRecords, VECTORS_DIR } from '../support.ts';

const SCRIPT = new URL('../../../docs/protocol/verify-by-hand.sh', import.meta.url).pathname;

/** The first line whose record fails its chain link in a vector file (the line the vector is about). */
function firstLineWith(file: string): number {
  const records = readFileSync(file, 'utf8').trim().split('\n');
  for (let i = 1; i < records.length; i++) {
    try {
      execFileSync('bash', [SCRIPT, file, String(i + 1), key()], { encoding: 'utf8' });
    } catch {
      return i + 1;
    }
  }
  throw new Error(`no failing line in ${file}`);
}
const key = () => toBase64(vectorKeyring().devices.get('hz-h001-ref-01')!.keys[0]!.publicKeySpki);

describe('verify-by-hand.sh (docs/protocol/record.md)', () => {
  const records = vectorRecords('chain-valid.jsonl');
  const key = toBase64(vectorKeyring().devices.get('hz-h001-ref-01')!.keys[0]!.publicKeySpki);
  const run = (file: string, line: number) => execFileSync('bash', [SCRIPT, file, String(line), key], { encoding: 'utf8' });

  it('openssl verifies every record of the valid chain, and sha256sum gives the hash the next record links to', () => {
    for (const [i, r] of records.entries()) {
      const out = run(join(VECTORS_DIR, 'chain-valid.jsonl'), i + 1);
      expect(out).toContain('Signature Verified Successfully');
      expect(out).toContain(`record hash: ${recordHash(r.bytes)}`);
      if (i > 0) expect(out).toContain(`chain: prev is the hash of line ${i}`);
    }
  });

  const failing = (file: string, line: number) => {
    try {
      run(file, line);
    } catch (e) {
      return String((e as { stdout: string }).stdout);
    }
    throw new Error(`${file}:${line} passed`);
  };

  it('refuses what wastetrail verify refuses: another envelope form, a broken chain link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-by-hand-'));
    try {
      const lines = readFileSync(join(VECTORS_DIR, 'chain-valid.jsonl'), 'utf8').split('\n');
      writeFileSync(join(dir, 'spaced.jsonl'), lines[0]!.replace('"record":"', '"record": "'));
      expect(failing(join(dir, 'spaced.jsonl'), 1)).toContain('MALFORMED_ENVELOPE');
      expect(failing(join(VECTORS_DIR, 'invalid', 'PREV_HASH_MISMATCH.jsonl'), firstLineWith(join(VECTORS_DIR, 'invalid', 'PREV_HASH_MISMATCH.jsonl')))).toContain('PREV_HASH_MISMATCH');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('openssl rejects the record edited after signing', () => {
    let output = '';
    try {
      run(join(VECTORS_DIR, 'invalid', 'BAD_SIGNATURE.jsonl'), 2);
    } catch (e) {
      output = String((e as { stdout: string }).stdout);
    }
    expect(output).toContain('Signature Verification Failure');
  });
});
