/**
 * The cargo box's I/O module on a serial line: door contact and temperature probe as $PWTIO sentences
 * (firmware-protocol's cargo-io codec; docs/transport/vehicle.md has the wiring).
 */
import { CargoIoParser, type CargoReading } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import type { PortFactory } from './serial-link.ts';
import { logDrop, SentenceDevice } from './sentence-device.ts';

export interface CargoIoOptions {
  line: SerialLine;
  logger: Logger;
  onReading: (r: CargoReading) => void;
  createPort?: PortFactory;
}

export class CargoIo extends SentenceDevice<CargoIoParser> {
  constructor(o: CargoIoOptions) {
    const parser: CargoIoParser = new CargoIoParser(o.onReading, (line) => logDrop(o.logger, 'cargo I/O', parser.counters.dropped, { line: line.slice(0, 90) }));
    super(parser, o);
  }
}
