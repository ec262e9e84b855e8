import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '@wastetrail/firmware-protocol';
import { invalidVectorNames, VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { buildApp } from '../../src/api/app.ts';
import { BAG_A, bearer, openTestWorld, seedBags, type TestWorld } from '../api/support.ts';
import { wastetrail } from './support.ts';

const KEYS = join(VECTORS_DIR, 'keyring.json');

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

  it('the line rule of docs/protocol/record.md: an empty export is EMPTY_EXPORT, a blank line or a BOM is refused, CRLF is fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-verify-'));
    const valid = readFileSync(join(VECTORS_DIR, 'chain-valid.jsonl'), 'utf8');
    const lines = valid.trimEnd().split('\n');
    const at = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const empty = await wastetrail('verify', at('empty.jsonl', ''), '--keys', KEYS);
    expect([empty.code, empty.stdout]).toEqual([1, `EMPTY_EXPORT: ${join(dir, 'empty.jsonl')} holds no records\n`]);
    const blank = await wastetrail('verify', at('blank.jsonl', `${lines.slice(0, 2).join('\n')}\n\n${lines.slice(2).join('\n')}\n`), '--keys', KEYS);
    expect([blank.code, blank.stdout.split('\n')[0]]).toEqual([1, 'invalid: MALFORMED_ENVELOPE line=3: a blank line: every line holds one envelope']);
    const bom = await wastetrail('verify', at('bom.jsonl', `\uFEFF${valid}`), '--keys', KEYS);
    expect(bom.stdout).toMatch(/^invalid: MALFORMED_ENVELOPE line=1: /);
    const crlf = await wastetrail('verify', at('crlf.jsonl', lines.join('\r\n')), '--keys', KEYS);
    expect([crlf.code, crlf.stdout]).toEqual([0, expect.stringMatching(/^valid: 13 records/)]);
    const bareCr = await wastetrail('verify', at('cr.jsonl', `${lines[0]}\r${lines.slice(1).join('\n')}\n`), '--keys', KEYS);
    expect(bareCr.stdout).toMatch(/^invalid: MALFORMED_ENVELOPE line=1: /);
  });

  it('a file of garbage lines is invalid, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-verify-'));
    writeFileSync(join(dir, 'junk.jsonl'), '\u0000\u0001binary\n{"record":1}\n[]\n');
    const r = await wastetrail('verify', join(dir, 'junk.jsonl'), '--keys', KEYS, '--all');
    expect(r.code).toBe(1);
    expect(r.stdout.match(/MALFORMED_ENVELOPE/g)).toHaveLength(3);
  });
});

describe('wastetrail verify on an audit bundle exported through the API (the real binary)', () => {
  let w: TestWorld;
  let dir: string;
  let bundle: { records: string[] } & Record<string, unknown>;
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return file;
  };

  beforeAll(async () => {
    w = await openTestWorld();
    await seedBags(w);
    const app = await buildApp(w.deps);
    const r = await app.inject({ url: `/api/v1/bags/${encodeURIComponent(BAG_A)}/bundle`, headers: bearer(w, 'admin-h1') });
    expect(r.statusCode).toBe(200);
    bundle = r.json();
    await app.close();
    dir = mkdtempSync(join(tmpdir(), 'wt-bundle-'));
    write('bundle.json', r.body);
    write('keyring.json', await w.store.exportKeyring());
  });
  afterAll(async () => {
    await w.cleanup();
  });

  it('verifies offline against the keyring: exit 0, the links it can check, the chain it cannot, the trail', async () => {
    const r = await wastetrail('verify', join(dir, 'bundle.json'), '--keys', join(dir, 'keyring.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`bundle: bag ${BAG_A}, generated 2026-03-05T00:00:00.000Z, 7 record(s) from 2 device(s)`);
    expect(lines[1]).toBe(`keys: the bundle's keys agree with ${join(dir, 'keyring.json')}`);
    // hz-h001-kiosk-01 seqs 1, 3, 4, 5, 6 (links 3-4, 4-5, 5-6; a break 1..3); hz-d001-line-01 seqs 1, 2 (one link).
    expect(lines[2]).toMatch(/^chain: 4 link\(s\) between consecutive seqs checked; .*\(1 break\(s\)\) is not shown by a bundle/);
    expect(lines[3]).toBe('trail: disposed; sealed 2026-03-02T01:00:00.000Z at hz-h001/ICU, infectious, 1250 g; sealed > collected > stored > picked-up > received > disposed; anomalies: none');
    expect(lines[4]).toBe(`valid: 7 record(s) verify (signature, key, station), bag ${BAG_A}`);
  });

  it('without --keys it still verifies, and warns loudly that the keys are only the bundle\'s own', async () => {
    const r = await wastetrail('verify', join(dir, 'bundle.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^WARNING: no --keys given/);
    expect(r.stderr).toContain('NOT that the keys belong to real devices');
    expect(r.stdout).toContain('keys: from the bundle itself (not checked against a trusted keyring)');
  });

  it('one byte of one record changed: exit 1, BAD_SIGNATURE naming the record', async () => {
    const env = decodeEnvelope(bundle.records[2]!);
    if (!env.ok) throw new Error(env.error.message);
    const bytes = Buffer.from(env.value.bytes);
    const at = bytes.indexOf('"value":') + '"value":'.length;
    bytes[at] = bytes[at] === 0x39 ? 0x38 : 0x39;
    const records = [...bundle.records];
    records[2] = encodeEnvelope({ bytes, signature: env.value.signature });
    const file = write('tampered.json', { ...bundle, records });
    for (const args of [[file, '--keys', join(dir, 'keyring.json')], [file]]) {
      const r = await wastetrail('verify', ...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^invalid: BAD_SIGNATURE device=\S+ seq=\d+ record=3: /m);
    }
  });

  it('keys that disagree with --keys: exit 1, KEY_MISMATCH', async () => {
    const r = await wastetrail('verify', join(dir, 'bundle.json'), '--keys', KEYS, '--all');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("keys: the bundle's keys DISAGREE with");
    expect(r.stdout).toMatch(/^invalid: KEY_MISMATCH device=hz-d001-line-01: /m);
    expect(r.stdout).toMatch(/^invalid: UNKNOWN_DEVICE /m);
  });

  it('an unknown bundle version or a broken bundle: exit 2', async () => {
    const v9 = await wastetrail('verify', write('v9.json', { ...bundle, format: 'wastetrail.bundle.v9' }));
    expect(v9.code).toBe(2);
    expect(v9.stderr).toContain('is not known to this verifier');
    const broken = await wastetrail('verify', write('broken.json', { ...bundle, records: 'none' }));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('"records" must be an array');
  });
});
