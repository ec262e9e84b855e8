/**
 * What a bag's trail shows of the verifiable log: each record's leaf index, and the checkpoint its audit
 * bundle proves the records in (provingCheckpoint: size, who cosigned it, whether the witness quorum is
 * met). The trail, labels and tags routes share it (trailAnswer); the bundle carries the proofs themselves.
 */
import { provingCheckpoint } from '../log/cosignatures.ts';
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

export async function trailLog(ctx: ApiContext, loaded: LoadedBag): Promise<TrailLog | undefined> {
  const log = bundleLog(ctx);
  if (!log) return undefined;
  const [leaves, proving] = await Promise.all([ctx.store.logIndexes(loaded.records.map((r) => r.stored)), provingCheckpoint(ctx.store, log)]);
  return {
    key: log.verifierKey,
    leaves,
    checkpoint: proving
      ? { size: proving.checkpoint.size, cosignedBy: proving.cosignedBy, witnesses: log.witnesses.length, quorum: proving.quorum, quorumMet: proving.quorumMet }
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
