/**
 * Frames of readers built on the Impinj R2000 module ("A0" protocol), both directions:
 *
 *     A0 Len Addr Cmd Data... Check
 *
 * Len counts the bytes after itself (Addr through Check); Check = (-(sum of all earlier bytes)) & 0xFF,
 * i.e. the sum of the whole frame is 0 mod 256. Usually 115200 8N1.
 */
import type { Result } from '../../record/errors.ts';
import { rfidError, type RfidError } from '../errors.ts';

export const R2000_START = 0xa0;
/** Addr, Cmd and Check: a command with no parameters. */
export const R2000_MIN_LEN = 3;
export const R2000_MAX_DATA_BYTES = 0xff - R2000_MIN_LEN;
export const R2000_BROADCAST_ADDRESS = 0xff;

export const R2000_COMMAND = {
  getFirmwareVersion: 0x72,
  realTimeInventory: 0x89,
} as const;

export interface R2000Frame {
  address: number;
  command: number;
  data: Uint8Array;
}

export function r2000Checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  return -sum & 0xff;
}

/** Throws a RangeError for data that cannot fit one frame: that is a bug in the caller, not line noise. */
export function encodeR2000Frame(frame: R2000Frame): Uint8Array {
  if (frame.data.length > R2000_MAX_DATA_BYTES) {
    throw new RangeError(`an A0 frame holds at most ${R2000_MAX_DATA_BYTES} data bytes, got ${frame.data.length}`);
  }
  const len = frame.data.length + R2000_MIN_LEN;
  const out = new Uint8Array(len + 2);
  out[0] = R2000_START;
  out[1] = len;
  out[2] = frame.address & 0xff;
  out[3] = frame.command & 0xff;
  out.set(frame.data, 4);
  out[len + 1] = r2000Checksum(out, 0, len + 1);
  return out;
}

/** `A0 04 01 89 01 D1` for address 1, one round. */
export function encodeR2000RealTimeInventoryCommand(address = R2000_BROADCAST_ADDRESS, rounds = 1): Uint8Array {
  return encodeR2000Frame({ address, command: R2000_COMMAND.realTimeInventory, data: Uint8Array.of(rounds) });
}

/** `A0 03 01 72 EA` for address 1. */
export function encodeR2000FirmwareVersionCommand(address = R2000_BROADCAST_ADDRESS): Uint8Array {
  return encodeR2000Frame({ address, command: R2000_COMMAND.getFirmwareVersion, data: new Uint8Array(0) });
}

export type R2000Candidate =
  | { kind: 'frame'; frame: R2000Frame; size: number }
  | { kind: 'incomplete' }
  | { kind: 'not-a-frame' }
  | { kind: 'bad-checksum' };

export function readR2000Candidate(bytes: Uint8Array, offset: number): R2000Candidate {
  if (offset >= bytes.length) return { kind: 'incomplete' };
  if (bytes[offset] !== R2000_START) return { kind: 'not-a-frame' };
  const len = bytes[offset + 1];
  if (len === undefined) return { kind: 'incomplete' };
  if (len < R2000_MIN_LEN) return { kind: 'not-a-frame' };
  const size = len + 2;
  if (bytes.length - offset < size) return { kind: 'incomplete' };
  if (r2000Checksum(bytes, offset, offset + size - 1) !== bytes[offset + size - 1]) return { kind: 'bad-checksum' };
  // A copy in a plain Uint8Array: `bytes` may be a pooled Buffer, whose slice() is a view.
  const data = new Uint8Array(bytes.subarray(offset + 4, offset + size - 1));
  return { kind: 'frame', frame: { address: bytes[offset + 2]!, command: bytes[offset + 3]!, data }, size };
}

/** Decodes bytes that must be exactly one frame. */
export function decodeR2000Frame(bytes: Uint8Array): Result<R2000Frame, RfidError> {
  const c = readR2000Candidate(bytes, 0);
  switch (c.kind) {
    case 'incomplete':
      return rfidError('TRUNCATED_FRAME', 'the frame is shorter than its length byte says');
    case 'not-a-frame':
      return rfidError('BAD_LENGTH', 'no A0 start byte, or a length below 3');
    case 'bad-checksum':
      return rfidError('BAD_CHECKSUM', 'the frame does not sum to 0 mod 256');
    case 'frame':
      if (c.size !== bytes.length) return rfidError('TRAILING_BYTES', `${bytes.length - c.size} byte(s) after the frame`);
      return { ok: true, value: c.frame };
  }
}

/**
 * What one real-time-inventory reply frame says: a tag (FreqAnt PC(2) EPC RSSI), the end-of-round summary
 * (Ant ReadRate(2) TotalRead(4)) or an error code. A tag frame is told from the summary by its PC word:
 * the EPC length it announces (in 16-bit words) must match the frame, which a 7-byte summary never can.
 */
export type R2000InventoryReply =
  | { kind: 'tag'; antenna: number; frequency: number; pc: number; epc: Uint8Array; rssi: number }
  | { kind: 'round-end'; antenna: number; readRate: number; totalReads: number }
  | { kind: 'error'; errorCode: number };

export function decodeR2000InventoryReply(frame: R2000Frame): Result<R2000InventoryReply, RfidError> {
  if (frame.command !== R2000_COMMAND.realTimeInventory) {
    return rfidError('UNEXPECTED_COMMAND', `reply to command 0x${frame.command.toString(16)}, not to a real-time inventory`);
  }
  const d = frame.data;
  if (d.length === 1) return { ok: true, value: { kind: 'error', errorCode: d[0]! } };
  if (d.length >= 4) {
    const pc = (d[1]! << 8) | d[2]!;
    const epcBytes = (pc >>> 11) * 2;
    if (d.length === epcBytes + 4) {
      const freqAnt = d[0]!;
      return {
        ok: true,
        value: { kind: 'tag', antenna: (freqAnt & 0x03) + 1, frequency: freqAnt >>> 2, pc, epc: new Uint8Array(d.subarray(3, 3 + epcBytes)), rssi: d[d.length - 1]! },
      };
    }
  }
  if (d.length === 7) {
    const readRate = (d[1]! << 8) | d[2]!;
    const totalReads = ((d[3]! << 24) | (d[4]! << 16) | (d[5]! << 8) | d[6]!) >>> 0;
    return { ok: true, value: { kind: 'round-end', antenna: d[0]! + 1, readRate, totalReads } };
  }
  return rfidError('MALFORMED_INVENTORY', `${d.length} data bytes fit neither a tag, a round summary nor an error`);
}
