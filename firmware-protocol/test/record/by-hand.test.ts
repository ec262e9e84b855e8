// docs/protocol/record.md promises a record can be verified with only sha256sum and openssl: hold it to that.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordHash, toBase64 } from '../../src/index.ts';
import { vectorKeyring, vectorRecords, VECTORS_DIR } from '../support.ts';

const SCRIPT = new URL('../../../docs/protocol/verify-by-hand.sh', import.meta.url).pathname;

describe('verify-by-hand.sh (docs/protocol/record.md)', () => {
  const records = vectorRecords('chain-valid.jsonl');
  const key = toBase64(vectorKeyring().devices.get('hz-h001-ref-01')!.keys[0]!.publicKeySpki);
  const run = (file: string, line: number) => execFileSync('bash', [SCRIPT, file, String(line), key], { encoding: 'utf8' });

  it('openssl verifies every record of the valid chain, and sha256sum gives the hash the next record links to', () => {
    for (const [i, r] of records.entries()) {
      const out = run(join(VECTORS_DIR, 'chain-valid.jsonl'), i + 1);
      expect(out).toContain('Signature Verified Successfully');
      expect(out).toContain(`record hash: ${recordHash(r.bytes)}`);
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
