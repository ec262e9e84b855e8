/**
 * Two connected in-memory Duplex streams (Node 20 has no stream.duplexPair): what one end writes, the
 * other reads, with backpressure. The server's own MQTT client talks to the broker through one, so the
 * server uses the same MQTT.js API whether the broker is embedded or external.
 */
import { Duplex } from 'node:stream';

class PairedStream extends Duplex {
  peer: PairedStream | undefined;
  /** The peer's write waiting for this end to be read. */
  #blockedWrite: ((error?: Error | null) => void) | undefined;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) return callback(new Error('the other end of the in-process connection is closed'));
    if (peer.push(chunk)) callback();
    else peer.#blockedWrite = callback;
  }

  override _read(): void {
    const resume = this.#blockedWrite;
    this.#blockedWrite = undefined;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    const blocked = this.#blockedWrite;
    this.#blockedWrite = undefined;
    blocked?.(new Error('in-process connection closed'));
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }
}

export function createDuplexPair(): [Duplex, Duplex] {
  const a = new PairedStream();
  const b = new PairedStream();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
