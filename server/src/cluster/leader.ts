/**
 * One leader among the server processes of one PostgreSQL: a lease row (cluster_leases) that the leader
 * renews and any process may take once it has expired. Jobs that must run once (the rule tick and
 * escalation, notification delivery, checkpoint signing) ask isLeader() before each run.
 *
 * A lease row rather than a session advisory lock: it needs no connection held for the process's life
 * (so it works through a pooler such as PgBouncer), the takeover time is the operator's choice and not
 * the TCP stack's, and the row says who leads (operators, tests). Timing, with T = takeoverMs:
 *   - the lease lasts 2T/3 from each renewal (PostgreSQL's clock: no process clocks compared);
 *   - every process tries every T/6: the leader renews, the others take an expired lease;
 *   - so a dead leader's lease is taken at most 2T/3 + T/6 = 5T/6 after its last renewal;
 *   - a leader counts itself leader only until (send time of its last renewal + 2T/3 - T/6) on its own
 *     monotonic clock, so it stops before anyone else can start, even when PostgreSQL is unreachable.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Gauge, silentLogger, type Logger, type Registry } from '@wastetrail/runtime';

export const DEFAULT_TAKEOVER_MS = 15_000;
export const LEADER_LEASE = 'leader';

export interface Leadership {
  /** This process's name in the lease row: host/pid/random (unique per start). */
  readonly holder: string;
  /** True while this process holds the lease, judged conservatively on its own clock. */
  isLeader(): boolean;
  /** Called when this process becomes or stops being the leader. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Stops trying and gives the lease up, so another process takes over at its next try. */
  close(): Promise<void>;
}

/** A single process (SQLite): always the leader. */
export function soloLeadership(): Leadership {
  return { holder: processHolder(), isLeader: () => true, onChange: () => () => {}, close: async () => {} };
}

export function processHolder(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

export interface LeaderElectionOptions {
  pool: pg.Pool;
  /** How soon after the leader dies another process takes over, at most (ms). */
  takeoverMs: number;
  holder?: string;
  logger?: Logger;
  metrics?: Registry;
}

/** The lease's length and the interval between tries, from the takeover time. */
export function leaseTiming(takeoverMs: number): { ttlMs: number; tryEveryMs: number } {
  return { ttlMs: Math.floor((takeoverMs * 2) / 3), tryEveryMs: Math.max(1, Math.floor(takeoverMs / 6)) };
}

/** Renews the lease if this holder has it, or takes it if it has expired; the term held, or undefined. */
const CLAIM = `
  insert into cluster_leases (name, holder, term, acquired_at, expires_at)
  values ($1, $2, 1, now(), now() + $3 * interval '1 millisecond')
  on conflict (name) do update set
    term = case when cluster_leases.holder = excluded.holder then cluster_leases.term else cluster_leases.term + 1 end,
    acquired_at = case when cluster_leases.holder = excluded.holder then cluster_leases.acquired_at else now() end,
    holder = excluded.holder,
    expires_at = excluded.expires_at
  where cluster_leases.holder = excluded.holder or cluster_leases.expires_at < now()
  returning term`;

export async function startLeaderElection(options: LeaderElectionOptions): Promise<Leadership> {
  const election = new LeaderElection(options);
  await election.attempt();
  election.schedule();
  return election;
}

class LeaderElection implements Leadership {
  readonly holder: string;
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly tryEveryMs: number;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private readonly gauge: Gauge | undefined;
  /** performance.now() until which this process may act as leader; 0: not leader. */
  private validUntil = 0;
  private announced = false;
  private timer: NodeJS.Timeout | undefined;
  private trying: Promise<void> | undefined;
  private closed = false;

  constructor(o: LeaderElectionOptions) {
    this.pool = o.pool;
    this.holder = o.holder ?? processHolder();
    this.log = o.logger ?? silentLogger;
    ({ ttlMs: this.ttlMs, tryEveryMs: this.tryEveryMs } = leaseTiming(o.takeoverMs));
    if (o.metrics) this.gauge = new Gauge({ name: 'wastetrail_cluster_leader', help: '1 while this process is the elected leader (rule tick, escalation, notifications, checkpoints), else 0.', registers: [o.metrics] });
  }

  isLeader(): boolean {
    const leader = this.validUntil > performance.now();
    if (!leader && this.announced) this.announce(false);
    return leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.trying = this.attempt().finally(() => {
        this.trying = undefined;
        this.schedule();
      });
    }, this.tryEveryMs);
    this.timer.unref();
  }

  async attempt(): Promise<void> {
    const sent = performance.now();
    try {
      const { rows } = await this.pool.query<{ term: string }>(CLAIM, [LEADER_LEASE, this.holder, this.ttlMs]);
      if (this.closed) return;
      if (rows.length > 0) {
        this.validUntil = sent + this.ttlMs - this.tryEveryMs;
        if (!this.announced) this.log.info({ holder: this.holder, term: Number(rows[0]!.term) }, 'leadership taken: this process runs the rule tick, escalation, notifications and checkpoints');
      } else {
        this.validUntil = 0;
      }
    } catch (err) {
      // Not renewed: the lease lapses on its own (validUntil), and another process may take it.
      this.log.warn({ err }, 'leader lease not renewed');
    }
    this.announce(this.isLeader());
  }

  private announce(leader: boolean): void {
    if (leader === this.announced) return;
    this.announced = leader;
    this.gauge?.set(leader ? 1 : 0);
    if (!leader) this.log.warn({ holder: this.holder }, 'leadership lost');
    for (const l of this.listeners) l(leader);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.trying;
    const wasLeader = this.validUntil > 0;
    this.validUntil = 0;
    if (this.announced) this.announce(false);
    if (!wasLeader) return;
    // Hand over at once rather than after the lease runs out.
    await this.pool.query('update cluster_leases set expires_at = now() - interval \'1 millisecond\' where name = $1 and holder = $2', [LEADER_LEASE, this.holder]).catch((err: unknown) => this.log.warn({ err }, 'leader lease not given up'));
  }
}
