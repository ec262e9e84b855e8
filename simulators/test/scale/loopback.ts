import type { SerialEndpoint } from '../../src/serial/endpoint.ts';

/** An in-memory SerialEndpoint: what the device wrote, and a way to play the host. */
export class Loopback implements SerialEndpoint {
  readonly written: Uint8Array[] = [];
  private listeners: ((chunk: Buffer) => void)[] = [];
  /** When set, writes wait for this promise (a line that is busy or blocked). */
  hold?: Promise<void>;

  async write(data: Uint8Array): Promise<void> {
    this.written.push(data.slice());
    if (this.hold) await this.hold;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {}

  /** The host sends bytes to the device. */
  hostSends(text: string | Uint8Array): void {
    const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : Buffer.from(text);
    for (const l of this.listeners) l(buf);
  }

  /** Everything written since the last take(). */
  take(): Uint8Array {
    const all = Buffer.concat(this.written.splice(0));
    return new Uint8Array(all);
  }

  text(): string {
    return Buffer.from(this.take()).toString('latin1');
  }
}
