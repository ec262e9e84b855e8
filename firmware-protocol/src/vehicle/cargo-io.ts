/**
 * The cargo box's I/O module on its own serial line: the door contact and the temperature probe. It
 * speaks one proprietary NMEA-style sentence, so it shares NMEA's framing and checksum:
 *
 *   $PWTIO,<door>,<temperature>*hh<CR><LF>
 *
 * `door` is O (open) or C (closed), `temperature` the probe in °C with one decimal ("-18.5", "4.0"),
 * empty when the probe is absent or faulty. The module sends one sentence a second and one at once on
 * every door change (docs/transport/vehicle.md has the wiring).
 */
import { createNmeaChecksumFooter, validNmeaChecksum } from 'nmea-simple/dist/helpers.js';
import type { DoorAction } from '../record/events.ts';
import { latin1 } from '../scale/bytes.ts';
import { LineFramer } from '../scale/lines.ts';

export interface CargoReading {
  door: DoorAction;
  /** Tenths of a degree Celsius; absent when the probe reports nothing. */
  tenthsC?: number;
}

const SENTENCE = /^\$PWTIO,([OC]),(-?\d{1,3}\.\d)?\*[0-9A-F]{2}$/;

export function encodeCargoSentence(r: CargoReading): string {
  const body = `$PWTIO,${r.door === 'open' ? 'O' : 'C'},${r.tenthsC === undefined ? '' : (r.tenthsC / 10).toFixed(1)}`;
  return `${body}${createNmeaChecksumFooter(body)}\r\n`;
}

/** One sentence -> a reading, or undefined for anything else (noise, a bad checksum, another sentence). */
export function decodeCargoSentence(line: string): CargoReading | undefined {
  const m = SENTENCE.exec(line);
  if (!m || !validNmeaChecksum(line)) return undefined;
  const door: DoorAction = m[1] === 'O' ? 'open' : 'close';
  return m[2] === undefined ? { door } : { door, tenthsC: Math.round(Number(m[2]) * 10) };
}

export class CargoIoParser {
  readonly counters = { readings: 0, dropped: 0 };
  private readonly framer = new LineFramer(128);

  private readonly onReading: (r: CargoReading) => void;
  private readonly onDrop: ((line: string) => void) | undefined;

  constructor(onReading: (r: CargoReading) => void, onDrop?: (line: string) => void) {
    this.onReading = onReading;
    this.onDrop = onDrop;
  }

  push(chunk: Uint8Array): void {
    this.framer.push(chunk, (bytes, cut) => {
      const line = latin1(bytes).trim();
      const start = line.lastIndexOf('$');
      const reading = cut === 0 && start >= 0 ? decodeCargoSentence(line.slice(start)) : undefined;
      if (!reading) {
        this.counters.dropped++;
        return this.onDrop?.(line);
      }
      this.counters.readings++;
      this.onReading(reading);
    });
  }

  /** Bytes of a sentence not yet ended (the framer's bound caps it). */
  get pending(): number {
    return this.framer.pending;
  }

  reset(): void {
    this.framer.reset();
  }
}
