/**
 * A serial device that talks by itself in lines (NMEA 0183 and sentences like it): the bytes go to one
 * parser, a reconnect starts the parser afresh, and the parser's counters are the device's.
 */
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

export interface LineParser {
  push(chunk: Uint8Array): void;
  reset(): void;
  readonly counters: { readonly dropped: number };
}

export interface SentenceDeviceOptions {
  line: SerialLine;
  logger: Logger;
  createPort?: PortFactory;
}

export abstract class SentenceDevice<P extends LineParser> {
  private readonly link: SerialLink;
  protected readonly parser: P;

  protected constructor(parser: P, o: SentenceDeviceOptions) {
    this.parser = parser;
    this.link = new SerialLink({ line: o.line, logger: o.logger, ...(o.createPort ? { createPort: o.createPort } : {}), onData: (c) => this.parser.push(c), onState: () => this.parser.reset() });
  }

  get counters(): Readonly<P['counters']> {
    return this.parser.counters as Readonly<P['counters']>;
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

/** A noisy line drops often: log the first few drops and then every hundredth. */
export function logDrop(logger: Logger, what: string, dropped: number, fields: Record<string, unknown>): void {
  if (dropped <= 5 || dropped % 100 === 0) logger.debug({ ...fields, count: dropped }, `${what} input dropped`);
}
