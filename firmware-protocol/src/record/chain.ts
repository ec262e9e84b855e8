/**
 * Checks the hash chains of a stream of records, one device at a time: seq 1, 2, 3 ... with each
 * record's `prev` equal to the hash of the one before. Records that arrive ahead of a missing one are
 * held (up to a bound) until it arrives, so the same verifier serves an export file, where any
 * reordering is itself a failure, and MQTT ingest, where arrival order means nothing.
 */
import { fail, type RecordError, type Result } from './errors.ts';
import { GENESIS_PREV, verifyDecodedRecord, verifyRecord, type DecodedRecord, type SignedRecord, type VerifyContext } from './record.ts';

export type ChainEvent = { kind: 'accepted'; record: DecodedRecord } | { kind: 'rejected'; error: RecordError };

export interface ChainOptions {
  /** Files: a record that arrives before one it follows is reported OUT_OF_ORDER. Ingest: false. */
  strictOrder: boolean;
  /** Accept a device's first record at any seq, trusting its `prev` (a partial export). */
  allowPartial?: boolean;
  /** Records held per device while waiting for a missing one; beyond this, the gap is reported. */
  maxHeld?: number;
  /** Accepted hashes remembered per device to tell a duplicate from a fork. */
  window?: number;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

interface DeviceChain {
  head?: ChainHead;
  recent: Map<number, string>;
  held: Map<number, DecodedRecord>;
}

export class ChainVerifier {
  private readonly chains = new Map<string, DeviceChain>();
  private readonly ctx: VerifyContext;
  private readonly opts: ChainOptions;
  private readonly maxHeld: number;
  private readonly window: number;

  constructor(ctx: VerifyContext, opts: ChainOptions) {
    this.ctx = ctx;
    this.opts = opts;
    this.maxHeld = opts.maxHeld ?? 1024;
    this.window = opts.window ?? 256;
  }

  /** Starts a device's chain from a known head (e.g. what the store already holds). */
  setHead(device: string, head: ChainHead): void {
    const chain = this.chain(device);
    chain.head = head;
    chain.recent.set(head.seq, head.hash);
  }

  head(device: string): ChainHead | undefined {
    return this.chains.get(device)?.head;
  }

  heads(): Map<string, ChainHead> {
    const out = new Map<string, ChainHead>();
    for (const [device, c] of this.chains) if (c.head) out.set(device, c.head);
    return out;
  }

  /** Seqs missing before the held records of a device: [from, to] inclusive, or undefined. */
  missing(device: string): { from: number; to: number } | undefined {
    const c = this.chains.get(device);
    if (!c || c.held.size === 0) return undefined;
    const from = (c.head?.seq ?? 0) + 1;
    return { from, to: Math.min(...c.held.keys()) - 1 };
  }

  push(signed: SignedRecord): ChainEvent[] {
    const verified = verifyRecord(signed, this.ctx);
    if (!verified.ok) return [{ kind: 'rejected', error: verified.error }];
    return this.link(verified.value);
  }

  /**
   * push for a record this process has already decoded and hashed (verifyDecodedRecord says which):
   * the same checks, without reading the bytes a second time.
   */
  pushDecoded(decoded: DecodedRecord): ChainEvent[] {
    const verified = verifyDecodedRecord(decoded, this.ctx);
    if (!verified.ok) return [{ kind: 'rejected', error: verified.error }];
    return this.link(verified.value);
  }

  /** Ends the stream: every device still waiting for a missing record has a gap. */
  finish(): ChainEvent[] {
    const out: ChainEvent[] = [];
    for (const device of this.chains.keys()) out.push(...this.giveUpGap(device));
    return out;
  }

  /**
   * Stops waiting for the records missing before a device's held ones: reports the gap, then accepts
   * the held records from the lowest on, trusting the first one's `prev` (ingest calls this on timeout).
   */
  giveUpGap(device: string): ChainEvent[] {
    const c = this.chains.get(device);
    const gap = this.missing(device);
    if (!c || !gap) return [];
    const first = c.held.get(gap.to + 1)!;
    const count = gap.to - gap.from + 1;
    const span = count === 1 ? `seq ${gap.from} is missing` : `${count} records are missing: seq ${gap.from}..${gap.to}`;
    const out: ChainEvent[] = [rejected(fail('SEQUENCE_GAP', span, { device, seq: gap.from }))];
    c.held.delete(first.record.seq);
    this.advance(c, first);
    out.push({ kind: 'accepted', record: first }, ...this.drain(c));
    return out;
  }

