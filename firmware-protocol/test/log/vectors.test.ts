// Every inclusion and consistency vector of transparency-dev/merkle (vectors/README.md) with its
// expected outcome: the happy paths verify, every broken proof is refused with a named code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromBase64, isLogErrorCode, verifyConsistency, verifyInclusion } from '../../src/index.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });
}

const b64 = (s: string) => {
  const bytes = fromBase64(s);
  if (!bytes) throw new Error(`not base64: ${s}`);
  return bytes;
};

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

const inclusion = files(join(DIR, 'inclusion'));
const consistency = files(join(DIR, 'consistency'));

describe('transparency-dev/merkle vectors', () => {
  it('are all here, both outcomes well represented (a verifier refusing everything fails the happy ones)', () => {
    const outcomes = (list: string[]) => {
      const wantErr = list.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { wantErr: boolean }).wantErr);
      return { happy: wantErr.filter((e) => !e).length, broken: wantErr.filter((e) => e).length };
    };
    expect(outcomes(inclusion)).toEqual({ happy: 6, broken: 92 });
    expect(outcomes(consistency)).toEqual({ happy: 6, broken: 92 });
  });

  it.each(inclusion.map((f) => [relative(DIR, f), f]))('inclusion %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
    const r = verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    if (v.wantErr) {
      expect(r.ok, v.desc).toBe(false);
      if (!r.ok) expect(isLogErrorCode(r.error.code)).toBe(true);
    } else {
      expect(r, v.desc).toEqual({ ok: true, value: undefined });
    }
  });

  it.each(consistency.map((f) => [relative(DIR, f), f]))('consistency %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
    const r = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    if (v.wantErr) {
      expect(r.ok, v.desc).toBe(false);
      if (!r.ok) expect(isLogErrorCode(r.error.code)).toBe(true);
    } else {
      expect(r, v.desc).toEqual({ ok: true, value: undefined });
    }
  });
});
