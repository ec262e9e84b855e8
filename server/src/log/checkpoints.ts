/**
 * Signing checkpoints: every interval, when the log has grown since the last one, the server signs
 * (origin, size, root) as a C2SP signed note and keeps it. The tree is append-only in the store, so each
 * checkpoint is consistent with every one before it. Several processes on one PostgreSQL store share
 * the key file; the store keeps one checkpoint per size, so the two never publish two notes for one size.
 */
import { formatCheckpoint, nodeEd25519Verify, signNote, verifyCheckpoint } from '@wastetrail/firmware-protocol';
import { Gauge, type Logger, type Registry } from '@wastetrail/runtime';
import type { LogStore, SignedCheckpoint } from '../store/index.ts';
import type { LogKey } from './key.ts';
import { logRoot } from './tree.ts';

/**
 * Signs a checkpoint of the whole log if it is larger than the latest one (or there is none yet: the
 * empty tree's checkpoint lets clients start). Returns the latest checkpoint either way.
 */
export async function signCheckpoint(store: LogStore, key: LogKey, now: () => number): Promise<{ checkpoint: SignedCheckpoint; signed: boolean }> {
  const [size, latest] = await Promise.all([store.logSize(), store.latestCheckpoint()]);
  if (latest && latest.size >= size) return { checkpoint: latest, signed: false };
  const root = await logRoot(store, size);
  const checkpoint = { size, note: signNote(formatCheckpoint({ origin: key.origin, size, root }), key.signer), signedAt: new Date(now()).toISOString() };
  if (await store.addCheckpoint(checkpoint)) return { checkpoint, signed: true };
  // Another process signed this size first: its note is the one served.
  return { checkpoint: (await store.latestCheckpoint())!, signed: false };
}

export interface Checkpointer {
  /** Signs now if the log has grown (tests, shutdown); resolves to the latest checkpoint. */
  signNow(): Promise<SignedCheckpoint>;
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  store: LogStore;
  key: LogKey;
  intervalMs: number;
  logger: Logger;
  metrics: Registry;
  clock?: () => number;
  /** Several processes: only the leader signs on the interval (signNow still signs when asked). */
  isLeader?: () => boolean;
}

/**
 * Refuses a key or origin other than the one that signed the stored checkpoints: two keys over one tree
 * would make every verifier holding the first reject the second's checkpoints.
 */
export async function checkLogKey(store: LogStore, key: LogKey): Promise<void> {
  const latest = await store.latestCheckpoint();
  if (!latest) return;
  const verified = verifyCheckpoint(latest.note, { origin: key.origin, keys: [key.signer], ed25519Verify: nodeEd25519Verify });
  if (!verified.ok) {
    throw new Error(
      `the log's newest checkpoint (tree size ${latest.size}) was not signed by this server's log key ${key.verifierKey} (${verified.error.code}): ` +
        'every server of one store uses the same key (copy log/log-key.pem from the data directory of the server that signed it) and the same verifiableLog.origin',
    );
  }
}

export async function startCheckpoints(options: CheckpointerOptions): Promise<Checkpointer> {
  const { store, key, logger } = options;
  await checkLogKey(store, key);
  const clock = options.clock ?? Date.now;
  const size = new Gauge({ name: 'wastetrail_log_checkpoint_size', help: 'Leaves in the tree of the latest signed checkpoint.', registers: [options.metrics] });
  let running: Promise<SignedCheckpoint> | undefined;
  const signNow = (): Promise<SignedCheckpoint> => {
    // One signing at a time: a tick that comes while one runs shares its result.
    running ??= signCheckpoint(store, key, clock)
      .then(({ checkpoint, signed }) => {
        size.set(checkpoint.size);
        if (signed) logger.debug({ size: checkpoint.size }, 'checkpoint signed');
        return checkpoint;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const leads = options.isLeader ?? (() => true);
  if (leads()) await signNow();
  const timer = setInterval(() => {
    if (!leads()) return;
    signNow().catch((err: unknown) => logger.error({ err }, 'signing a checkpoint failed; trying again at the next interval'));
  }, options.intervalMs);
  timer.unref();
  return {
    signNow,
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