  private chain(device: string): DeviceChain {
    let c = this.chains.get(device);
    if (!c) this.chains.set(device, (c = { recent: new Map(), held: new Map() }));
    return c;
  }

  private link(rec: DecodedRecord): ChainEvent[] {
    const { device, seq, prev } = rec.record;
    const c = this.chain(device);
    const who = { device, seq };
    const expected = c.head ? c.head.seq + 1 : 1;

    if (!c.head && seq !== 1 && this.opts.allowPartial && c.held.size === 0) {
      this.advance(c, rec);
      return [{ kind: 'accepted', record: rec }];
    }
    if (seq < expected) {
      const seen = c.recent.get(seq);
      if (seen === rec.hash) return [rejected(fail('DUPLICATE_RECORD', `seq ${seq} was already accepted`, who))];
      if (seen !== undefined) return [rejected(fail('FORK', `a different record was already accepted at seq ${seq}: the chain forks`, who))];
      return [rejected(fail('OUT_OF_ORDER', `seq ${seq} is behind the chain head ${expected - 1}`, who))];
    }
    if (seq > expected) {
      const held = c.held.get(seq);
      if (held) {
        return [held.hash === rec.hash
          ? rejected(fail('DUPLICATE_RECORD', `seq ${seq} is already waiting for seq ${expected}`, who))
          : rejected(fail('FORK', `two different records at seq ${seq}: the chain forks`, who))];
      }
      c.held.set(seq, rec);
      return c.held.size > this.maxHeld ? this.giveUpGap(device) : [];
    }
    const wantPrev = c.head ? c.head.hash : GENESIS_PREV;
    if (prev !== wantPrev) {
      return [c.head
        ? rejected(fail('PREV_HASH_MISMATCH', `prev ${prev.slice(0, 16)}... is not the hash of seq ${c.head.seq} (${wantPrev.slice(0, 16)}...)`, who))
        : rejected(fail('CHAIN_START_INVALID', 'the first record of a chain must carry prev = 64 zeros', who))];
    }
    const out: ChainEvent[] = [];
    const earliestHeld = c.held.size > 0 ? Math.min(...c.held.keys()) : undefined;
    if (this.opts.strictOrder && earliestHeld !== undefined) {
      out.push(rejected(fail('OUT_OF_ORDER', `seq ${earliestHeld} came before seq ${seq}`, { device, seq: earliestHeld })));
    }
    this.advance(c, rec);
    out.push({ kind: 'accepted', record: rec }, ...this.drain(c));
    return out;
  }

  /** Accepts held records that now follow the head, checking each one's link. */
  private drain(c: DeviceChain): ChainEvent[] {
    const out: ChainEvent[] = [];
    for (let next = c.held.get(c.head!.seq + 1); next; next = c.held.get(c.head!.seq + 1)) {
      c.held.delete(next.record.seq);
      if (next.record.prev !== c.head!.hash) {
        out.push(rejected(fail('PREV_HASH_MISMATCH', `prev of seq ${next.record.seq} is not the hash of seq ${c.head!.seq}`, { device: next.record.device, seq: next.record.seq })));
        break;
      }
      this.advance(c, next);
      out.push({ kind: 'accepted', record: next });
    }
    return out;
  }

  private advance(c: DeviceChain, rec: DecodedRecord): void {
    c.head = { seq: rec.record.seq, hash: rec.hash };
    c.recent.set(rec.record.seq, rec.hash);
    c.recent.delete(rec.record.seq - this.window);
  }
}

function rejected(r: Result<never>): ChainEvent {
  if (r.ok) throw new Error('unreachable');
  return { kind: 'rejected', error: r.error };
}

export interface ChainReport {
  accepted: number;
  failures: RecordError[];
  heads: Map<string, ChainHead>;
}

/** Verifies a whole sequence of signed records as one file; `failures[0]` is the first problem. */
export function verifyChain(records: Iterable<SignedRecord>, ctx: VerifyContext, opts: Partial<ChainOptions> = {}): ChainReport {
  const v = new ChainVerifier(ctx, { strictOrder: true, ...opts });
  const report: ChainReport = { accepted: 0, failures: [], heads: new Map() };
  const take = (events: ChainEvent[]) => {
    for (const e of events) e.kind === 'accepted' ? report.accepted++ : report.failures.push(e.error);
  };
  for (const r of records) take(v.push(r));
  take(v.finish());
  report.heads = v.heads();
  return report;
}
