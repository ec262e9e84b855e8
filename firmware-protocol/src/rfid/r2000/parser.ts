/**
 * Finds A0 frames in a serial byte stream: skip to the start byte, wait for the length, check the sum.
 * A failed sum slides one byte (the A0 may have been data), so a frame behind a damaged one is not lost.
 * Pure and total, like ChafonFrameParser: never throws, holds back at most one frame's bytes.
 */
import { newFrameStreamCounters, type FrameStreamCounters } from '../stream.ts';
import { readR2000Candidate, R2000_START, type R2000Frame } from './frame.ts';

export class R2000FrameParser {
  readonly counters: FrameStreamCounters = newFrameStreamCounters();
  private pending: Uint8Array = new Uint8Array(0);

  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): R2000Frame[] {
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending, 0);
      bytes.set(chunk, this.pending.length);
    }
    return this.scan(bytes, false);
  }

  /** The line went quiet: a frame still held back will never be completed. */
  flush(): R2000Frame[] {
    return this.scan(this.pending, true);
  }

  reset(): void {
    this.pending = new Uint8Array(0);
  }

  private scan(bytes: Uint8Array, lineIdle: boolean): R2000Frame[] {
    const frames: R2000Frame[] = [];
    const dropped = this.counters.dropped;
    let at = 0;
    while (at < bytes.length) {
      if (bytes[at] !== R2000_START) {
        // Skip a run of noise in one go rather than one candidate at a time.
        const next = bytes.indexOf(R2000_START, at);
        const to = next === -1 ? bytes.length : next;
        dropped.junkBytes += to - at;
        at = to;
        continue;
      }
      const c = readR2000Candidate(bytes, at);
      if (c.kind === 'frame') {
        frames.push(c.frame);
        this.counters.frames++;
        at += c.size;
        continue;
      }
      if (c.kind === 'incomplete' && !lineIdle) break;
      if (c.kind === 'bad-checksum') dropped.badCrc++;
      dropped.junkBytes++;
      at++;
    }
    this.pending = new Uint8Array(bytes.subarray(at));
    return frames;
  }
}
