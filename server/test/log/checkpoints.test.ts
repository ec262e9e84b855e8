/**
 * The log key and checkpoints: the key is made once (0600) and reused; a checkpoint is signed only when
 * the log has grown, verifies with the verifier key, and signs the stored tree's root; the checkpoint
 * bundles use is the newest a quorum of the configured witnesses cosigned.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCosignatureQuorum, cosignatureLine, cosigner, ed25519KeyPairFromSeed, ed25519Signer, nodeEd25519Verify, parseVerifierKey, toHex, verifyCheckpoint, type NoteSigner } from '@wastetrail/firmware-protocol';
import { createMetricsRegistry, silentLogger } from '@wastetrail/runtime';
import { acceptCosignatures, loadLogKey, logKeyFile, provingCheckpoint, signCheckpoint, startCheckpoints } from '../../src/log/index.ts';
import { openTestLog, ORIGIN, type TestLog } from './support.ts';

let log: TestLog;
beforeEach(() => {
  log = openTestLog();
});
afterEach(async () => {
  await log.cleanup();
});

const trust = (vkey: string) => {
  const key = parseVerifierKey(vkey);
  if (!key.ok) throw new Error(key.error.message);
  return { origin: ORIGIN, keys: [key.value], ed25519Verify: nodeEd25519Verify };
};

describe('the log key', () => {
  it('is made once, readable by its owner only, and the same key on every later start', () => {
    const file = logKeyFile(log.dataDir);
    expect(log.key.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = loadLogKey(log.dataDir, ORIGIN);
    expect(again.created).toBe(false);
    expect(again.verifierKey).toBe(log.key.verifierKey);
    expect(log.key.verifierKey).toMatch(new RegExp(`^${ORIGIN}\\+[0-9a-f]{8}\\+`));
  });
});

describe('checkpoints', () => {
  it('signs the stored root when the log has grown, and nothing new when it has not', async () => {
    const empty = await signCheckpoint(log.store, log.key, () => 0);
    expect(empty).toMatchObject({ signed: true, checkpoint: { size: 0 } });
    await log.append(300);
    const first = await signCheckpoint(log.store, log.key, () => Date.parse('2026-03-02T08:00:00.000Z'));
    expect(first.signed).toBe(true);
    expect(first.checkpoint).toMatchObject({ size: 300, signedAt: '2026-03-02T08:00:00.000Z' });
    const verified = verifyCheckpoint(first.checkpoint.note, trust(log.key.verifierKey));
    expect(verified.ok && verified.value.size).toBe(300);
    expect(verified.ok && toHex(verified.value.root)).toBe(toHex(log.tree.root()));

    expect(await signCheckpoint(log.store, log.key, () => 0)).toEqual({ signed: false, checkpoint: first.checkpoint });
    expect(await log.store.latestCheckpoint()).toEqual(first.checkpoint);
    // Another log's key does not verify it.
    const other = openTestLog();
    try {
      expect(verifyCheckpoint(first.checkpoint.note, trust(other.key.verifierKey))).toMatchObject({ ok: false, error: { code: 'NO_TRUSTED_SIGNATURE' } });
    } finally {
      await other.cleanup();
    }
  });

  it('refuses to sign with another key or origin than the one that signed the stored checkpoints', async () => {
    await log.append(3);
    await signCheckpoint(log.store, log.key, Date.now);
    const other = openTestLog();
    try {
      const options = { store: log.store, intervalMs: 100, logger: silentLogger, metrics: createMetricsRegistry() };
      await expect(startCheckpoints({ ...options, key: other.key })).rejects.toThrow(/newest checkpoint \(tree size 3\) was not signed by this server's log key .*NO_TRUSTED_SIGNATURE.*copy log\/log-key\.pem/);
      await expect(startCheckpoints({ ...options, key: loadLogKey(log.dataDir, 'log.wastetrail.example/renamed') })).rejects.toThrow(/NO_TRUSTED_SIGNATURE|WRONG_ORIGIN/);
      expect((await log.store.latestCheckpoint())?.size).toBe(3);
    } finally {
      await other.cleanup();
    }
  });

  it('signs at start and then every interval while records arrive', async () => {
    const metrics = createMetricsRegistry();
    const checkpoints = await startCheckpoints({ store: log.store, key: log.key, intervalMs: 100, logger: silentLogger, metrics });
    try {
      expect((await log.store.latestCheckpoint())?.size).toBe(0);
      await log.append(5);
      await expect.poll(async () => (await log.store.latestCheckpoint())?.size, { timeout: 3000 }).toBe(5);
      expect(await metrics.getSingleMetricAsString('wastetrail_log_checkpoint_size')).toMatch(/wastetrail_log_checkpoint_size 5/);
    } finally {
      await checkpoints.close();
    }
  });

  it('signs on the interval only while this process leads (several processes: the elected leader signs)', async () => {
    let leads = false;
    const checkpoints = await startCheckpoints({ store: log.store, key: log.key, intervalMs: 50, logger: silentLogger, metrics: createMetricsRegistry(), isLeader: () => leads });
    try {
      await log.append(4);
      await new Promise((r) => setTimeout(r, 300));
      expect(await log.store.latestCheckpoint()).toBeUndefined();
      leads = true;
      await expect.poll(async () => (await log.store.latestCheckpoint())?.size, { timeout: 3000 }).toBe(4);
    } finally {
      await checkpoints.close();
    }
  });
});

describe('the proving checkpoint (what audit bundles prove records in)', () => {
  const witnessOf = (seed: number, name: string) => cosigner(name, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem));
  const [w1, w2, retired] = [witnessOf(51, 'witness.a.example'), witnessOf(52, 'witness.b.example'), witnessOf(53, 'witness.retired.example')];
  /** Signs a checkpoint of `grow` more leaves and has `by` cosign it (the server took all three witnesses then). */
  const cosigned = async (grow: number, ...by: NoteSigner[]) => {
    await log.append(grow);
    const { checkpoint } = await signCheckpoint(log.store, log.key, Date.now);
    const text = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
    if (by.length > 0) await acceptCosignatures(log.store, [w1, w2, retired], checkpoint.note + by.map((w) => cosignatureLine(text, w, 1_772_000_000)).join(''), Date.now);
    return checkpoint;
  };

  it('is the newest checkpoint a quorum of the configured witnesses cosigned, with their lines and no one else\'s', async () => {
    const three = await cosigned(3, w1, w2, retired);
    await cosigned(2, w1, retired);
    const newest = await cosigned(1);
    const policy = { witnesses: [w1, w2], quorum: 2 };
    const proving = await provingCheckpoint(log.store, policy);
    expect(proving).toMatchObject({ checkpoint: { size: 3 }, cosignedBy: ['witness.a.example', 'witness.b.example'], quorum: 2, quorumMet: true });
    // The retired witness's line is kept in the store but not carried: today's list verifies the note.
    expect(proving!.note.startsWith(three.note)).toBe(true);
    expect(checkCosignatureQuorum(proving!.note, { log: log.key.signer, ...policy }, nodeEd25519Verify)).toMatchObject({ ok: true });
    expect(proving!.note).not.toContain('witness.retired.example');
    // A quorum of one: size 5, which only w1 (of the configured two) cosigned.
    expect(await provingCheckpoint(log.store, { ...policy, quorum: 1 })).toMatchObject({ checkpoint: { size: 5 }, cosignedBy: ['witness.a.example'], quorumMet: true });
    // No quorum: the newest, as it is. A quorum no checkpoint meets: the newest too, marked as not met.
    expect(await provingCheckpoint(log.store, { ...policy, quorum: 0 })).toMatchObject({ checkpoint: { size: newest.size }, note: newest.note, cosignedBy: [], quorumMet: true });
    expect(await provingCheckpoint(log.store, { witnesses: [w2], quorum: 1 })).toMatchObject({ checkpoint: { size: 3 }, quorumMet: true });
    expect(await provingCheckpoint(log.store, { witnesses: [witnessOf(54, 'witness.new.example')], quorum: 1 })).toMatchObject({ checkpoint: { size: newest.size }, quorumMet: false });
  });
});
