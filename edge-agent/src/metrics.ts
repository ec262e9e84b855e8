/**
 * The agent's Prometheus metrics, on its registry (with the default process metrics, @wastetrail/runtime).
 * Nothing is counted twice: at scrape time the gauges ask the outbox (two indexed lookups), and the
 * counters copy the totals the uplink and the device shells already keep. Records signed and
 * acknowledged count from this process's start, as Prometheus counters do.
 */
import { Counter, Gauge, type Registry } from '@wastetrail/runtime';
import type { CargoIo } from './devices/cargo-io.ts';
import type { GnssReceiver } from './devices/gnss-receiver.ts';
import type { RfidReader } from './devices/rfid-reader.ts';
import type { ScaleDevice } from './devices/scale.ts';
import type { Outbox } from './outbox/outbox.ts';
import type { Uplink } from './uplink/uplink.ts';
import type { LogWitness } from './witness/witness.ts';

export interface AgentMetricsSource {
  outbox: Outbox;
  uplink: Uplink;
  /** A custody station's scale and reader, or a vehicle station's receiver and cargo I/O module. */
  devices: { scale?: ScaleDevice; reader?: RfidReader; gnss?: GnssReceiver; cargo?: CargoIo };
  /** The wall clock records are stamped with, ms since the epoch. */
  wall: () => number;
  /** The light witness, when the config names a log to audit. */
  witness?: LogWitness;
}

export function registerAgentMetrics(registry: Registry, s: AgentMetricsSource): void {
  const registers = [registry];
  const atStart = { head: s.outbox.head().seq, acked: s.outbox.ackedSeq() };
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });

  new Gauge({
    name: 'wastetrail_edge_outbox_depth',
    help: 'Records committed to the outbox and not yet acknowledged by the server.',
    registers,
    collect() {
      this.set(s.outbox.backlog());
    },
  });
  new Gauge({
    name: 'wastetrail_edge_outbox_oldest_unacknowledged_age_seconds',
    help: 'Age of the oldest record the server has not acknowledged, by its record time (0: none waiting).',
    registers,
    collect() {
      const oldest = s.outbox.oldestUnacknowledged();
      this.set(oldest ? Math.max(0, (s.wall() - Date.parse(oldest.time)) / 1000) : 0);
    },
  });
  total('wastetrail_edge_records_signed_total', 'Records signed and committed to the outbox (custody steps and heartbeats).', () => s.outbox.head().seq - atStart.head);
  total('wastetrail_edge_records_acknowledged_total', 'Records the server acknowledged as stored.', () => Math.max(0, s.outbox.ackedSeq() - atStart.acked));
  total('wastetrail_edge_records_published_total', 'Records published to the broker, resends included.', () => s.uplink.stats.recordsPublished);
  total('wastetrail_edge_uplink_connections_total', 'Connections to the broker: the first and every reconnect.', () => s.uplink.stats.reconnects);
  total('wastetrail_edge_uplink_ack_timeouts_total', 'Times no acknowledgement came in time and sending went back to the last ack.', () => s.uplink.stats.ackTimeouts);
  new Gauge({
    name: 'wastetrail_edge_uplink_connected',
    help: '1 while connected to the broker, else 0.',
    registers,
    collect() {
      this.set(s.uplink.status().state === 'connected' ? 1 : 0);
    },
  });
  const witness = s.witness;
  if (witness) {
    new Counter({
      name: 'wastetrail_edge_log_audits_total',
      help: "Audits of the server's verifiable log: outcome passed, or the failure's code (an alarm: LOG_ROLLED_BACK, LOG_FORKED, RECORD_NOT_IN_LOG, CHECKPOINT_INVALID; LOG_UNREACHABLE: nothing checked).",
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.labels('passed').inc(witness.stats.passed);
        for (const [code, n] of witness.stats.failed) this.labels(code).inc(n);
      },
    });
  }
  new Counter({
    name: 'wastetrail_edge_serial_frames_total',
    help: 'What the serial devices sent: scale readings, reader replies, NMEA sentences and cargo I/O sentences, accepted or rejected (noise, bad checksum, bad reply).',
    labelNames: ['device', 'outcome'],
    registers,
    collect() {
      const { scale, reader, gnss, cargo } = s.devices;
      this.reset();
      if (scale) {
        this.labels('scale', 'accepted').inc(scale.stats.readings);
        this.labels('scale', 'rejected').inc(scale.stats.dropped);
      }
      if (reader) {
        this.labels('rfid', 'accepted').inc(reader.stats.inventories);
        this.labels('rfid', 'rejected').inc(reader.stats.errors);
      }
      if (gnss) {
        this.labels('gnss', 'accepted').inc(gnss.counters.sentences);
        this.labels('gnss', 'rejected').inc(gnss.counters.dropped);
      }
      if (cargo) {
        this.labels('cargo', 'accepted').inc(cargo.counters.readings);
        this.labels('cargo', 'rejected').inc(cargo.counters.dropped);
      }
    },
  });
}
