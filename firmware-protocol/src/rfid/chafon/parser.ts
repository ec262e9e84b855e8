/**
 * Finds Chafon frames in a serial byte stream. With no start byte, the only sign of a frame is a length
 * byte whose frame ends in a matching CRC, so after noise or a damaged frame the parser slides forward one
 * byte at a time and tries again: a real frame hidden behind junk is never skipped over.
 *
 * Pure and total: `push` never throws, and at most one frame's worth of bytes (255) waits between calls,
 * because any 256 buffered bytes hold a complete candidate that is either taken or slid past.
 */
import { newFrameStreamCounters, type FrameStreamCounters } from '../stream.ts';
import { readChafonCandidate, type ChafonFrame } from './frame.ts';

export class ChafonFrameParser {
  readonly counters: FrameStreamCounters = newFrameStreamCounters();
  private pending: Uint8Array = new Uint8Array(0);

  /** Bytes held back as the possible start of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): ChafonFrame[] {
    return this.scan(this.join(chunk), false);
  }

  /**
   * The line has been quiet for longer than a frame takes to arrive: whatever is held back is not the
   * start of a frame still coming. Without this, a noise byte that claims a long frame would hold a real
   * reply behind it until more bytes happen to arrive. Call it from the shell's idle timer.
   */
  flush(): ChafonFrame[] {
    return this.scan(this.pending, true);
  }

  /** Forgets held-back bytes without counting them (e.g. the port was reopened). */
  reset(): void {
    this.pending = new Uint8Array(0);
  }

  private join(chunk: Uint8Array): Uint8Array {
    if (this.pending.length === 0) return chunk;
    const out = new Uint8Array(this.pending.length + chunk.length);
    out.set(this.pending, 0);
    out.set(chunk, this.pending.length);
    return out;
  }

  private scan(bytes: Uint8Array, lineIdle: boolean): ChafonFrame[] {
    const frames: ChafonFrame[] = [];
    const dropped = this.counters.dropped;
    let at = 0;
    while (at < bytes.length) {
      const candidate = readChafonCandidate(bytes, at);
      if (candidate.kind === 'frame') {
        frames.push(candidate.frame);
        this.counters.frames++;
        at += candidate.size;
        continue;
      }
      if (candidate.kind === 'incomplete' && !lineIdle) break;
      if (candidate.kind === 'bad-crc') dropped.badCrc++;
      dropped.junkBytes++;
      at++;
    }
    // Copy, so a caller's chunk (often a pooled Buffer, whose slice() is a view) is never kept or seen to change.
    this.pending = new Uint8Array(bytes.subarray(at));
    return frames;
  }
}
