import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignatureLine, cosigner, cosignerKeyString, decodeEnvelope, ed25519KeyPairFromSeed, ed25519Signer, encodeEnvelope, signNote, type NoteSigner } from '@wastetrail/firmware-protocol';
import { invalidVectorNames, VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { buildApp } from '../../src/api/app.ts';
import { BAG_A, BAG_B, bearer, commit, openTestWorld, seedBags, V1, type TestWorld } from '../api/support.ts';
import { acceptCosignatures, loadLogKey, signCheckpoint, type LogKey } from '../../src/log/index.ts';
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

describe('wastetrail verify on a bundle whose checkpoint witnesses cosigned (the real binary)', () => {
  const ORIGIN = 'log.wastetrail.example/quorum-test';
  const witnessKey = (seed: number, name: string) => cosigner(name, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem));
  const w1 = witnessKey(21, 'witness.regulator.example/hz');
  const w2 = witnessKey(22, 'witness.hospitals.example/zj');
  const stranger = witnessKey(23, 'witness.stranger.example');
  const vkeys = [w1, w2].map((w) => cosignerKeyString(w));
  let w: TestWorld;
  let dir: string;
  let key: LogKey;
  type Bundle = { records: string[]; log: { key: string; witnesses: string[]; quorum: number; proofs: Array<string | null> } } & Record<string, unknown>;
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  };
  const exportBundle = async (bag: string, quorum: number) => {
    const app = await buildApp({ ...w.deps, log: { origin: ORIGIN, verifierKey: key.verifierKey, witnesses: [w1, w2], quorum } });
    try {
      const r = await app.inject({ url: `/api/v1/bags/${encodeURIComponent(bag)}/bundle`, headers: bearer(w, 'admin-h1') });
      expect(r.statusCode).toBe(200);
      return r.json() as Bundle;
    } finally {
      await app.close();
    }
  };
  /** The witnesses hand their cosignatures of the newest checkpoint to the server, as `wastetrail witness` does. */
  const cosign = async (...witnesses: NoteSigner[]) => {
    const { checkpoint } = await signCheckpoint(w.store, key, () => w.clock.now);
    const text = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
    const note = checkpoint.note + witnesses.map((x) => cosignatureLine(text, x, 1_772_000_000)).join('');
    expect(await acceptCosignatures(w.store, [w1, w2], note, () => w.clock.now)).toMatchObject({ ok: true });
    return checkpoint.size;
  };
  const verify = (file: string, ...more: string[]) => wastetrail('verify', file, '--keys', join(dir, 'keyring.json'), '--log-key', key.verifierKey, ...more);
  const both = ['--witness-key', vkeys[0]!, '--witness-key', vkeys[1]!];
  /** Every proof's checkpoint with its cosignature lines changed by `edit`. */
  const withLines = (b: Bundle, edit: (lines: string[], text: string) => string[]): Bundle => ({
    ...b,
    log: {
      ...b.log,
      proofs: b.log.proofs.map((p) => {
        if (p === null) return p;
        const at = p.indexOf('\n\n') + 2;
        const note = p.slice(at);
        const text = note.slice(0, note.indexOf('\n\n') + 1);
        const [logLine, ...cosignatures] = note.slice(text.length + 1, -1).split('\n');
        return `${p.slice(0, at)}${text}\n${[logLine!, ...edit(cosignatures, text)].map((l) => `${l}\n`).join('')}`;
      }),
    },
  });
  let bundle: Bundle;
  let size: number;

  beforeAll(async () => {
    w = await openTestWorld();
    dir = mkdtempSync(join(tmpdir(), 'wt-bundle-quorum-'));
    key = loadLogKey(dir, ORIGIN);
    await seedBags(w);
    size = await cosign(w1, w2);
    bundle = await exportBundle(BAG_A, 2);
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(await w.store.exportKeyring()));
  });
  afterAll(async () => {
    await w.cleanup();
  });

  it('the bundle carries the checkpoint with both cosignatures; the quorum of 2 is met: exit 0', async () => {
    expect(bundle.log).toMatchObject({ witnesses: vkeys, quorum: 2 });
    expect(bundle.log.proofs.every((p) => p !== null && p.split('\n').filter((l) => l.startsWith('\u2014 witness.')).length === 2)).toBe(true);
    const r = await verify(write('cosigned.json', bundle), ...both, '--quorum', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`witnesses: quorum 2 (keys from --witness-key); cosigned: size ${size} by ${w2.name}, ${w1.name}\n`);
    // The quorum defaults to every witness given; one witness of two is enough when asked for one.
    expect((await verify(join(dir, 'cosigned.json'), ...both)).code).toBe(0);
    expect((await verify(join(dir, 'cosigned.json'), '--witness-key', vkeys[1]!, '--witness-key', vkeys[0]!, '--quorum', '1')).code).toBe(0);
  });

  it('a cosignature missing under the quorum: QUORUM_NOT_MET, exit 1', async () => {
    const file = write('one-missing.json', withLines(bundle, (lines) => lines.slice(0, 1)));
    const r = await verify(file, ...both, '--quorum', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: QUORUM_NOT_MET record=1: the checkpoint of size \d+ its log proof leads to: the checkpoint is cosigned by 1 of the trusted witnesses/m);
    expect(r.stdout).not.toMatch(/^valid/m);
    // Still enough for a verifier who asks for one of the two.
    expect((await verify(file, ...both, '--quorum', '1')).code).toBe(0);
  });

  it('a cosignature by a key the verifier does not trust: UNKNOWN_WITNESS, exit 1, even with the quorum met', async () => {
    const file = write('stranger.json', withLines(bundle, (lines, text) => [...lines, cosignatureLine(text, stranger, 1_772_000_000).trimEnd()]));
    const r = await verify(file, ...both, '--quorum', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: UNKNOWN_WITNESS record=1: .*witness\.stranger\.example/m);
  });

  it('a cosignature that does not verify: BAD_COSIGNATURE, exit 1', async () => {
    // w2's line moved to another time (a byte of its timestamp changed): its signature no longer covers it.
    const retimed = (line: string) => {
      const at = line.lastIndexOf(' ') + 1;
      const bytes = Buffer.from(line.slice(at), 'base64');
      bytes[11]! ^= 1;
      return line.slice(0, at) + bytes.toString('base64');
    };
    const moved = withLines(bundle, (lines) => [lines[0]!, retimed(lines[1]!)]);
    const r = await verify(write('bad-cosignature.json', moved), ...both, '--quorum', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: BAD_COSIGNATURE record=1: /m);
  });

  it('the server picks the newest checkpoint cosigned by its quorum: with only one witness on the newest, the bundle keeps the older one', async () => {
    const h1 = w.devices.h1;
    await commit(w.store, [h1.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_A, weight: { value: 1200, unit: 'g' } }], weight: { value: 1200, unit: 'g' }, giver: 'badge-0303', crew: 'crew-5501', vehicle: V1, manifest: 'HZ2026030300098' } }, '2026-03-04T02:00:00.000Z')]);
    const newer = await cosign(w1);
    expect(newer).toBeGreaterThan(size);
    const quorum2 = await exportBundle(BAG_A, 2);
    // The tree size: the second line of the checkpoint after the proof's empty line.
    const sizes = (b: Bundle) => new Set(b.log.proofs.map((p) => (p === null ? null : Number(p.slice(p.indexOf('\n\n') + 2).split('\n')[1]))));
    expect(sizes(quorum2)).toEqual(new Set([size, null]));
    const r = await verify(write('older.json', quorum2), ...both);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 record(s) not yet in a checkpoint when the bundle was made');
    // With a quorum of 1 the newest checkpoint is the proving one; a verifier asking for both witnesses refuses it.
    const quorum1 = await exportBundle(BAG_A, 1);
    expect(sizes(quorum1)).toEqual(new Set([newer]));
    expect((await verify(write('newest.json', quorum1), ...both, '--quorum', '1')).code).toBe(0);
    const refused = await verify(join(dir, 'newest.json'), ...both, '--quorum', '2');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^invalid: QUORUM_NOT_MET /m);
    // Without --witness-key, the bundle's own witnesses and quorum are checked, with a warning.
    const own = await verify(join(dir, 'newest.json'));
    expect(own.code).toBe(0);
    expect(own.stderr).toContain('no --witness-key given');
    expect(own.stdout).toContain('keys from the bundle itself');
  });

  it('exit 2 for a quorum without witnesses, a quorum above them, or a key that is not a witness key', async () => {
    const file = join(dir, 'cosigned.json');
    expect(await verify(file, '--quorum', '1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--quorum counts the witnesses given with --witness-key') });
    expect(await verify(file, ...both, '--quorum', '3')).toMatchObject({ code: 2, stderr: expect.stringContaining('--quorum must be a whole number from 1 to the 2 witness key(s) given') });
    expect(await verify(file, ...both, '--quorum', '0')).toMatchObject({ code: 2 });
    expect(await verify(file, '--witness-key', key.verifierKey)).toMatchObject({ code: 2, stderr: expect.stringContaining('MALFORMED_VERIFIER_KEY') });
    expect(await wastetrail('verify', join(VECTORS_DIR, 'chain-valid.jsonl'), '--keys', KEYS, '--witness-key', vkeys[0]!)).toMatchObject({ code: 2, stderr: expect.stringContaining('--witness-key applies to audit bundles') });
  });
});
