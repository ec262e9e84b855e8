/**
 * The cargo box's I/O module on a serial line: door contact and temperature probe as $PWTIO sentences
 * (firmware-protocol's cargo-io codec; docs/transport/vehicle.md has the wiring).
 */
import { CargoIoParser, type CargoReading } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

export interface CargoIoOptions {
  line: SerialLine;
  logger: Logger;
  onReading: (r: CargoReading) => void;
  createPort?: PortFactory;
}

export class CargoIo {
  private readonly link: SerialLink;
  private readonly parser: CargoIoParser;

  constructor(o: CargoIoOptions) {
    this.parser = new CargoIoParser(o.onReading, (line) => {
      const n = this.parser.counters.dropped;
      if (n <= 5 || n % 100 === 0) o.logger.debug({ line: line.slice(0, 90), count: n }, 'cargo I/O input dropped');
    });
    this.link = new SerialLink({ line: o.line, logger: o.logger, ...(o.createPort ? { createPort: o.createPort } : {}), onData: (c) => this.parser.push(c), onState: () => this.parser.reset() });
  }

  get counters(): Readonly<CargoIoParser['counters']> {
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
