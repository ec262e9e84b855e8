/**
 * The MQTT topic table, v1: the one place topic names are spelled. Every device has its own subtree
 * and may touch nothing else (the gateway's ACL and the Mosquitto pattern ACL both derive from this).
 *
 *   wt/v1/dev/{device}/records   device -> server  signed records, one or more envelope lines (QoS 1)
 *   wt/v1/dev/{device}/status    device -> server  retained birth message, and the will on loss (QoS 1)
 *   wt/v1/dev/{device}/acks      server -> device  highest contiguous seq stored, and the log leaf of each
 *                                                  record this ack newly covers (QoS 1, retained)
 *   wt/v1/dev/{device}/commands  server -> device  resend requests (QoS 1)
 */
import { DEVICE_ID_PATTERN } from '../record/events.ts';

export const TOPIC_ROOT = 'wt/v1/dev';
export const DEVICE_TOPIC_KINDS = ['records', 'status', 'acks', 'commands'] as const;
export type DeviceTopicKind = (typeof DEVICE_TOPIC_KINDS)[number];

/** Which way each topic flows: what a device may publish, and what it may subscribe to. */
export const DEVICE_PUBLISHES: readonly DeviceTopicKind[] = ['records', 'status'];
export const DEVICE_SUBSCRIBES: readonly DeviceTopicKind[] = ['acks', 'commands'];
/** Topics whose last message is retained by the broker; a retain flag anywhere else is cleared. */
export const RETAINED_TOPIC_KINDS: readonly DeviceTopicKind[] = ['status', 'acks'];

export function deviceTopic(device: string, kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/${device}/${kind}`;
}

/** Wildcard subscription for the server: every device's topic of one kind. */
export function allDevicesTopic(kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/+/${kind}`;
}

/** MQTT 5 shared subscription, so several server processes split the records between them. */
export function sharedSubscription(group: string, kind: DeviceTopicKind): string {
  return `$share/${group}/${allDevicesTopic(kind)}`;
}

export function parseDeviceTopic(topic: string): { device: string; kind: DeviceTopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return undefined;
  const device = parts[3]!;
  const kind = parts[4] as DeviceTopicKind;
  if (!DEVICE_ID_PATTERN.test(device) || !DEVICE_TOPIC_KINDS.includes(kind)) return undefined;
  return { device, kind };
}

/** The server's application acknowledgement: everything up to `seq` is durably stored. */
export interface AckMessage {
  v: 1;
  seq: number;
  /** Hash of the record at `seq`, so the device can tell the server holds its chain and not a fork. */
  hash: string;
  /**
   * Receipts: the verifiable log's leaf index of each record of this device stored or resent in the
   * commit that sent this ack (docs/protocol/log.md#receipts). Absent from older servers; devices that
   * do not read it lose nothing.
   */
  leaves?: ReceiptRange[];
}

/** Records seq .. seq + count - 1 are leaves index .. index + count - 1 of the log. */
export interface ReceiptRange {
  seq: number;
  count: number;
  index: number;
}

/** Groups (seq, leaf index) pairs into ranges where both run on by one; input in any order, seqs distinct. */
export function receiptRanges(pairs: ReadonlyArray<{ seq: number; index: number }>): ReceiptRange[] {
  const sorted = [...pairs].sort((a, b) => a.seq - b.seq);
  const out: ReceiptRange[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && p.seq === last.seq + last.count && p.index === last.index + last.count) last.count++;
    else out.push({ seq: p.seq, count: 1, index: p.index });
  }
  return out;
}

/** The leaf index of every seq the ranges name, in order. */
export function receiptPairs(ranges: readonly ReceiptRange[]): Array<{ seq: number; index: number }> {
  return ranges.flatMap((r) => Array.from({ length: r.count }, (_, i) => ({ seq: r.seq + i, index: r.index + i })));
}

/** A command from the server to a device. */
export type CommandMessage = { v: 1; type: 'resend'; from: number; to?: number };

/** Device status, retained: the birth message says online, the will says offline. */
export interface StatusMessage {
  v: 1;
  state: 'online' | 'offline';
  time: string;
  agent?: string;
  backlog?: number;
}

export function parseAck(payload: string): AckMessage | undefined {
  const m = parseJsonObject(payload);
  if (!m || m.v !== 1 || !isPositiveInt(m.seq) || typeof m.hash !== 'string' || !/^[0-9a-f]{64}$/.test(m.hash)) return undefined;
  const leaves = parseReceiptRanges(m.leaves);
  return { v: 1, seq: m.seq, hash: m.hash, ...(leaves ? { leaves } : {}) };
}

/** At most this many ranges in one ack; a longer list is ignored whole (the ack itself still counts). */
export const MAX_ACK_RECEIPT_RANGES = 10_000;

// Malformed receipts are dropped, never the ack: receipts are an addition the chain does not depend on.
function parseReceiptRanges(v: unknown): ReceiptRange[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_ACK_RECEIPT_RANGES) return undefined;
  const out: ReceiptRange[] = [];
  for (const r of v) {
    if (typeof r !== 'object' || r === null) return undefined;
    const { seq, count, index } = r as Record<string, unknown>;
    if (!isPositiveInt(seq) || !isPositiveInt(count) || !(index === 0 || isPositiveInt(index))) return undefined;
    if (!Number.isSafeInteger(seq + count) || !Number.isSafeInteger(index + count)) return undefined;
    out.push({ seq, count, index });
  }
  return out;
}

export function parseCommand(payload: string): CommandMessage | undefined {
  const m = parseJsonObject(payload);
  if (!m || m.v !== 1 || m.type !== 'resend' || !isPositiveInt(m.from)) return undefined;
  if (m.to !== undefined && (!isPositiveInt(m.to) || m.to < m.from)) return undefined;
  return { v: 1, type: 'resend', from: m.from, ...(m.to !== undefined ? { to: m.to as number } : {}) };
}

export function parseStatus(payload: string): StatusMessage | undefined {
  const m = parseJsonObject(payload);
  if (!m || m.v !== 1 || (m.state !== 'online' && m.state !== 'offline') || typeof m.time !== 'string') return undefined;
  return {
    v: 1,
    state: m.state,
    time: m.time,
    ...(typeof m.agent === 'string' ? { agent: m.agent } : {}),
    ...(Number.isSafeInteger(m.backlog) ? { backlog: m.backlog as number } : {}),
  };
}

function parseJsonObject(payload: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(payload);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}
