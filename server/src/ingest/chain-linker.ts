/**
 * Chain linking, in arrival order: each record of a message is read (who it claims to be), checked
 * against its topic, and pushed through its device's DeviceChain (firmware-protocol's ChainVerifier,
 * with the workers' signature verdict if there is one); what the chain decides goes into the pending
 * batch: accepted records, refusals, resends to re-acknowledge. The store answers what the chain cannot:
 * where a chain continues (first sight, restart, another process) and whether a record far behind the
 * head is a resend or a fork.
 */
import { verifyDecodedRecord, type ChainHead, type RecordError, type VerifyContext } from '@wastetrail/firmware-protocol';
import type { CustodyStore } from '../store/index.ts';
import { DeviceChain, type Arrival, type ChainStep } from './device-chain.ts';
import type { EnvelopeLine } from './payload.ts';
import { recordKey, type PendingBatch } from './pending-batch.ts';
import { arrivalRefusal, lineRefusal, type Refusal } from './quarantine.ts';
import { decodedOf, readRecord, type TrustedVerdicts } from './record-check.ts';
import type { IngestStats } from './stats.ts';
import type { Checks } from './verify-dispatch.ts';

/** One records message, as it waits to be linked. */
export interface RecordsMessage {
  topic: string;
  /** The device of the topic. */
  device: string;
  receivedAt: string;
  envelopes: EnvelopeLine[];
  /** Set when the records went to the verification workers. */
  checks?: Promise<Checks>;
}

export interface ChainLinkerOptions {
  store: Pick<CustodyStore, 'headOf' | 'recordAt'>;
  /** The keyring in force and the Ed25519 function (`trusted.verify`). */
  ctx: VerifyContext;
  trusted: TrustedVerdicts;
  maxHeldPerDevice: number;
  counters: IngestStats;
  /** The batch being filled now. */
  batch: { readonly pending: PendingBatch };
  refuse(r: Refusal): void;
  /** After every push (the gap watch looks at what is missing). */
  pushed(chain: DeviceChain): void;
  /** A chain was built from the store: any gap clock of the old one is void. */
  rebuilt(device: string): void;
  now(): number;
}

export class ChainLinker {
  private readonly o: ChainLinkerOptions;
  private readonly chains = new Map<string, DeviceChain>();
  /** Chains whose last commit failed or forked: rebuilt from the store before their next record. */
  private readonly poisoned = new Set<string>();
  /** Accepted and not yet committed: (device, seq) -> hash, to recognise resends of them. */
  private readonly uncommitted = new Map<string, string>();

  constructor(options: ChainLinkerOptions) {
    this.o = options;
  }

  async link(message: RecordsMessage): Promise<void> {
    const checks = message.checks ? await message.checks : undefined;
    for (const [i, envelope] of message.envelopes.entries()) {
      const check = checks?.[i] ?? undefined;
      // Read once in the process: by the worker that checked the signature, or here.
      const read = check ? check.read : readRecord(envelope.signed.bytes);
      if (!read.ok) {
        this.o.refuse(lineRefusal(message, envelope.line, read.error.code, read.error.message, read.error.device ?? message.device, read.error.seq));
        continue;
      }
      const { device, seq } = read.record;
      if (device !== message.device) {
        const text = `a record of device ${device} arrived on the topic of device ${message.device}`;
        this.o.refuse(lineRefusal(message, envelope.line, 'TOPIC_MISMATCH', text, message.device));
        continue;
      }
      const arrival: Arrival = { ...envelope, topic: message.topic, receivedAt: message.receivedAt, seq, decoded: decodedOf(envelope.signed, read) };
      if (!this.o.ctx.keyring.devices.has(device)) {
        // No chain for strangers (an open broker could name a million): verification says why.
        const verified = verifyDecodedRecord(arrival.decoded, this.o.ctx);
        if (!verified.ok) {
          this.o.refuse(arrivalRefusal(arrival, verified.error));
          continue;
        }
      }
      const chain = await this.chainOf(device);
      const step = chain.push(arrival, this.o.trusted, check?.signature);
      // A resend of an accepted record: its ack carries the record's receipt again.
      if (step.duplicate === 'accepted') this.o.batch.pending.resent(device, seq);
      await this.settle(chain, step);
      this.o.pushed(chain);
    }
  }

