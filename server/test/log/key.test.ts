import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signPageToken, readPageToken } from '../../src/interop/page-token.ts';
import { loadLogKey } from '../../src/log/key.ts';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wt-logkey-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the log key', () => {
  it('derives one secret per purpose: the same in every process holding the key file, another for another purpose or key', () => {
    const dir = dataDir();
    const first = loadLogKey(dir, 'wastetrail.test/log');
    const again = loadLogKey(dir, 'wastetrail.test/log'); // a second process (or a restart) reading the same file
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    const purpose = 'epcis/page-token';
    expect(first.derivedSecret(purpose)).toHaveLength(32);
    expect(Buffer.from(again.derivedSecret(purpose)).equals(Buffer.from(first.derivedSecret(purpose)))).toBe(true);
    expect(Buffer.from(first.derivedSecret('other')).equals(Buffer.from(first.derivedSecret(purpose)))).toBe(false);
    const other = loadLogKey(dataDir(), 'wastetrail.test/log');
    expect(Buffer.from(other.derivedSecret(purpose)).equals(Buffer.from(first.derivedSecret(purpose)))).toBe(false);
  });

  it('so an EPCIS page token made by one process reads at another, and not at a server with another key', () => {
    const dir = dataDir();
    const a = loadLogKey(dir, 'wastetrail.test/log').derivedSecret('epcis/page-token');
    const b = loadLogKey(dir, 'wastetrail.test/log').derivedSecret('epcis/page-token');
    const token = signPageToken({ user: 7, query: 'EQ_bizStep=shipping', after: 42, expiresAt: 2_000 }, a);
    expect(readPageToken(token, b, 1_000)).toEqual({ ok: true, claims: { user: 7, query: 'EQ_bizStep=shipping', after: 42, expiresAt: 2_000 } });
    const stranger = loadLogKey(dataDir(), 'wastetrail.test/log').derivedSecret('epcis/page-token');
    expect(readPageToken(token, stranger, 1_000)).toMatchObject({ ok: false, code: 'PAGE_TOKEN_INVALID' });
  });
});
