/**
 * What ingest sends devices: acks after a commit (retained, QoS 1, with the receipts of the log leaves
 * the batch gave their records) and resend commands for records it misses.
 */
import { deviceTopic, receiptRanges, type AckMessage, type CommandMessage, type ReceiptRange } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { MqttClient } from 'mqtt';
import type { AppendOutcome, CustodyStore, DeviceAck } from '../store/index.ts';
import { recordKey } from './pending-batch.ts';
import type { IngestStats } from './stats.ts';

export function ackMessage(ack: DeviceAck, leaves?: readonly ReceiptRange[]): AckMessage {
  return { v: 1, seq: ack.seq, hash: ack.hash, ...(leaves && leaves.length > 0 ? { leaves: [...leaves] } : {}) };
}

export function resendCommand(from: number, to?: number): CommandMessage {
  return { v: 1, type: 'resend', from, ...(to !== undefined ? { to } : {}) };
}

/**
 * Each acknowledged device's leaf ranges: the seqs it sent in the batch (`wanted`) that its ack covers,
 * but not those that forked. The commit returned the leaves it appended (`appended`); only the others
 * (resends of records stored before, or stored by another process) are read with `readIndexes`, which
 * may throw (then the acks go out without receipts: the caller decides).
 */
export async function receiptsOf(
  acks: readonly DeviceAck[],
  wanted: ReadonlyMap<string, ReadonlySet<number>>,
  forked: ReadonlySet<string>,
  appended: AppendOutcome['leaves'],
  readIndexes: (records: Array<{ device: string; seq: number }>) => Promise<Array<number | undefined>>,
): Promise<Map<string, ReceiptRange[]>> {
  const records = acks.flatMap((ack) => [...(wanted.get(ack.device) ?? [])].filter((seq) => seq <= ack.seq && !forked.has(recordKey(ack.device, seq))).map((seq) => ({ device: ack.device, seq })));
  const out = new Map<string, ReceiptRange[]>();
  if (records.length === 0) return out;
  const known = new Map(appended.map((l) => [recordKey(l.device, l.seq), l.index]));
  let indexes = records.map((r) => known.get(recordKey(r.device, r.seq)));
  const missing = records.filter((_, i) => indexes[i] === undefined);
  if (missing.length > 0) {
    const read = await readIndexes(missing);
    let k = 0;
    indexes = indexes.map((index) => index ?? read[k++]);
  }
  const pairs = new Map<string, Array<{ seq: number; index: number }>>();
  records.forEach((r, i) => {
    const index = indexes[i];
    if (index === undefined) return;
    let list = pairs.get(r.device);
    if (!list) pairs.set(r.device, (list = []));
    list.push({ seq: r.seq, index });
  });
  for (const [device, list] of pairs) out.set(device, receiptRanges(list));
  return out;
}

/** Publishes acks and resend commands; a publish that fails is logged (the device asks again or resends). */
export class Replies {
  private readonly client: Pick<MqttClient, 'publish'>;
  private readonly counters: IngestStats;
  private readonly log: Logger;

  constructor(client: Pick<MqttClient, 'publish'>, counters: IngestStats, log: Logger) {
    this.client = client;
    this.counters = counters;
    this.log = log;
  }

  ack(ack: DeviceAck, leaves?: readonly ReceiptRange[]): void {
    this.counters.acksPublished++;
    this.client.publish(deviceTopic(ack.device, 'acks'), JSON.stringify(ackMessage(ack, leaves)), { qos: 1, retain: true }, (err) => {
      if (err) this.log.warn({ device: ack.device, err }, 'ack not published');
    });
  }

  resend(device: string, from: number, to?: number): void {
    this.counters.resendsRequested++;
    this.client.publish(deviceTopic(device, 'commands'), JSON.stringify(resendCommand(from, to)), { qos: 1 }, (err) => {
      if (err) this.log.warn({ device, err }, 'resend request not sent');
    });
  }

  /** Every recorded ack again (retained): on start, so a device that missed one while ingest was down gets it. */
  async republish(store: Pick<CustodyStore, 'deviceStatuses'>): Promise<void> {
    for (const s of await store.deviceStatuses()) {
      if (s.ackedSeq !== null && s.ackedHash !== null) this.ack({ device: s.device, seq: s.ackedSeq, hash: s.ackedHash });
    }
  }
}
