/**
 * verifyBundle on bundles made from the golden vectors (firmware-protocol/test/vectors): one reference
 * device signed two bags through every step, so a bundle of bag A's records skips the heartbeats and
 * shows chain breaks, as a real bundle does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeRecordBytes,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  keyringToJson,
  parseKeyring,
  signRecord,
  toBase64,
  type Keyring,
} from '@wastetrail/firmware-protocol';
import { BUNDLE_FORMAT, BundleFormatError, parseBundle, verifyBundle, type AuditBundle } from '../../src/exports/index.ts';
import { vectorKeyring, vectorLines, VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';
import { VECTOR_DEVICE, VECTOR_SEEDS } from '../../../firmware-protocol/test/vectors/build.ts';

const BAG_A = 'epc:3074257bf7194e4000001a85';
const KEYRING_JSON = JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')) as { devices: Record<string, unknown> };

function typeOf(line: string): string {
  const env = decodeEnvelope(line);
  if (!env.ok) throw new Error(env.error.message);
  const r = decodeRecordBytes(env.value.bytes);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.type;
}

/** Bag A's records: every vector but the heartbeats (seq 1, 8, 13) and the room's climate (seq 14). */
function bundleOfA(over: Partial<AuditBundle> = {}): AuditBundle {
  return {
    format: BUNDLE_FORMAT,
    bag: BAG_A,
    generatedAt: '2026-03-05T00:00:00.000Z',
    keyring: { format: 'wastetrail.keyring.v1', devices: { [VECTOR_DEVICE]: KEYRING_JSON.devices[VECTOR_DEVICE] } },
    records: vectorLines('chain-valid.jsonl').filter((l) => typeOf(l) !== 'heartbeat' && typeOf(l) !== 'climate'),
    ...over,
  };
}

/** A record line with one byte of its signed bytes changed (a digit of a weight), re-encoded as an envelope. */
function tamper(line: string): string {
  const env = decodeEnvelope(line);
  if (!env.ok) throw new Error('bad line');
  const text = Buffer.from(env.value.bytes).toString('utf8');
  const i = text.indexOf('"value":') + '"value":'.length;
  const changed = text.slice(0, i) + (text[i] === '9' ? '8' : '9') + text.slice(i + 1);
  return encodeEnvelope({ bytes: Buffer.from(changed, 'utf8'), signature: env.value.signature });
}

