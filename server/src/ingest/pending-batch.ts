/**
 * What the next group commit writes: the records linked since the last one, the refusals, the integrity
 * problems, and which devices to acknowledge with which receipts. Pure; group-commit.ts takes it whole
 * when a commit starts and the linker fills the next one meanwhile.
 */
import type { CustodyEvent, DecodedRecord } from '@wastetrail/firmware-protocol';
import { tagsOfEvent } from '../custody/index.ts';
import type { NewQuarantineEntry, NewRecord } from '../store/index.ts';
import { integrityDedupeKey, type IntegrityProblem } from './integrity.ts';

/** A record as the custody and rules layers get it after its commit. */
export interface AcceptedRecord extends DecodedRecord {
  receivedAt: string;
  tags: string[];
}

/** (device, seq) as one map key. */
export const recordKey = (device: string, seq: number): string => `${device}\n${seq}`;

export class PendingBatch {
  records: NewRecord[] = [];
  accepted: AcceptedRecord[] = [];
  readonly quarantine: NewQuarantineEntry[] = [];
  /** One per device and code (the alert's dedupe key): the last one noted. */
  readonly problems = new Map<string, IntegrityProblem>();
  /** Devices to acknowledge after the commit (new records, or a resend of stored ones). */
  readonly ack = new Set<string>();
  /** Per device, the seqs whose leaf index its ack carries (docs/protocol/log.md#receipts): new and resent records. */
  readonly receipts = new Map<string, Set<number>>();
  /** Per device, when its last record in the batch arrived (device_status.last_seen_at). */
  readonly seen = new Map<string, string>();

  /** Records and refusals: what `batchMaxRecords` counts. */
  get size(): number {
    return this.records.length + this.quarantine.length;
  }

  isEmpty(): boolean {
    return this.size === 0 && this.ack.size === 0 && this.problems.size === 0;
  }

  /** A record the chain accepted: stored by the commit, acknowledged after it, handed to the hooks. */
  accept(record: DecodedRecord, receivedAt: string): void {
    const { device, seq } = record.record;
    const tags = tagsOfEvent({ type: record.record.type, body: record.record.body } as CustodyEvent);
    this.records.push({
      device,
      seq,
      hash: record.hash,
      prev: record.record.prev,
      kid: record.record.kid,
      deviceTime: record.record.time,
      receivedAt,
      type: record.record.type,
      bytes: record.bytes,
      signature: record.signature,
      body: record.record.body,
      tags,
    });
    this.accepted.push({ ...record, receivedAt, tags });
    this.resent(device, seq);
    this.seen.set(device, receivedAt);
  }

  /** A resend of a record accepted before: the device missed its ack, so it gets one (with the receipt) after the commit. */
  resent(device: string, seq: number): void {
    this.ack.add(device);
    let seqs = this.receipts.get(device);
    if (!seqs) this.receipts.set(device, (seqs = new Set()));
    seqs.add(seq);
  }

  quarantined(entry: NewQuarantineEntry): void {
    this.quarantine.push(entry);
  }

  problem(p: IntegrityProblem): void {
    this.problems.set(integrityDedupeKey(p.device, p.code), p);
  }

  /**
   * Takes out everything of these devices that would be stored or acknowledged (their last commit failed:
   * what they linked since continues the chain past the lost records). Returns the records taken out.
   */
  dropDevices(devices: ReadonlySet<string>): NewRecord[] {
    const dropped = this.records.filter((r) => devices.has(r.device));
    this.records = this.records.filter((r) => !devices.has(r.device));
    this.accepted = this.accepted.filter((r) => !devices.has(r.record.device));
    for (const device of devices) {
      this.ack.delete(device);
      this.receipts.delete(device);
    }
    return dropped;
  }
}
