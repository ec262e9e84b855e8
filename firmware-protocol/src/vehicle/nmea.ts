/**
 * A GNSS receiver's NMEA 0183 stream -> fixes. Sentences are decoded (and their checksums checked) by
 * nmea-simple; this file frames the lines, pairs each second's GGA (fix quality, satellites) with its
 * RMC (date, speed) and turns the pair into one fix in integer units. A receiver must send both, as
 * every common module does by default (u-blox, Quectel L76, MediaTek).
 *
 * Nothing is thrown at the caller: a bad checksum, a sentence cut by a port opened mid-line or an
 * epoch missing one of the two sentences is dropped and counted, and a second with no fix is reported
 * as such (a tunnel is not a position).
 */
import { parseNmeaSentence, type GGAPacket, type Packet, type RMCPacket } from 'nmea-simple';
import type { FixQuality } from '../record/events.ts';
import { latin1 } from '../scale/bytes.ts';
import { LineFramer } from '../scale/lines.ts';

/** A fix in the units of a `track` record: microdegrees, tenths of a km/h. */
export interface GnssFixReading {
  /** ms since the epoch, UTC, as the receiver reports it. */
  atMs: number;
  lat: number;
  lon: number;
  speed: number;
  quality: FixQuality;
  satellites: number;
}

export type GnssDropReason = 'bad-sentence' | 'incomplete-epoch' | 'line-too-long';

export interface GnssParserEvents {
  onFix: (fix: GnssFixReading) => void;
  /** A second the receiver reported without a fix (a tunnel, a cold start, an antenna fault). */
  onNoFix?: (atMs: number | undefined) => void;
  onDrop?: (reason: GnssDropReason, line: string) => void;
}

/** NMEA 0183 allows 82 characters a sentence; a longer "line" is noise. */
const MAX_SENTENCE = 82;
const KNOT_IN_KMH = 1.852;
const DAY_MS = 86_400_000;

const QUALITY_OF: Partial<Record<GGAPacket['fixType'], FixQuality>> = {
  fix: 'gps',
  delta: 'dgps',
  pps: 'pps',
  rtk: 'rtk',
  frtk: 'float-rtk',
  estimated: 'estimated',
  manual: 'manual',
  simulation: 'simulation',
};

/** Degrees -> integer microdegrees, the record's one form of a coordinate. */
export const toMicrodegrees = (degrees: number): number => Math.round(degrees * 1e6);

/** The UTC time of day of a sentence, in ms; the key pairing a GGA with the RMC of the same second. */
const timeOfDay = (d: Date): number => d.getTime() - Math.floor(d.getTime() / DAY_MS) * DAY_MS;

export class GnssFixParser {
  /** Sentences read, fixes made, and what was dropped. */
  readonly counters = { sentences: 0, fixes: 0, noFix: 0, dropped: 0 };
  private readonly framer = new LineFramer(128);
  private readonly on: GnssParserEvents;
  private gga: GGAPacket | undefined;
  private rmc: RMCPacket | undefined;

  constructor(events: GnssParserEvents) {
    this.on = events;
  }

  /** Bytes of a sentence not yet ended (the framer's bound caps it). */
  get pending(): number {
    return this.framer.pending;
  }

  push(chunk: Uint8Array): void {
    this.framer.push(chunk, (bytes, cut) => {
      const text = latin1(bytes).trim();
      // A sentence starts with $; anything before it is noise from a port opened mid-line.
      const line = text.slice(Math.max(0, text.lastIndexOf('$')));
      if (cut > 0 || line.length > MAX_SENTENCE) return this.drop('line-too-long', line);
      if (!line.startsWith('$')) return this.drop('bad-sentence', line);
      this.sentence(line);
    });
  }

  /** The port was reopened: half a line or half an epoch from before means nothing now. */
  reset(): void {
    this.framer.reset();
    this.gga = this.rmc = undefined;
  }

  private sentence(line: string): void {
    let packet: Packet;
    try {
      packet = parseNmeaSentence(line);
    } catch {
      // A bad checksum, a truncated sentence, or one nmea-simple does not know: none is a fix.
      return this.drop('bad-sentence', line);
    }
    this.counters.sentences++;
    if (packet.sentenceId !== 'GGA' && packet.sentenceId !== 'RMC') return;
    const tod = timeOfDay(packet.sentenceId === 'GGA' ? packet.time : packet.datetime);
    // A new second began (or the same sentence came twice) with only half of the last one seen.
    const pending = this.gga ?? this.rmc;
    if (pending && (timeOfDay(pending.sentenceId === 'GGA' ? pending.time : pending.datetime) !== tod || pending.sentenceId === packet.sentenceId)) {
      this.drop('incomplete-epoch', '');
      this.gga = this.rmc = undefined;
    }
    if (packet.sentenceId === 'GGA') this.gga = packet;
    else this.rmc = packet;
    if (this.gga && this.rmc) this.epoch(this.gga, this.rmc);
  }

  private epoch(gga: GGAPacket, rmc: RMCPacket): void {
    this.gga = this.rmc = undefined;
    const quality = QUALITY_OF[gga.fixType];
    if (quality === undefined || rmc.status !== 'valid') {
      this.counters.noFix++;
      return this.on.onNoFix?.(rmc.datetime.getTime() || undefined);
    }
    this.counters.fixes++;
    this.on.onFix({
      atMs: rmc.datetime.getTime(),
      lat: toMicrodegrees(gga.latitude),
      lon: toMicrodegrees(gga.longitude),
      speed: Math.round(rmc.speedKnots * KNOT_IN_KMH * 10),
      quality,
      satellites: gga.satellitesInView,
    });
  }

  private drop(reason: GnssDropReason, line: string): void {
    this.counters.dropped++;
    this.on.onDrop?.(reason, line);
  }
}
