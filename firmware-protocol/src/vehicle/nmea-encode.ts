/**
 * The sentences a GNSS receiver sends each second, for the simulator and for tests: GGA and RMC with
 * the checksum nmea-simple computes. A receiver with no fix still sends both, with empty positions.
 */
import { createNmeaChecksumFooter, encodeDate, encodeLatitude, encodeLongitude, encodeTime } from 'nmea-simple/dist/helpers.js';

const KNOT_IN_KMH = 1.852;

export interface NmeaEpoch {
  atMs: number;
  /** Degrees; absent: no fix. */
  lat?: number;
  lon?: number;
  /** km/h over ground. */
  speedKmh?: number;
  satellites?: number;
}

const sentence = (body: string): string => `${body}${createNmeaChecksumFooter(body)}\r\n`;

/** hhmmss.ss: receivers send hundredths even at 1 Hz. */
const timeField = (d: Date): string => `${encodeTime(d)}.${String(Math.floor(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;

/** One second of a receiver's output: GGA then RMC, CRLF-ended ("$GNGGA,...*hh\r\n$GNRMC,...*hh\r\n"). */
export function encodeNmeaEpoch(e: NmeaEpoch, talker = 'GN'): string {
  const d = new Date(e.atMs);
  const fix = e.lat !== undefined && e.lon !== undefined;
  const position = fix ? `${encodeLatitude(e.lat)},${encodeLongitude(e.lon)}` : ',,,';
  const gga = `$${talker}GGA,${timeField(d)},${position},${fix ? 1 : 0},${String(e.satellites ?? (fix ? 9 : 0)).padStart(2, '0')},${fix ? '0.9' : ''},${fix ? '12.0' : ''},M,${fix ? '7.0' : ''},M,,`;
  const knots = ((e.speedKmh ?? 0) / KNOT_IN_KMH).toFixed(2);
  const rmc = `$${talker}RMC,${timeField(d)},${fix ? 'A' : 'V'},${position},${fix ? knots : ''},,${encodeDate(d)},,,${fix ? 'A' : 'N'}`;
  return sentence(gga) + sentence(rmc);
}