describe('verifyBundle', () => {
  it('a bundle of the golden records verifies, checks the links it can, counts the chain breaks, rebuilds the trail', () => {
    const report = verifyBundle(bundleOfA(), vectorKeyring());
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ bag: BAG_A, records: 10, verified: 10, devices: [VECTOR_DEVICE], keysFrom: 'trusted', linksChecked: 8, chainBreaks: 1 });
    expect(report.trail.state).toBe('disposed');
    expect(report.trail.steps.map((s) => s.step)).toEqual(['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed']);
  });

  it('record order in the file does not matter', () => {
    const b = bundleOfA();
    expect(verifyBundle({ ...b, records: [...b.records].reverse() }, vectorKeyring()).failures).toEqual([]);
  });

  it('one byte changed in one record: BAD_SIGNATURE, naming the record', () => {
    const b = bundleOfA();
    b.records[3] = tamper(b.records[3]!);
    const report = verifyBundle(b, vectorKeyring());
    expect(report.failures).toEqual([expect.objectContaining({ code: 'BAD_SIGNATURE', device: VECTOR_DEVICE, index: 3 })]);
    expect(report.verified).toBe(9);
  });

  it('without a trusted keyring, the keys are the bundle\'s own: a forger\'s bundle passes, so the verifier must say so', () => {
    // A forger signs records with a key of their own and ships that key in the bundle.
    const forger = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS.stolen).privateKeyPem);
    const forged = signRecord(
      {
        device: VECTOR_DEVICE,
        seq: 2,
        prev: '0'.repeat(64),
        time: '2026-03-02T08:10:00.000Z',
        event: { type: 'sealed', body: { tags: [BAG_A], category: 'infectious', weight: { value: 250, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } },
      },
      forger,
    );
    const keys: Keyring = { devices: new Map([[VECTOR_DEVICE, { device: VECTOR_DEVICE, institution: 'hz-h001', stations: ['department'], keys: [{ publicKeySpki: forger.publicKeySpki, kid: forged.record.kid }] }]]) };
    const bundle = bundleOfA({ keyring: keyringToJson(keys) as AuditBundle['keyring'], records: [encodeEnvelope(forged)] });
    const alone = verifyBundle(bundle);
    expect(alone.keysFrom).toBe('bundle');
    expect(alone.failures).toEqual([]);
    const checked = verifyBundle(bundle, vectorKeyring());
    expect(checked.failures.map((f) => f.code)).toEqual(['KEY_MISMATCH', 'KEY_MISMATCH', 'WRONG_KEY', 'BAG_NOT_IN_RECORDS']);
    expect(checked.failures[0]!.message).toContain('serves');
    expect(checked.failures[1]!.message).toContain(`key ${forged.record.kid}`);
    expect(toBase64(forger.publicKeySpki)).not.toBe((KEYRING_JSON.devices[VECTOR_DEVICE] as { keys: { publicKey: string }[] }).keys[0]!.publicKey);
  });

  it('a revocation the bundle hides, a device the trusted keyring lacks: KEY_MISMATCH', () => {
    const trusted = parseKeyring({
      format: 'wastetrail.keyring.v1',
      devices: { [VECTOR_DEVICE]: { ...(KEYRING_JSON.devices[VECTOR_DEVICE] as object), keys: [{ ...(KEYRING_JSON.devices[VECTOR_DEVICE] as { keys: object[] }).keys[0], revokedAt: '2026-03-02T08:35:00.000Z' }] } },
    });
    if (!trusted.ok) throw new Error(trusted.error.message);
    const report = verifyBundle(bundleOfA(), trusted.value);
    expect(report.failures[0]).toMatchObject({ code: 'KEY_MISMATCH', message: expect.stringContaining('revoked at 2026-03-02T08:35:00.000Z') });
    // Records dated from the revocation on are refused by the trusted key.
    expect(report.failures.slice(1).every((f) => f.code === 'KEY_REVOKED')).toBe(true);

    const extra = bundleOfA({ keyring: { format: 'wastetrail.keyring.v1', devices: { ...KEYRING_JSON.devices } } });
    const lacking = parseKeyring({ format: 'wastetrail.keyring.v1', devices: { [VECTOR_DEVICE]: KEYRING_JSON.devices[VECTOR_DEVICE] } });
    if (!lacking.ok) throw new Error(lacking.error.message);
    expect(verifyBundle(extra, lacking.value).failures.map((f) => [f.code, f.device])).toEqual([
      ['KEY_MISMATCH', 'hz-d001-furnace-01'],
      ['KEY_MISMATCH', 'hz-h002-dept-01'],
      ['KEY_MISMATCH', 'hz-t001-veh-01'],
    ]);
  });

  it('duplicates, forks and broken links between consecutive seqs', () => {
    const b = bundleOfA();
    expect(verifyBundle({ ...b, records: [...b.records, b.records[0]!] }, vectorKeyring()).failures.map((f) => f.code)).toEqual(['DUPLICATE_RECORD']);
    // Seq 15, signed by the real key, but not linked to seq 14: with seq 14 in the bundle, the link is checked.
    const ref = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[VECTOR_DEVICE]).privateKeyPem);
    const all = vectorLines('chain-valid.jsonl');
    const unlinked = signRecord({ device: VECTOR_DEVICE, seq: 15, prev: 'ab'.repeat(32), time: '2026-03-02T10:20:00.000Z', event: { type: 'heartbeat', body: { uptime: 1, backlog: 0 } } }, ref);
    const report = verifyBundle({ ...b, records: [...all, encodeEnvelope(unlinked)] }, vectorKeyring());
    expect(report.failures).toEqual([expect.objectContaining({ code: 'PREV_HASH_MISMATCH', seq: 15 })]);
    expect(report.linksChecked).toBe(14);
    expect(report.chainBreaks).toBe(0);
  });

  it('a bundle whose records do not name its bag is not evidence about it', () => {
    const report = verifyBundle(bundleOfA({ bag: 'epc:00000000000000000000ffff' }), vectorKeyring());
    expect(report.failures.map((f) => f.code)).toEqual(['BAG_NOT_IN_RECORDS']);
  });

  it.each([
    [{ format: 'wastetrail.bundle.v9' }, 'not known'],
    [{ bag: 'not a tag' }, '"bag"'],
    [{ records: [1, 2] }, '"records"'],
    [{ keyring: { format: 'nope' } }, 'keyring is invalid'],
  ])('refuses a malformed bundle %j', (over, message) => {
    expect(() => parseBundle({ ...bundleOfA(), ...over })).toThrow(BundleFormatError);
    expect(() => parseBundle({ ...bundleOfA(), ...over })).toThrow(message);
  });
});
