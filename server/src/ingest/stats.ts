/** Ingest counters, for /metrics: a plain object, and its Prometheus text form. */

/** Upper bounds (ms) of the commit latency histogram buckets. */
export const COMMIT_LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000] as const;

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
  /** Commit latency: count, sum and max (ms), and cumulative bucket counts (Prometheus style). */
  commitLatency: { count: number; sumMs: number; maxMs: number; buckets: number[] };
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
    commitLatency: { count: 0, sumMs: 0, maxMs: 0, buckets: COMMIT_LATENCY_BUCKETS_MS.map(() => 0) },
    acksPublished: 0,
    integrityAlerts: 0,
    verifiedInWorkers: 0,
    verifiedInline: 0,
    statusIgnored: 0,
  };
}

export function recordCommitLatency(stats: IngestStats, ms: number): void {
  const h = stats.commitLatency;
  h.count++;
  h.sumMs += ms;
  if (ms > h.maxMs) h.maxMs = ms;
  COMMIT_LATENCY_BUCKETS_MS.forEach((le, i) => {
    if (ms <= le) h.buckets[i]!++;
  });
}

export function copyIngestStats(s: IngestStats): IngestStats {
  return { ...s, quarantined: { ...s.quarantined }, commitLatency: { ...s.commitLatency, buckets: [...s.commitLatency.buckets] } };
}

export function renderIngestMetrics(s: IngestStats, prefix = 'wastetrail_ingest'): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) =>
    out.push(`# HELP ${prefix}_${name} ${help}`, `# TYPE ${prefix}_${name} ${type}`, `${prefix}_${name} ${value}`);
  metric('messages_total', 'counter', 'MQTT messages on records topics', s.messages);
  metric('status_messages_total', 'counter', 'MQTT messages on status topics', s.statusMessages);
  metric('records_received_total', 'counter', 'envelopes read from records payloads', s.received);
  metric('records_accepted_total', 'counter', 'records newly stored', s.accepted);
  metric('records_duplicate_total', 'counter', 'records received again and re-acknowledged', s.duplicates);
  out.push(`# HELP ${prefix}_quarantined_total refused payloads and records by code`, `# TYPE ${prefix}_quarantined_total counter`);
  for (const [code, n] of Object.entries(s.quarantined).sort()) out.push(`${prefix}_quarantined_total{code="${code}"} ${n}`);
  metric('records_held', 'gauge', 'records waiting behind a sequence gap', s.held);
  metric('records_queued', 'gauge', 'records waiting to be linked into their chain', s.queued);
  metric('resends_requested_total', 'counter', 'resend commands sent to devices', s.resendsRequested);
  metric('gaps_given_up_total', 'counter', 'sequence gaps not filled in time', s.gapsGivenUp);
  metric('chain_resyncs_total', 'counter', 'chains restarted from the store', s.resyncs);
  metric('batches_total', 'counter', 'group commits', s.batches);
  metric('largest_batch_records', 'gauge', 'records in the largest group commit', s.largestBatch);
  metric('commit_failures_total', 'counter', 'group commits that failed', s.commitFailures);
  metric('acks_published_total', 'counter', 'acknowledgements published to devices', s.acksPublished);
  metric('integrity_alerts_total', 'counter', 'integrity problems reported to alerts', s.integrityAlerts);
  metric('verified_in_workers_total', 'counter', 'signatures checked by worker threads', s.verifiedInWorkers);
  metric('verified_inline_total', 'counter', 'signatures checked on the main thread', s.verifiedInline);
  metric('status_ignored_total', 'counter', 'status messages from devices not in the keyring', s.statusIgnored);
  const h = s.commitLatency;
  out.push(`# HELP ${prefix}_commit_seconds group commit latency`, `# TYPE ${prefix}_commit_seconds histogram`);
  COMMIT_LATENCY_BUCKETS_MS.forEach((le, i) => out.push(`${prefix}_commit_seconds_bucket{le="${le / 1000}"} ${h.buckets[i]}`));
  out.push(`${prefix}_commit_seconds_bucket{le="+Inf"} ${h.count}`, `${prefix}_commit_seconds_sum ${h.sumMs / 1000}`, `${prefix}_commit_seconds_count ${h.count}`);
  return `${out.join('\n')}\n`;
}
