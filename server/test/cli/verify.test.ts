import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, signNote } from '@wastetrail/firmware-protocol';
import { invalidVectorNames, VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { buildApp } from '../../src/api/app.ts';
import { BAG_A, BAG_B, bearer, commit, openTestWorld, seedBags, V1, type TestWorld } from '../api/support.ts';
import { loadLogKey, signCheckpoint, type LogKey } from '../../src/log/index.ts';
import { wastetrail } from './support.ts';

const KEYS = join(VECTORS_DIR, 'keyring.json');

/** The envelope with one digit of the record's first weight changed, its signature kept. */
function withWeightDigitChanged(envelope: string): string {
  const env = decodeEnvelope(envelope);
  if (!env.ok) throw new Error(env.error.message);
  const bytes = Buffer.from(env.value.bytes);
  const at = bytes.indexOf('"value":') + '"value":'.length;
  bytes[at] = bytes[at] === 0x39 ? 0x38 : 0x39;
  return encodeEnvelope({ bytes, signature: env.value.signature });
}

describe('wastetrail verify (the real binary)', () => {
  it('accepts chain-valid.jsonl: exit 0 and a one-line summary', async () => {
    const r = await wastetrail('verify', join(VECTORS_DIR, 'chain-valid.jsonl'), '--keys', KEYS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: 14 records from 1 device\(s\); chain heads: hz-h001-ref-01#14 [0-9a-f]{16}\n$/);
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
    expect([crlf.code, crlf.stdout]).toEqual([0, expect.stringMatching(/^valid: 14 records/)]);
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
    expect(lines[4]).toBe('log: the bundle carries no log proofs');
    expect(lines[5]).toBe(`valid: 7 record(s) verify (signature, key, station), bag ${BAG_A}`);
  });

  it('without --keys it still verifies, and warns loudly that the keys are only the bundle\'s own', async () => {
    const r = await wastetrail('verify', join(dir, 'bundle.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^WARNING: no --keys given/);
    expect(r.stderr).toContain('NOT that the keys belong to real devices');
    expect(r.stdout).toContain('keys: from the bundle itself (not checked against a trusted keyring)');
  });

  it('one byte of one record changed: exit 1, BAD_SIGNATURE naming the record', async () => {
    const records = [...bundle.records];
    records[2] = withWeightDigitChanged(records[2]!);
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

describe('wastetrail verify on a bundle with log proofs (the real binary)', () => {
  const ORIGIN = 'log.wastetrail.example/verify-test';
  let w: TestWorld;
  let dir: string;
  let key: LogKey;
  let bundle: { records: string[]; log: { key: string; proofs: Array<string | null> } } & Record<string, unknown>;
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  };
  const exportBundle = async (bag: string) => {
    const app = await buildApp({ ...w.deps, log: { origin: ORIGIN, verifierKey: key.verifierKey } });
    try {
      const r = await app.inject({ url: `/api/v1/bags/${encodeURIComponent(bag)}/bundle`, headers: bearer(w, 'admin-h1') });
      expect(r.statusCode).toBe(200);
      return r.json() as typeof bundle;
    } finally {
      await app.close();
    }
  };
  const verify = (file: string, ...more: string[]) => wastetrail('verify', file, '--keys', join(dir, 'keyring.json'), ...more);

  beforeAll(async () => {
    w = await openTestWorld();
    dir = mkdtempSync(join(tmpdir(), 'wt-bundle-log-'));
    key = loadLogKey(dir, ORIGIN);
    await seedBags(w);
    await signCheckpoint(w.store, key, () => w.clock.now);
    bundle = await exportBundle(BAG_A);
    write('bundle.json', bundle);
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(await w.store.exportKeyring()));
  });
  afterAll(async () => {
    await w.cleanup();
  });

  it('proves every record in the log against a checkpoint signed by --log-key: exit 0', async () => {
    expect(bundle.log.key).toBe(key.verifierKey);
    expect(bundle.log.proofs.every((p) => p?.startsWith('c2sp.org/tlog-proof@v1\n'))).toBe(true);
    const r = await verify(join(dir, 'bundle.json'), '--log-key', key.verifierKey);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`log: 7 record(s) proven in log ${ORIGIN} (checkpoint size 12; key from --log-key)\n`);
    // Without --log-key the proofs are checked against the key the bundle names, and a warning says so.
    const own = await verify(join(dir, 'bundle.json'));
    expect(own.code).toBe(0);
    expect(own.stderr).toContain('no --log-key given');
    expect(own.stdout).toContain('key from the bundle itself');
  });

  it('a changed proof hash, a proof for another index, a checkpoint of another key: exit 1 with the log code', async () => {
    const proofs = [...bundle.log.proofs] as string[];
    const lines = proofs[1]!.split('\n');
    lines[2] = lines[2]!.startsWith('A') ? `B${lines[2]!.slice(1)}` : `A${lines[2]!.slice(1)}`;
    const changedHash = write('changed-hash.json', { ...bundle, log: { ...bundle.log, proofs: proofs.map((p, i) => (i === 1 ? lines.join('\n') : p)) } });
    const r1 = await verify(changedHash, '--log-key', key.verifierKey);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toMatch(/^invalid: ROOT_MISMATCH record=2: its log proof: /m);

    const swapped = write('swapped.json', { ...bundle, log: { ...bundle.log, proofs: [proofs[1], proofs[0], ...proofs.slice(2)] } });
    const r2 = await verify(swapped, '--log-key', key.verifierKey, '--all');
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/^invalid: (ROOT_MISMATCH|INCLUSION_PROOF_INVALID) record=1: /m);
    expect(r2.stdout).toMatch(/^invalid: (ROOT_MISMATCH|INCLUSION_PROOF_INVALID) record=2: /m);

    // A forger re-signs the checkpoints with a key of their own and names it in the bundle.
    const forger = loadLogKey(mkdtempSync(join(tmpdir(), 'wt-forger-')), ORIGIN);
    const forged = proofs.map((p) => {
      const [proof, note] = [p.slice(0, p.indexOf('\n\n') + 2), p.slice(p.indexOf('\n\n') + 2)];
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      return `${proof}${signNote(text, forger.signer)}`;
    });
    const forgedFile = write('forged.json', { ...bundle, log: { key: forger.verifierKey, proofs: forged } });
    const r3 = await verify(forgedFile, '--log-key', key.verifierKey);
    expect(r3.code).toBe(1);
    expect(r3.stdout).toMatch(/^invalid: NO_TRUSTED_SIGNATURE record=1: /m);
    // Checked only against the bundle's own key, the forgery passes: hence the warning.
    const r4 = await verify(forgedFile);
    expect(r4.code).toBe(0);
    expect(r4.stderr).toContain('proves nothing about the real log');
  });

  it('one changed record byte fails its signature and its log proof', async () => {
    const file = write('tampered.json', { ...bundle, records: [withWeightDigitChanged(bundle.records[0]!), ...bundle.records.slice(1)] });
    const r = await verify(file, '--log-key', key.verifierKey, '--all');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: BAD_SIGNATURE device=\S+ seq=\d+ record=1: /m);
    expect(r.stdout).toMatch(/^invalid: ROOT_MISMATCH record=1: its log proof: /m);
  });

  it('a record committed after the newest checkpoint is marked, not failed; a bundle without proofs fails under --log-key', async () => {
    const h1 = w.devices.h1;
    await commit(w.store, [h1.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_B, weight: { value: 829, unit: 'g' } }], weight: { value: 829, unit: 'g' }, giver: 'badge-0303', crew: 'crew-5501', vehicle: V1, manifest: 'HZ2026030300099' } }, '2026-03-04T01:00:00.000Z')]);
    const pending = await exportBundle(BAG_B);
    expect(pending.log.proofs.filter((p) => p === null)).toHaveLength(1);
    const r = await verify(write('pending.json', pending), '--log-key', key.verifierKey);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('log: 2 record(s) proven in log');
    expect(r.stdout).toContain('1 record(s) not yet in a checkpoint when the bundle was made');

    const { log: _, ...old } = bundle;
    const none = await verify(write('no-log.json', old), '--log-key', key.verifierKey);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('log: the bundle carries no log proofs');
    expect(none.stdout).toMatch(/^invalid: LOG_PROOFS_MISSING: /m);
    const bad = await verify(join(dir, 'bundle.json'), '--log-key', 'not-a-key');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('MALFORMED_VERIFIER_KEY');
  });
});
