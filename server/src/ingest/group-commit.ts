/**
 * Group commit: what linking puts into the pending batch is written by store.appendRecords in one
 * transaction, `batchMs` after the first pending item (or at once from `batchMaxRecords`), one commit
 * after another. Only then are the devices acknowledged (the store records an ack only for a stored
 * record, and only recorded acks go out), forks another process stored first are quarantined, and the
 * integrity findings and onAccepted hooks run. A failed commit acknowledges nothing: its devices'
 * chains are rebuilt from the store and each is asked to resend from the store's head.
 */
import { performance } from 'node:perf_hooks';
import type { ReceiptRange } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { AppendOutcome, CustodyStore, DeviceAck } from '../store/index.ts';
import type { AfterCommit } from './after-commit.ts';
import type { ChainLinker } from './chain-linker.ts';
import { PendingBatch, recordKey } from './pending-batch.ts';
import { conflictRefusal, type Refusal } from './quarantine.ts';
import { receiptsOf, type Replies } from './replies.ts';
import type { IngestStats } from './stats.ts';

export interface GroupCommitOptions {
  store: Pick<CustodyStore, 'appendRecords' | 'logIndexes' | 'headOf'>;
  batchMs: number;
  counters: IngestStats;
  log: Logger;
  /** Told how long each commit's transaction took (seconds). */
  observeCommit?: (seconds: number) => void;
  linker: Pick<ChainLinker, 'ackHead' | 'committed' | 'poison' | 'forget'>;
  replies: Pick<Replies, 'ack' | 'resend'>;
  refuse(r: Refusal): void;
  after: Pick<AfterCommit, 'integrity' | 'accepted'>;
}

export class GroupCommit {
  /** What the next commit writes; linking fills it. */
  pending = new PendingBatch();
  private readonly o: GroupCommitOptions;
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(options: GroupCommitOptions) {
    this.o = options;
  }

  /** A commit `batchMs` from now, unless one is due already or nothing is pending. */
  schedule(): void {
    if (this.timer || this.pending.isEmpty()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.commit();
    }, this.o.batchMs);
  }

  /** Commits what is pending; commits run one after another, each taking what was pending when it starts. */
  commit(): Promise<void> {
    this.committing = this.committing.then(() => this.commitPending()).catch((err: unknown) => this.o.log.error({ err }, 'commit failed'));
    return this.committing;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async commitPending(): Promise<void> {
    this.close();
    if (this.pending.isEmpty()) return;
    const batch = this.pending;
    this.pending = new PendingBatch();
    const { counters, linker } = this.o;

    // Acks name each device's chain head now: every record up to it is in this batch or committed.
    const acks: DeviceAck[] = [];
    for (const device of batch.ack) {
      const head = linker.ackHead(device);
      if (head) acks.push({ device, seq: head.seq, hash: head.hash });
    }
    const started = performance.now();
    let outcome: AppendOutcome;
    try {
      outcome = await this.o.store.appendRecords({
        records: batch.records,
        quarantine: batch.quarantine,
        acks,
        seen: [...batch.seen].map(([device, at]) => ({ device, at })),
      });
    } catch (err) {
      await this.failed(batch, err);
      return;
    }
    this.o.observeCommit?.((performance.now() - started) / 1000);
    counters.batches++;
    counters.largestBatch = Math.max(counters.largestBatch, batch.records.length);
    counters.accepted += outcome.stored;
    counters.duplicates += outcome.duplicates.length;
    linker.forget(batch.records);

    const forked = new Set(outcome.conflicts.map((r) => recordKey(r.device, r.seq)));
    const notStored = new Set([...forked, ...outcome.duplicates.map((r) => recordKey(r.device, r.seq))]);
    let receipts = new Map<string, ReceiptRange[]>();
    try {
      receipts = await receiptsOf(outcome.acks, batch.receipts, forked, outcome.leaves, (records) => this.o.store.logIndexes(records));
    } catch (err) {
      // The acks go out without receipts: they are an addition, and the records are stored either way.
      this.o.log.warn({ err }, 'leaf indexes not read: acks go out without receipts');
    }
    for (const ack of outcome.acks) {
      linker.committed(ack.device, { seq: ack.seq, hash: ack.hash });
      this.o.replies.ack(ack, receipts.get(ack.device));
    }
    for (const c of outcome.conflicts) {
      // Another process stored a different record at this seq: a fork, found at commit time.
      const r = batch.records.find((x) => x.device === c.device && x.seq === c.seq)!;
      this.o.refuse(conflictRefusal(r, c.storedHash));
      linker.poison(c.device);
    }
    if (outcome.conflicts.length > 0) this.schedule();

    await this.o.after.integrity(batch.problems);
    await this.o.after.accepted(batch.accepted.filter((r) => !notStored.has(recordKey(r.record.device, r.record.seq))));
  }

  private async failed(batch: PendingBatch, err: unknown): Promise<void> {
    const { counters, linker } = this.o;
    counters.commitFailures++;
    const devices = new Set(batch.records.map((r) => r.device));
    this.o.log.error({ records: batch.records.length, devices: devices.size, err }, 'group commit failed; the devices will be asked to resend');
    linker.forget(batch.records);
    // Records of these devices linked since (pending now) continue the chain past the failed ones: storing
    // them would leave a hole in the store that a later ack would cover. They come again with the resend.
    linker.forget(this.pending.dropDevices(devices));
    // The chains ran ahead of the store: rebuild them from the store, and ask for everything after.
    for (const device of devices) linker.poison(device);
    for (const device of devices) {
      const head = await this.o.store.headOf(device).catch(() => undefined);
      this.o.replies.resend(device, (head?.seq ?? 0) + 1);
    }
  }
}
