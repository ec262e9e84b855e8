/**
 * The one place a real serial port is opened. A link keeps its port open: when the USB adapter is
 * unplugged or the device is not there yet, it tries again (1 s, doubling to 10 s) and reports the
 * state, so a station survives a cable being pulled. Everything above it sees bytes in, bytes out.
 */
import { SerialPort } from 'serialport';
import type { Logger } from '@wastetrail/runtime';
import type { SerialLine } from '../config/config.ts';

/** What a link needs of a serialport stream (SerialPort, SerialPortMock). */
export interface PortLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer, cb?: (err: Error | null | undefined) => void): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', listener: (err?: Error | null) => void): unknown;
  removeAllListeners(): unknown;
}

export type PortFactory = (settings: SerialLine & { autoOpen: false }) => PortLike;

export const realPort: PortFactory = (s) => new SerialPort(s) as unknown as PortLike;

export interface SerialLinkOptions {
  line: SerialLine;
  logger: Logger;
  createPort?: PortFactory;
  onData: (chunk: Buffer) => void;
  onState?: (open: boolean) => void;
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

export class SerialLink {
  private readonly o: SerialLinkOptions;
  private port: PortLike | undefined;
  private retryMs = MIN_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastError: string | undefined;

  constructor(options: SerialLinkOptions) {
    this.o = options;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  start(): void {
    this.openNow();
  }

  /** Writes bytes if the port is open; false when not (the caller just tries again next time). */
  write(bytes: Uint8Array): boolean {
    if (!this.port?.isOpen) return false;
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
      if (err) this.o.logger.warn({ path: this.o.line.path, error: err.message }, 'serial write failed');
    });
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
    port?.on('error', () => {});
  }

  private openNow(): void {
    if (this.closed) return;
    const { line, logger } = this.o;
    const port = (this.o.createPort ?? realPort)({ ...line, autoOpen: false });
    this.port = port;
    port.on('data', (chunk) => this.o.onData(chunk));
    port.on('error', (err) => {
      if (err) this.lastError = err.message;
    });
    port.on('close', () => {
      if (this.port !== port) return;
      logger.warn({ path: line.path }, 'serial port closed; reopening');
      this.o.onState?.(false);
      this.retryLater(port);
    });
    port.open((err) => {
      if (this.closed) {
        if (!err) port.close();
        return;
      }
      if (err) {
        // Logged once per distinct error, not on every retry of an absent device.
        if (err.message !== this.lastError) logger.warn({ path: line.path, error: err.message }, 'cannot open serial port; will retry');
        this.lastError = err.message;
        this.retryLater(port);
        return;
      }
      logger.info({ path: line.path, baudRate: line.baudRate, dataBits: line.dataBits, parity: line.parity, stopBits: line.stopBits }, 'serial port open');
      this.lastError = undefined;
      this.retryMs = MIN_RETRY_MS;
      this.o.onState?.(true);
    });
  }

  private retryLater(port: PortLike): void {
    port.removeAllListeners();
    // A late error from a port given up on must not become an uncaught 'error' event.
    port.on('error', () => {});
    if (this.port === port) this.port = undefined;
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.openNow(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }
}
