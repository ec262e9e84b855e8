/**
 * Frames of the Chafon / "UHFReader18" reader family, both directions:
 *
 *     Len Adr Cmd Data... CRC_LSB CRC_MSB
 *
 * Len counts the bytes after itself, CRC included, so a frame is Len + 1 bytes (5 to 256). The CRC is
 * CRC-16/MCRF4XX over Len through the last data byte. There is no start byte: a receiver finds frames
 * by length and CRC alone (see parser.ts). In a reply, the first data byte is the status (reply.ts).
 */
import { crc16Mcrf4xx } from '../../crc/crc16-mcrf4xx.ts';
import type { Result } from '../../record/errors.ts';
import { rfidError, type RfidError } from '../errors.ts';

/** Commands sent to 0xFF reach whichever reader is on the line, whatever its configured address. */
export const CHAFON_BROADCAST_ADDRESS = 0xff;
/** Adr, Cmd and the two CRC bytes: a command with no parameters. */
export const CHAFON_MIN_LEN = 4;
export const CHAFON_MAX_FRAME_BYTES = 256;
/** Data bytes that fit in one frame: Len is one byte and also counts Adr, Cmd and the CRC. */
export const CHAFON_MAX_DATA_BYTES = 0xff - CHAFON_MIN_LEN;

export interface ChafonFrame {
  address: number;
  command: number;
  /** Everything between Cmd and the CRC: a command's parameters, or a reply's status and then its data. */
  data: Uint8Array;
}

/** Throws a RangeError for data that cannot fit one frame: that is a bug in the caller, not line noise. */
export function encodeChafonFrame(frame: ChafonFrame): Uint8Array {
  if (frame.data.length > CHAFON_MAX_DATA_BYTES) {
    throw new RangeError(`a Chafon frame holds at most ${CHAFON_MAX_DATA_BYTES} data bytes, got ${frame.data.length}`);
  }
  const len = frame.data.length + CHAFON_MIN_LEN;
  const out = new Uint8Array(len + 1);
  out[0] = len;
  out[1] = frame.address & 0xff;
  out[2] = frame.command & 0xff;
  out.set(frame.data, 3);
  const crc = crc16Mcrf4xx(out, 0, len - 1);
  out[len - 1] = crc & 0xff;
  out[len] = crc >>> 8;
  return out;
}

/** What sits at `offset`: a whole frame with a good CRC (and its size), or why not. */
export type ChafonCandidate =
  | { kind: 'frame'; frame: ChafonFrame; size: number }
  | { kind: 'incomplete'; needed: number }
  | { kind: 'bad-length' }
  | { kind: 'bad-crc'; size: number };

export function readChafonCandidate(bytes: Uint8Array, offset: number): ChafonCandidate {
  const len = bytes[offset];
  if (len === undefined) return { kind: 'incomplete', needed: 1 };
  if (len < CHAFON_MIN_LEN) return { kind: 'bad-length' };
  const size = len + 1;
  if (bytes.length - offset < size) return { kind: 'incomplete', needed: size - (bytes.length - offset) };
  const crc = crc16Mcrf4xx(bytes, offset, offset + len - 1);
  if ((crc & 0xff) !== bytes[offset + len - 1] || crc >>> 8 !== bytes[offset + len]) return { kind: 'bad-crc', size };
  // A copy in a plain Uint8Array: `bytes` may be a pooled Buffer, whose slice() is a view.
  const frame = { address: bytes[offset + 1]!, command: bytes[offset + 2]!, data: new Uint8Array(bytes.subarray(offset + 3, offset + len - 1)) };
  return { kind: 'frame', frame, size };
}

/** Decodes bytes that must be exactly one frame (a test vector, a logged frame). */
export function decodeChafonFrame(bytes: Uint8Array): Result<ChafonFrame, RfidError> {
  const candidate = readChafonCandidate(bytes, 0);
  switch (candidate.kind) {
    case 'incomplete':
      return rfidError('TRUNCATED_FRAME', `frame is ${candidate.needed} byte(s) short of its length byte`);
    case 'bad-length':
      return rfidError('BAD_LENGTH', `length byte ${bytes[0]} is below the minimum ${CHAFON_MIN_LEN}`);
    case 'bad-crc':
      return rfidError('BAD_CRC', 'CRC-16/MCRF4XX does not match');
    case 'frame':
      if (candidate.size !== bytes.length) {
        return rfidError('TRAILING_BYTES', `${bytes.length - candidate.size} byte(s) after the frame`);
      }
      return { ok: true, value: candidate.frame };
  }
}
