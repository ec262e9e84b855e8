/**
 * A QR scanner in USB-CDC (serial) mode: each code arrives as one line ended by CR. Keyboard-wedge
 * scanners cannot be read by a headless agent (docs/devices.md).
 */
import { LineFramer } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

export interface QrScannerOptions {
  config: SerialLine;
  logger: Logger;
  onScan: (payload: string) => void;
  onState?: (open: boolean) => void;
  createPort?: PortFactory;
}

export class QrScanner {
  private readonly link: SerialLink;
  private readonly framer = new LineFramer(256);

  constructor(o: QrScannerOptions) {
    this.link = new SerialLink({
      line: o.config,
      logger: o.logger,
      ...(o.createPort ? { createPort: o.createPort } : {}),
      onData: (chunk) =>
        this.framer.push(chunk, (line, cut) => {
          if (cut > 0) return o.logger.warn({ bytes: cut + line.length }, 'QR code longer than 256 bytes ignored');
          const text = Buffer.from(line).toString('latin1').trim();
          if (text.length > 0) o.onScan(text);
        }),
      onState: (open) => {
        this.framer.reset();
        o.onState?.(open);
      },
    });
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
