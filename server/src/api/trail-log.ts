/**
 * What a bag's trail shows of the verifiable log: each record's leaf index, and the checkpoint its audit
 * bundle proves the records in (provingCheckpoint: size, who cosigned it, whether the witness quorum is
 * met). The trail, labels and tags routes share it (trailAnswer); the bundle carries the proofs themselves.
 */
import { provingCheckpoint, type ProvingCheckpoint } from '../log/cosignatures.ts';
import { ReadCache } from '../store/read-cache.ts';
import type { BundleLogSource } from '../exports/index.ts';
import type { LoadedBag } from '../exports/index.ts';
import type { ScopeWorld } from '../auth/index.ts';
import type { ApiContext } from './context.ts';
import type { TrailResponseT } from './schemas.ts';
import { trailBadges, trailView } from './views.ts';

export interface TrailLog {
  /** The log's verifier key. */
  key: string;
  /** Aligned with the loaded records: each one's leaf index (undefined: not in the log). */
  leaves: Array<number | undefined>;
  checkpoint: { size: number; cosignedBy: string[]; witnesses: number; quorum: number; quorumMet: boolean } | null;
}

/** The log as this server's bundles use it, or undefined when the server keeps none. */
export function bundleLog(ctx: ApiContext): BundleLogSource | undefined {
  const log = ctx.deps.log;
  return log ? { verifierKey: log.verifierKey, witnesses: log.witnesses ?? [], quorum: log.quorum ?? 0 } : undefined;
}

/**
 * The checkpoint the trails name, per API, read again at most once a second: every trail shows it, and it
 * moves only when the log signs a new one or a witness cosigns (seconds apart). Two reads saved per
 * trail (two round trips on PostgreSQL); a trail may name the checkpoint before one signed this second.
 */
const provingOf = new WeakMap<ApiContext, ReadCache<ProvingCheckpoint | undefined>>();
const PROVING_TTL_MS = 1_000;

export async function trailLog(ctx: ApiContext, loaded: LoadedBag): Promise<TrailLog | undefined> {
  const log = bundleLog(ctx);
  if (!log) return undefined;
  let proving = provingOf.get(ctx);
  if (!proving) provingOf.set(ctx, (proving = new ReadCache(() => provingCheckpoint(ctx.store, log), { ttlMs: PROVING_TTL_MS })));
  const [leaves, checkpoint] = await Promise.all([ctx.store.logIndexes(loaded.records.map((r) => r.stored)), proving.get()]);
  return {
    key: log.verifierKey,
    leaves,
    checkpoint: checkpoint
      ? { size: checkpoint.checkpoint.size, cosignedBy: checkpoint.cosignedBy, witnesses: log.witnesses.length, quorum: checkpoint.quorum, quorumMet: checkpoint.quorumMet }
      : null,
  };
}

/**
 * A loaded bag as the trail routes (bags, tags, labels) answer it: the trail, the log's leaves and
 * checkpoint, and the staff registry's entries of its handlers' badges, read together.
 */
export async function trailAnswer(ctx: ApiContext, world: ScopeWorld, loaded: LoadedBag): Promise<TrailResponseT> {
  const [log, staff] = await Promise.all([trailLog(ctx, loaded), ctx.store.staffByBadges(trailBadges(loaded))]);
  return trailView(loaded, new Map(world.institutions.map((i) => [i.id, i])), ctx.now(), log, staff);
}
