import { describe, expect, it } from 'vitest';
import { decodeCargoSentence, encodeCargoSentence, encodeNmeaEpoch, CargoIoParser, GnssFixParser, type GnssDropReason, type GnssFixReading } from '../../src/index.ts';

// One second of a u-blox receiver at 1 Hz: GGA (quality 1 = GPS, 11 satellites) then RMC (valid, 22.95 kn).
const GGA_0810 = '$GNGGA,081000.00,3016.445100,N,12009.304200,E,1,11,0.9,12.0,M,7.0,M,,*79\r\n';
const RMC_0810 = '$GNRMC,081000.00,A,3016.445100,N,12009.304200,E,22.95,,020326,,,A*61\r\n';
const GGA_0811 = '$GNGGA,081001.00,3016.451400,N,12009.312600,E,1,11,0.9,12.0,M,7.0,M,,*7B\r\n';
const RMC_0811 = '$GNRMC,081001.00,A,3016.451400,N,12009.312600,E,23.22,,020326,,,A*6E\r\n';
// In a tunnel: both sentences still come, with empty positions, quality 0 and status V.
const GGA_NOFIX = '$GNGGA,081002.00,,,,,0,00,,,M,,M,,*5D\r\n';
const RMC_NOFIX = '$GNRMC,081002.00,V,,,,,,,020326,,,N*6D\r\n';

function parse(chunks: (string | Uint8Array)[]) {
  const fixes: GnssFixReading[] = [];
  const noFix: (number | undefined)[] = [];
  const drops: GnssDropReason[] = [];
  const p = new GnssFixParser({ onFix: (f) => fixes.push(f), onNoFix: (t) => noFix.push(t), onDrop: (r) => drops.push(r) });
  for (const c of chunks) p.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  return { fixes, noFix, drops, counters: p.counters };
}

const FIX_0810: GnssFixReading = { atMs: Date.parse('2026-03-02T08:10:00.000Z'), lat: 30_274_085, lon: 120_155_070, speed: 425, quality: 'gps', satellites: 11 };

describe('GNSS receiver (NMEA 0183 GGA + RMC)', () => {
  it('pairs the GGA and RMC of one second into one fix in microdegrees and tenths of km/h', () => {
    const { fixes, drops } = parse([GGA_0810 + RMC_0810 + GGA_0811 + RMC_0811]);
    expect(fixes).toEqual([FIX_0810, { atMs: Date.parse('2026-03-02T08:10:01.000Z'), lat: 30_274_190, lon: 120_155_210, speed: 430, quality: 'gps', satellites: 11 }]);
    expect(drops).toEqual([]);
  });

  it('reads a sentence split anywhere, one byte at a time included', () => {
    const bytes = Buffer.from(GGA_0810 + RMC_0810, 'latin1');
    expect(parse([...bytes].map((b) => Uint8Array.of(b))).fixes).toEqual([FIX_0810]);
    expect(parse([GGA_0810.slice(0, 20), GGA_0810.slice(20) + RMC_0810.slice(0, 3), RMC_0810.slice(3)]).fixes).toEqual([FIX_0810]);
  });

  it('drops a sentence with a bad checksum, and so the second it belonged to', () => {
    const badRmc = RMC_0810.replace('*61', '*62');
    const { fixes, drops } = parse([GGA_0810 + badRmc + GGA_0811 + RMC_0811]);
    expect(fixes.map((f) => new Date(f.atMs).toISOString())).toEqual(['2026-03-02T08:10:01.000Z']);
    expect(drops).toEqual(['bad-sentence', 'incomplete-epoch']);
  });

  it('drops a changed digit that the checksum catches', () => {
    const tampered = GGA_0810.replace('3016.4451', '3016.4452');
    expect(parse([tampered + RMC_0810]).fixes).toEqual([]);
  });

  it('reports a second with no fix as no fix, not as a position', () => {
    const { fixes, noFix, counters } = parse([GGA_NOFIX + RMC_NOFIX]);
    expect(fixes).toEqual([]);
    expect(noFix).toEqual([Date.parse('2026-03-02T08:10:02.000Z')]);
    expect(counters.noFix).toBe(1);
  });

  it('finds a sentence behind noise from a port opened mid-line, and ignores other sentences', () => {
    const gsv = '$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74\r\n';
    const { fixes } = parse(['\x00\xff,3016.44,N*5' + GGA_0810 + gsv + RMC_0810]);
    expect(fixes).toEqual([FIX_0810]);
  });

  it('reads the textbook GGA of another talker (GP) once its RMC comes', () => {
    const gga = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n';
    const rmc = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n';
    expect(parse([gga + rmc]).fixes).toEqual([{ atMs: Date.parse('1994-03-23T12:35:19.000Z'), lat: 48_117_300, lon: 11_516_667, speed: 415, quality: 'gps', satellites: 8 }]);
  });

  it('drops a line longer than any NMEA sentence', () => {
    expect(parse(['$GNGGA,' + '1'.repeat(200) + '\r\n']).drops).toEqual(['line-too-long']);
  });

  it('holds the bytes of an unfinished sentence only, and never more than its line bound', () => {
    const p = new GnssFixParser({ onFix: () => {} });
    p.push(Buffer.from(GGA_0810 + '$GNRMC,0810'));
    expect(p.pending).toBe('$GNRMC,0810'.length);
    p.push(Buffer.from('9'.repeat(1000)));
    expect(p.pending).toBeLessThanOrEqual(128);
  });

  it('writes what it reads: the simulator epoch round-trips', () => {
    const text = encodeNmeaEpoch({ atMs: FIX_0810.atMs, lat: 30.274085, lon: 120.15507, speedKmh: 42.5, satellites: 11 });
    expect(text).toBe(GGA_0810 + RMC_0810);
  });
});

