/**
 * Refusals: what goes into quarantine (the envelope line or payload as it came, with its code) and the
 * integrity problem it is when it can be pinned on a device. The builders are pure; `Quarantine` counts
 * and logs each refusal and puts it into the pending batch.
 */
import { parseDeviceTopic, utf8, type RecordError } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { NewQuarantineEntry, NewRecord } from '../store/index.ts';
import type { QuarantineCode } from './codes.ts';
import type { Arrival } from './device-chain.ts';
import type { IntegrityProblem } from './integrity.ts';
import type { PendingBatch } from './pending-batch.ts';
import type { Refusal as PayloadRefusal } from './payload.ts';
import type { IngestStats } from './stats.ts';

export interface Refusal {
  entry: NewQuarantineEntry;
  /** Absent when no device can be named, or the refusal says nothing about the device (a malformed status). */
  problem?: IntegrityProblem;
}

/** Where a message came from. */
export interface MessageOrigin {
  topic: string;
  /** The device of the topic. */
  device: string;
  receivedAt: string;
}

/** A payload (or one of its lines) that is not an envelope. */
export function payloadRefusal(origin: MessageOrigin, r: PayloadRefusal): Refusal {
  const { topic, device, receivedAt } = origin;
  return {
    entry: { receivedAt, topic, code: r.code, message: r.message, device, payload: r.payload, payloadBytes: r.payloadBytes },
    problem: { device, code: r.code, message: r.message, at: receivedAt },
  };
}

/**
 * An envelope line refused before it reached a chain. `device` is who the record claims to be (kept
 * in quarantine); the problem is the topic's device's, the client that published it.
 */
export function lineRefusal(origin: MessageOrigin, line: string, code: QuarantineCode, message: string, device: string, seq?: number): Refusal {
  const payload = utf8(line);
  const at = seq !== undefined ? { seq } : {};
  return {
    entry: { receivedAt: origin.receivedAt, topic: origin.topic, code, message, device, ...at, payload, payloadBytes: payload.length },
    problem: { device: origin.device, code, message, ...at, at: origin.receivedAt },
  };
}

/** A record its chain (or verification) refused. */
export function arrivalRefusal(a: Arrival, error: RecordError): Refusal {
  const payload = utf8(a.line);
  const device = error.device ?? parseDeviceTopic(a.topic)?.device;
  const seq = error.seq ?? a.seq;
  const entry: NewQuarantineEntry = { receivedAt: a.receivedAt, topic: a.topic, code: error.code, message: error.message, ...(device !== undefined ? { device } : {}), seq, payload, payloadBytes: payload.length };
  if (device === undefined) return { entry };
  return { entry, problem: { device, code: error.code, message: error.message, seq, hash: a.decoded.hash, at: a.receivedAt } };
}

/** A record another server process beat to its seq with a different one: a fork found at commit time. */
export function conflictRefusal(r: NewRecord, storedHash: string): Refusal {
  const message = `a different record (${storedHash.slice(0, 16)}...) is stored at seq ${r.seq}: the chain forks`;
  return {
    entry: { receivedAt: r.receivedAt, code: 'FORK', message, device: r.device, seq: r.seq, payload: r.bytes, payloadBytes: r.bytes.length },
    problem: { device: r.device, code: 'FORK', message, seq: r.seq, at: r.receivedAt },
  };
}

/** Where refusals go: counted by code, logged, and written with the next commit. */
export class Quarantine {
  private readonly counters: IngestStats;
  private readonly log: Logger;
  private readonly batch: { readonly pending: PendingBatch; schedule(): void };

  constructor(counters: IngestStats, log: Logger, batch: { readonly pending: PendingBatch; schedule(): void }) {
    this.counters = counters;
    this.log = log;
    this.batch = batch;
  }

  refuse({ entry, problem }: Refusal): void {
    this.counters.quarantined[entry.code] = (this.counters.quarantined[entry.code] ?? 0) + 1;
    this.log.info({ device: entry.device, seq: entry.seq, code: entry.code, reason: entry.message, topic: entry.topic?.slice(0, 160) }, 'quarantined');
    this.batch.pending.quarantined(entry);
    if (problem) this.batch.pending.problem(problem);
    this.batch.schedule();
  }
}
