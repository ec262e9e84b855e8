/**
 * One device's chain as ingest follows it: firmware-protocol's ChainVerifier (the one definition of
 * valid, holding records that arrive ahead of a gap) plus what ingest needs around it: the arrivals it
 * holds (to quarantine or re-feed them), the head last committed, and the gap being waited for.
 * Pure and synchronous; ingest.ts does the I/O.
 */
import { ChainVerifier, type ChainHead, type DecodedRecord, type RecordError, type VerifyContext } from '@wastetrail/firmware-protocol';
import type { EnvelopeLine } from './payload.ts';
import type { SignatureVerdict, TrustedVerdicts } from './record-check.ts';

/** Accepted hashes a chain remembers to tell a resend from a fork without asking the store. */
export const CHAIN_WINDOW = 64;

/** A record as it arrived: its envelope, where and when, the seq it claims, and its bytes as read (readRecord). */
export interface Arrival extends EnvelopeLine {
  topic: string;
  receivedAt: string;
  seq: number;
  decoded: DecodedRecord;
}

export interface ChainStep {
  accepted: Array<{ record: DecodedRecord; arrival: Arrival }>;
  /** Refused records (to quarantine), and SEQUENCE_GAP reports (no arrival: the records never came). */
  refused: Array<{ error: RecordError; arrival?: Arrival }>;
  /** The arrival was the same record again: already accepted (`accepted`) or already waiting (`held`). */
  duplicate?: 'accepted' | 'held';
  /** The arrival is behind the head and out of the window: only the store can say duplicate or fork. */
  behind?: { arrival: Arrival; error: RecordError };
}

export interface ChainGap {
  from: number;
  to: number;
  /** When the device first had a gap (ms). The timeout runs from here until no gap is left. */
  since: number;
  /** The range last asked for with a resend command. */
  requested?: { from: number; to: number };
}

export class DeviceChain {
  readonly device: string;
  private verifier: ChainVerifier;
  private readonly ctx: VerifyContext;
  private readonly maxHeld: number;
  private readonly held = new Map<number, Arrival>();
  /** The head the store holds and the device was acknowledged. */
  committed: ChainHead | undefined;
  gap: ChainGap | undefined;

  constructor(device: string, ctx: VerifyContext, head: ChainHead | undefined, maxHeld: number) {
    this.device = device;
    this.ctx = ctx;
    this.maxHeld = maxHeld;
    this.verifier = this.newVerifier(head);
    this.committed = head;
  }

  private newVerifier(head: ChainHead | undefined): ChainVerifier {
    const v = new ChainVerifier(this.ctx, { strictOrder: false, maxHeld: this.maxHeld, window: CHAIN_WINDOW });
    if (head) v.setHead(this.device, head);
    return v;
  }

  head(): ChainHead | undefined {
    return this.verifier.head(this.device);
  }

  missing(): { from: number; to: number } | undefined {
    return this.verifier.missing(this.device);
  }

  heldCount(): number {
    return this.held.size;
  }

  push(arrival: Arrival, trusted: TrustedVerdicts, verdict: SignatureVerdict | undefined): ChainStep {
    const events = trusted.with(arrival.signed, verdict, () => this.verifier.pushDecoded(arrival.decoded));
    const step: ChainStep = { accepted: [], refused: [] };
    const first = events[0];
    // A lone rejection is always about the record just pushed (see ChainVerifier.link).
    if (events.length === 1 && first?.kind === 'rejected') {
      const { error } = first;
      if (error.code === 'DUPLICATE_RECORD') step.duplicate = arrival.seq <= (this.head()?.seq ?? 0) ? 'accepted' : 'held';
      else if (error.code === 'OUT_OF_ORDER') step.behind = { arrival, error };
      else step.refused.push({ error, arrival });
      return step;
    }
    // Otherwise the record was accepted or is now held; either way the events below settle it.
    this.held.set(arrival.seq, arrival);
    this.settle(events, step);
    return step;
  }

  /** Stops waiting for the missing records: reports the gap and accepts what was held behind it. */
  giveUpGap(): ChainStep {
    const step: ChainStep = { accepted: [], refused: [] };
    this.settle(this.verifier.giveUpGap(this.device), step);
    return step;
  }

  /**
   * Restarts the chain from a head the store holds (another server process stored records this one
   * never saw) and feeds it the held arrivals again, in seq order.
   */
  resync(head: ChainHead, trusted: TrustedVerdicts): ChainStep[] {
    const arrivals = [...this.held.values()].sort((a, b) => a.seq - b.seq);
    this.held.clear();
    this.verifier = this.newVerifier(head);
    this.committed = head;
    return arrivals.map((a) => this.push(a, trusted, undefined));
  }

  private settle(events: ReturnType<ChainVerifier['push']>, step: ChainStep): void {
    for (const e of events) {
      if (e.kind === 'accepted') {
        const seq = e.record.record.seq;
        const arrival = this.held.get(seq);
        this.held.delete(seq);
        // Every accepted record passed through `held` (pushed now, or held earlier).
        step.accepted.push({ record: e.record, arrival: arrival! });
        continue;
      }
      const { error } = e;
      const arrival = error.code === 'SEQUENCE_GAP' || error.seq === undefined ? undefined : this.held.get(error.seq);
      if (arrival) this.held.delete(arrival.seq);
      step.refused.push(arrival ? { error, arrival } : { error });
    }
  }
}
