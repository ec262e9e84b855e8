import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { invalidVectorNames, VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';

const BIN = new URL('../../bin/wastetrail.js', import.meta.url).pathname;
const KEYS = join(VECTORS_DIR, 'keyring.json');

async function wastetrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('wastetrail verify (the real binary)', () => {
  it('accepts chain-valid.jsonl: exit 0 and a one-line summary', async () => {
    const r = await wastetrail('verify', join(VECTORS_DIR, 'chain-valid.jsonl'), '--keys', KEYS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: 13 records from 1 device\(s\); chain heads: hz-h001-ref-01#13 [0-9a-f]{16}\n$/);
  });

  it('rejects every invalid vector with its named code: exit 1', async () => {
    const results = await Promise.all(invalidVectorNames().map((f) => wastetrail('verify', join(VECTORS_DIR, 'invalid', f), '--keys', KEYS)));
    invalidVectorNames().forEach((f, i) => {
      expect(results[i]!.code, f).toBe(1);
      expect(results[i]!.stdout.split('\n')[0], f).toMatch(new RegExp(`^invalid: ${f.replace('.jsonl', '')} `));
    });
  }, 60_000);

  it('names device and seq of the first failure', async () => {
    const r = await wastetrail('verify', join(VECTORS_DIR, 'invalid', 'BAD_SIGNATURE.jsonl'), '--keys', KEYS);
    expect(r.stdout).toContain('invalid: BAD_SIGNATURE device=hz-h001-ref-01 seq=2:');
  });

  it('exit 2 for a missing file, an unreadable keyring, or bad usage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-verify-'));
    writeFileSync(join(dir, 'keys.json'), '{"format":"nope"}');
    const missing = await wastetrail('verify', join(dir, 'absent.jsonl'), '--keys', KEYS);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    const badKeys = await wastetrail('verify', join(VECTORS_DIR, 'chain-valid.jsonl'), '--keys', join(dir, 'keys.json'));
    expect(badKeys.code).toBe(2);
    expect(badKeys.stderr).toContain('keyring');
    expect((await wastetrail('verify', join(VECTORS_DIR, 'chain-valid.jsonl'))).code).toBe(2);
    expect((await wastetrail('frobnicate')).code).toBe(2);
  });

  it('a file of garbage lines is invalid, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-verify-'));
    writeFileSync(join(dir, 'junk.jsonl'), '\u0000\u0001binary\n{"record":1}\n[]\n');
    const r = await wastetrail('verify', join(dir, 'junk.jsonl'), '--keys', KEYS, '--all');
    expect(r.code).toBe(1);
    expect(r.stdout.match(/MALFORMED_ENVELOPE/g)).toHaveLength(3);
  });
});
