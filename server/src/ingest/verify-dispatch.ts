/**
 * Which records go to the verification workers, and sending them there: when records arrive at
 * `workerThreshold` records/s or more (under load the backlog waits in the socket and the broker, so
 * the rate decides, not the queue), several messages' lines go to a worker at once. When the workers
 * fail, every check resolves to undefined and the main thread verifies.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '@wastetrail/runtime';
import { ArrivalRate } from './arrival-rate.ts';
import type { EnvelopeLine } from './payload.ts';
import type { RecordCheck } from './record-check.ts';

/** Records per message to the workers: big enough to amortise the message, small enough to spread. */
export const WORKER_CHUNK = 256;

/** What a message's records get back from the workers: undefined when they failed (verify inline). */
export type Checks = Array<RecordCheck | null> | undefined;

/** The part of VerifyPool dispatch uses. */
export interface CheckPool {
  readonly alive: number;
  check(lines: string[]): Promise<Array<RecordCheck | null>>;
}

export interface VerifyDispatchOptions {
  pool: CheckPool | undefined;
  /** records/s from which records go to the workers (0: always). */
  threshold: number;
  log: Logger;
  /** Starts timing one worker round trip; the returned function stops it. */
  timeRoundTrip?: () => () => void;
}

export class VerifyDispatch {
  private readonly pool: CheckPool | undefined;
  private readonly threshold: number;
  private readonly log: Logger;
  private readonly timeRoundTrip: () => () => void;
  private readonly arrivals = new ArrivalRate();
  private waiting: Array<{ envelopes: EnvelopeLine[]; resolve: (checks: Checks) => void }> = [];
  private failureLogged = false;
  /** A dispatch is due on the next turn of the event loop. */
  scheduled = false;

  constructor(o: VerifyDispatchOptions) {
    this.pool = o.pool;
    this.threshold = o.threshold;
    this.log = o.log;
    this.timeRoundTrip = o.timeRoundTrip ?? (() => () => {});
  }

  /**
   * Counts a message's records; when records arrive fast enough, they go to the workers (with the
   * other messages of this turn of the event loop) and this is their checks. Undefined: verify inline.
   */
  checks(envelopes: EnvelopeLine[], now = performance.now()): Promise<Checks> | undefined {
    const rate = this.arrivals.add(envelopes.length, now);
    if (!this.pool || this.pool.alive === 0 || rate < this.threshold) return undefined;
    const checks = new Promise<Checks>((resolve) => this.waiting.push({ envelopes, resolve }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.dispatch());
    }
    return checks;
  }

  private dispatch(): void {
    this.scheduled = false;
    const items = this.waiting.splice(0);
    for (let i = 0; i < items.length; ) {
      const chunk: typeof items = [];
      let lines = 0;
      while (i < items.length && (chunk.length === 0 || lines + items[i]!.envelopes.length <= WORKER_CHUNK)) {
        lines += items[i]!.envelopes.length;
        chunk.push(items[i++]!);
      }
      const all = chunk.flatMap((c) => c.envelopes.map((e) => e.line));
      const stop = this.timeRoundTrip();
      const checked = this.pool ? this.pool.check(all) : Promise.reject(new Error('no verification pool'));
      checked.then(
        (checks) => {
          stop();
          let at = 0;
          for (const c of chunk) {
            c.resolve(checks.slice(at, at + c.envelopes.length));
            at += c.envelopes.length;
          }
        },
        (err: unknown) => {
          if (!this.failureLogged) this.log.warn({ err }, 'verification workers failed; verifying on the main thread');
          this.failureLogged = true;
          for (const c of chunk) c.resolve(undefined);
        },
      );
    }
  }
}
