/**
 * A GNSS receiver on a serial line: NMEA bytes -> firmware-protocol's GnssFixParser -> fixes and
 * no-fix seconds for the vehicle station. The receiver talks by itself (1 Hz); nothing is sent to it.
 */
import { GnssFixParser, type GnssFixReading } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

export interface GnssReceiverOptions {
  line: SerialLine;
  logger: Logger;
  onFix: (fix: GnssFixReading) => void;
  onNoFix: () => void;
  createPort?: PortFactory;
}

export class GnssReceiver {
  private readonly link: SerialLink;
  private readonly parser: GnssFixParser;

  constructor(o: GnssReceiverOptions) {
    this.parser = new GnssFixParser({
      onFix: o.onFix,
      onNoFix: () => o.onNoFix(),
      onDrop: (reason, line) => {
        // A noisy line drops often: log the first few and then every hundredth.
        const n = this.parser.counters.dropped;
        if (n <= 5 || n % 100 === 0) o.logger.debug({ reason, line: line.slice(0, 90), count: n }, 'NMEA input dropped');
      },
    });
    this.link = new SerialLink({ line: o.line, logger: o.logger, ...(o.createPort ? { createPort: o.createPort } : {}), onData: (c) => this.parser.push(c), onState: () => this.parser.reset() });
  }

  /** Sentences read, fixes, no-fix seconds and drops since start. */
  get counters(): Readonly<GnssFixParser['counters']> {
    return this.parser.counters;
  }

  get connected(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