  /** Takes a chain step's outcome into the pending batch. */
  async settle(chain: DeviceChain, step: ChainStep): Promise<void> {
    const { device } = chain;
    const pending = this.o.batch.pending;
    for (const { record, arrival } of step.accepted) {
      pending.accept(record, arrival.receivedAt);
      this.uncommitted.set(recordKey(device, record.record.seq), record.hash);
    }
    for (const { error, arrival } of step.refused) {
      if (arrival) {
        this.o.refuse(arrivalRefusal(arrival, error));
      } else {
        // SEQUENCE_GAP: nothing to quarantine, the records never came.
        this.o.counters.gapsGivenUp++;
        pending.problem({ device, code: error.code, message: error.message, ...(error.seq !== undefined ? { seq: error.seq } : {}), at: new Date(this.o.now()).toISOString() });
      }
    }
    if (step.duplicate) {
      this.o.counters.duplicates++;
      // A resend of an accepted record: the device missed our ack, so it gets one (after the commit).
      if (step.duplicate === 'accepted') pending.ack.add(device);
    }
    if (step.behind) await this.settleBehind(chain, step.behind.arrival, step.behind.error);
  }

  /** The device's chain (one that must be rebuilt from the store too: its gap clock still runs). */
  chain(device: string): DeviceChain | undefined {
    return this.chains.get(device);
  }

  /** The head an ack after the next commit names: every record up to it is in that batch or committed. */
  ackHead(device: string): ChainHead | undefined {
    return this.poisoned.has(device) ? undefined : this.chains.get(device)?.head();
  }

  /** The store holds the chain up to `head` and the device was acknowledged it. */
  committed(device: string, head: ChainHead): void {
    const chain = this.chains.get(device);
    if (chain) chain.committed = head;
  }

  /** The chain ran ahead of the store (a failed commit, a fork another process stored): rebuild it before its next record. */
  poison(device: string): void {
    this.poisoned.add(device);
  }

  /** These records are committed, or will never be: resends of them are looked up in the store again. */
  forget(records: Iterable<{ device: string; seq: number }>): void {
    for (const r of records) this.uncommitted.delete(recordKey(r.device, r.seq));
  }

  heldCount(): number {
    let n = 0;
    for (const c of this.chains.values()) n += c.heldCount();
    return n;
  }

  private async chainOf(device: string): Promise<DeviceChain> {
    let chain = this.poisoned.has(device) ? undefined : this.chains.get(device);
    if (!chain) {
      // Seeded from the store on first sight, so a restart or another process's work is picked up.
      const head = await this.o.store.headOf(device);
      chain = new DeviceChain(device, this.o.ctx, head, this.o.maxHeldPerDevice);
      this.poisoned.delete(device);
      this.chains.set(device, chain);
      this.o.rebuilt(device);
    }
    return chain;
  }

  /** A record behind the chain's window: the store tells a resend from a fork. */
  private async settleBehind(chain: DeviceChain, arrival: Arrival, error: RecordError): Promise<void> {
    const known = this.uncommitted.get(recordKey(chain.device, arrival.seq)) ?? (await this.o.store.recordAt(chain.device, arrival.seq))?.hash;
    if (known === arrival.decoded.hash) {
      this.o.counters.duplicates++;
      this.o.batch.pending.resent(chain.device, arrival.seq);
    } else if (known !== undefined) {
      this.o.refuse(arrivalRefusal(arrival, { code: 'FORK', message: `a different record is stored at seq ${arrival.seq}: the chain forks`, device: chain.device, seq: arrival.seq }));
    } else {
      // Behind the head yet never stored: it belongs to a gap that was given up.
      this.o.refuse(arrivalRefusal(arrival, error));
    }
  }
}