describe('cargo I/O module ($PWTIO)', () => {
  it('reads the door and the probe, and a missing probe as no temperature', () => {
    expect(decodeCargoSentence('$PWTIO,C,4.2*3E')).toEqual({ door: 'close', tenthsC: 42 });
    expect(decodeCargoSentence('$PWTIO,O,*1A')).toEqual({ door: 'open' });
    expect(encodeCargoSentence({ door: 'open', tenthsC: -185 })).toBe('$PWTIO,O,-18.5*25\r\n');
    expect(decodeCargoSentence('$PWTIO,O,-18.5*25')).toEqual({ door: 'open', tenthsC: -185 });
  });

  it('refuses a bad checksum, an unknown door state and a temperature without its decimal', () => {
    expect(decodeCargoSentence('$PWTIO,C,4.2*3F')).toBeUndefined();
    expect(decodeCargoSentence('$PWTIO,X,4.2*25')).toBeUndefined();
    expect(decodeCargoSentence('$PWTIO,C,4*05')).toBeUndefined();
  });

  it('frames sentences split across chunks and counts what it drops', () => {
    const seen: unknown[] = [];
    const p = new CargoIoParser((r) => seen.push(r));
    p.push(Buffer.from('$PWTIO,C,4.'));
    p.push(Buffer.from('2*3E\r\n$PWTIO,C,4.2*00\r\ngarbage\n$PWTIO,O,*1A\r\n'));
    expect(seen).toEqual([{ door: 'close', tenthsC: 42 }, { door: 'open' }]);
    expect(p.counters).toEqual({ readings: 2, dropped: 2 });
  });

  it('holds the bytes of an unfinished sentence only, and never more than its line bound', () => {
    const p = new CargoIoParser(() => {});
    p.push(Buffer.from('$PWTIO,C,4.2*3E\r\n$PWTIO,O'));
    expect(p.pending).toBe('$PWTIO,O'.length);
    p.push(Buffer.from('x'.repeat(1000)));
    expect(p.pending).toBeLessThanOrEqual(128);
  });
});
