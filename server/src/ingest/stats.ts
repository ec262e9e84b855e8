/**
 * Ingest counters: a plain object (`ingest.stats()`, GET /api/v1/ingest/stats), and the same counts
 * on the process's prom-client registry for /metrics, with the commit and verification histograms.
 */
import { exposeKeptCounts, Histogram, type KeptCount, type Registry } from '@wastetrail/runtime';

/** Upper bounds (seconds) of the commit duration histogram buckets. */
export const COMMIT_SECONDS_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
/** An Ed25519 check takes tens of microseconds; a worker round trip, milliseconds. */
export const VERIFY_SECONDS_BUCKETS = [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5];

export interface IngestStats {
  /** MQTT messages on records topics. */
  messages: number;
  /** MQTT messages on status topics. */
  statusMessages: number;
  /** Envelopes read from records payloads. */
  received: number;
  /** Records newly stored. */
  accepted: number;
  /** The same record again (a resend): re-acknowledged, stored once. */
  duplicates: number;
  /** Refused payloads and records, by code (RecordErrorCode or IngestErrorCode). */
  quarantined: Record<string, number>;
  /** Records waiting behind a gap now (gauge). */
  held: number;
  /** Arrivals waiting to be linked now (gauge). */
  queued: number;
  resendsRequested: number;
  gapsGivenUp: number;
  /** Chains restarted from the store because another process stored their records. */
  resyncs: number;
  batches: number;
  /** Records in the largest batch so far. */
  largestBatch: number;
  commitFailures: number;
  acksPublished: number;
  integrityAlerts: number;
  /** Signatures checked by worker threads, and on the main thread. */
  verifiedInWorkers: number;
  verifiedInline: number;
  /** Status messages from devices not in the keyring (ignored). */
  statusIgnored: number;
}

export function emptyIngestStats(): IngestStats {
  return {
    messages: 0,
    statusMessages: 0,
    received: 0,
    accepted: 0,
    duplicates: 0,
    quarantined: {},
    held: 0,
    queued: 0,
    resendsRequested: 0,
    gapsGivenUp: 0,
    resyncs: 0,
    batches: 0,
    largestBatch: 0,
    commitFailures: 0,
    acksPublished: 0,
    integrityAlerts: 0,
    verifiedInWorkers: 0,
    verifiedInline: 0,
    statusIgnored: 0,
  };
}

export function copyIngestStats(s: IngestStats): IngestStats {
  return { ...s, quarantined: { ...s.quarantined } };
}

/** The counts on the process's registry (wastetrail_ingest_*), read from stats() when scraped. */
export function exposeIngestStats(registry: Registry, read: () => IngestStats, prefix = 'wastetrail_ingest'): void {
  const one = (name: string, kind: KeptCount['kind'], help: string, value: (s: IngestStats) => number): KeptCount => ({ name: `${prefix}_${name}`, kind, help, read: () => value(read()) });
  exposeKeptCounts(registry, [
    one('messages_total', 'counter', 'MQTT messages on records topics.', (s) => s.messages),
    one('status_messages_total', 'counter', 'MQTT messages on status topics.', (s) => s.statusMessages),
    one('records_received_total', 'counter', 'Envelopes read from records payloads.', (s) => s.received),
    one('records_accepted_total', 'counter', 'Records newly stored.', (s) => s.accepted),
    one('records_duplicate_total', 'counter', 'Records received again and re-acknowledged.', (s) => s.duplicates),
    {
      name: `${prefix}_quarantined_total`,
      kind: 'counter',
      help: 'Refused payloads and records, by code.',
      labelNames: ['code'],
      read: () => Object.entries(read().quarantined).map(([code, n]) => [{ code }, n] as const),
    },
    one('records_held', 'gauge', 'Records waiting behind a sequence gap.', (s) => s.held),
    one('records_queued', 'gauge', 'Records waiting to be linked into their chain (the queue depth).', (s) => s.queued),
    one('resends_requested_total', 'counter', 'Resend commands sent to devices.', (s) => s.resendsRequested),
    one('gaps_given_up_total', 'counter', 'Sequence gaps not filled in time.', (s) => s.gapsGivenUp),
    one('chain_resyncs_total', 'counter', 'Chains restarted from the store.', (s) => s.resyncs),
    one('batches_total', 'counter', 'Group commits.', (s) => s.batches),
    one('largest_batch_records', 'gauge', 'Records in the largest group commit.', (s) => s.largestBatch),
    one('commit_failures_total', 'counter', 'Group commits that failed.', (s) => s.commitFailures),
    one('acks_published_total', 'counter', 'Acknowledgements published to devices.', (s) => s.acksPublished),
    one('integrity_alerts_total', 'counter', 'Integrity problems reported to alerts.', (s) => s.integrityAlerts),
    one('verified_in_workers_total', 'counter', 'Signatures checked by worker threads.', (s) => s.verifiedInWorkers),
    one('verified_inline_total', 'counter', 'Signatures checked on the main thread.', (s) => s.verifiedInline),
    one('status_ignored_total', 'counter', 'Status messages from devices not in the keyring.', (s) => s.statusIgnored),
  ]);
}

/** How long commits and signature checks take: measured where they happen, observed straight into the registry. */
export interface IngestTimings {
  /** One group commit (store transaction). */
  commit: Histogram;
  /** `where="main"`: one Ed25519 check on the main thread; `where="workers"`: one round trip to the workers (up to 256 records). */
  verify: Histogram<'where'>;
}

export function ingestTimings(registry: Registry, prefix = 'wastetrail_ingest'): IngestTimings {
  return {
    commit: new Histogram({ name: `${prefix}_commit_seconds`, help: 'Group commit duration.', buckets: COMMIT_SECONDS_BUCKETS, registers: [registry] }),
    verify: new Histogram({
      name: `${prefix}_verify_seconds`,
      help: 'Signature verification: one Ed25519 check on the main thread (where="main"), or one round trip to the worker threads (where="workers").',
      labelNames: ['where'],
      buckets: VERIFY_SECONDS_BUCKETS,
      registers: [registry],
    }),
  };
}
