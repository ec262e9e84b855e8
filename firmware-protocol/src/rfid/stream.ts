/**
 * What every reader stream parser reports about a serial line, so the edge agent can log line quality
 * the same way for every reader family.
 */
export interface FrameStreamCounters {
  /** Frames delivered. */
  frames: number;
  dropped: {
    /** Complete candidate frames whose CRC or checksum failed. On a line without a start byte, one damaged
     * frame can count more than once while the parser slides through it. */
    badCrc: number;
    /** Bytes thrown away: noise, and the first byte of each candidate that failed (the parser slides one byte). */
    junkBytes: number;
  };
}

export function newFrameStreamCounters(): FrameStreamCounters {
  return { frames: 0, dropped: { badCrc: 0, junkBytes: 0 } };
}
