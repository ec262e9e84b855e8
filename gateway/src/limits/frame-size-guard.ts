/**
 * Follows MQTT packet boundaries through a byte stream, reading only each fixed header's remaining
 * length, so a connection that announces an oversize packet is cut before the packet is buffered (the
 * MQTT parser inside aedes would otherwise collect up to 256 MiB before anyone looks at it).
 *
 *   byte 0     packet type and flags
 *   bytes 1-4  remaining length, 7 bits per byte, least significant first, high bit = more bytes
 *   then       `remaining length` bytes of variable header and payload
 */
const HEADER = 0;
const LENGTH = 1;
const BODY = 2;

export class MqttFrameSizeGuard {
  readonly maxRemainingLength: number;
  #state = HEADER;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #bodyLeft = 0;

  constructor(maxRemainingLength: number) {
    this.maxRemainingLength = maxRemainingLength;
  }

  /**
   * Feeds the next bytes of the stream. Returns the remaining length announced by the first packet over
   * the limit (Infinity for a malformed length), or undefined while every packet fits.
   */
  feed(chunk: Uint8Array): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === BODY) {
        const skip = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= skip;
        i += skip;
        if (this.#bodyLeft === 0) this.#state = HEADER;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#state === HEADER) {
        this.#state = LENGTH;
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      if (byte & 0x80) {
        if (this.#lengthBytes === 4) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.#length > this.maxRemainingLength) return this.#length;
      this.#bodyLeft = this.#length;
      this.#state = this.#length === 0 ? HEADER : BODY;
    }
    return undefined;
  }
}
