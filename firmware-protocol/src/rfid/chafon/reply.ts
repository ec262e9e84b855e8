/**
 * Replies from a Chafon reader:  Len Adr reCmd Status Data... CRC
 * reCmd echoes the command answered; Adr is the reader's own address (0x00 unless configured).
 */
import type { Result } from '../../record/errors.ts';
import { rfidError, type RfidError } from '../errors.ts';
import { encodeChafonFrame, type ChafonFrame } from './frame.ts';

export const CHAFON_STATUS = {
  /** Any command but an inventory, done. */
  success: 0x00,
  /** Inventory finished within the scan time: the list is complete. */
  done: 0x01,
  /** The scan time ran out first: the tags listed were seen, others may have been missed. */
  timeout: 0x02,
  /** More frames of this inventory follow. */
  more: 0x03,
  /** The reader's tag buffer filled up: the list is cut short. */
  bufferFull: 0x04,
  noTag: 0xfb,
  badCommand: 0xfe,
} as const;

/** Status codes this module knows by name; any other arrives as 'unknown' with its code kept. */
export type ChafonStatus = keyof typeof CHAFON_STATUS | 'unknown';

const STATUS_BY_CODE = new Map<number, ChafonStatus>(
  Object.entries(CHAFON_STATUS).map(([name, code]) => [code, name as ChafonStatus]),
);

export function chafonStatusName(code: number): ChafonStatus {
  return STATUS_BY_CODE.get(code) ?? 'unknown';
}

export interface ChafonReply {
  address: number;
  command: number;
  status: ChafonStatus;
  statusCode: number;
  /** The bytes after the status. */
  data: Uint8Array;
}

export function decodeChafonReply(frame: ChafonFrame): Result<ChafonReply, RfidError> {
  const statusCode = frame.data[0];
  if (statusCode === undefined) return rfidError('MISSING_STATUS', 'a reply frame carries at least a status byte');
  return {
    ok: true,
    value: { address: frame.address, command: frame.command, status: chafonStatusName(statusCode), statusCode, data: frame.data.subarray(1) },
  };
}

export function encodeChafonReply(reply: { address: number; command: number; statusCode: number; data?: Uint8Array }): Uint8Array {
  const data = new Uint8Array(1 + (reply.data?.length ?? 0));
  data[0] = reply.statusCode;
  if (reply.data) data.set(reply.data, 1);
  return encodeChafonFrame({ address: reply.address, command: reply.command, data });
}
