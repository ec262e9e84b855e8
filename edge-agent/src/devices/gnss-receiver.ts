/**
 * A GNSS receiver on a serial line: NMEA bytes -> firmware-protocol's GnssFixParser -> fixes and
 * no-fix seconds for the vehicle station. The receiver talks by itself (1 Hz); nothing is sent to it.
 */
import { GnssFixParser, type GnssFixReading } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import type { PortFactory } from './serial-link.ts';
import { logDrop, SentenceDevice } from './sentence-device.ts';

export interface GnssReceiverOptions {
  line: SerialLine;
  logger: Logger;
  onFix: (fix: GnssFixReading) => void;
  onNoFix: () => void;
  createPort?: PortFactory;
}

/** Its counters: sentences read, fixes, no-fix seconds and drops since start. */
export class GnssReceiver extends SentenceDevice<GnssFixParser> {
  constructor(o: GnssReceiverOptions) {
    const parser: GnssFixParser = new GnssFixParser({
      onFix: o.onFix,
      onNoFix: () => o.onNoFix(),
      onDrop: (reason, line) => logDrop(o.logger, 'NMEA', parser.counters.dropped, { reason, line: line.slice(0, 90) }),
    });
    super(parser, o);
  }
}
