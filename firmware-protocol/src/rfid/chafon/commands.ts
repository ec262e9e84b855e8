/**
 * The commands a host sends to a Chafon reader. Only those a station needs: an inventory (which tags are
 * in the field now) and reader information (to check at start-up that the right device is on the port).
 */
import { CHAFON_BROADCAST_ADDRESS, encodeChafonFrame } from './frame.ts';

export const CHAFON_COMMAND = {
  /** EPC Gen2 inventory; the reply lists every tag seen within the reader's scan time. */
  inventory: 0x01,
  readerInfo: 0x21,
} as const;
export type ChafonCommandName = keyof typeof CHAFON_COMMAND;

/** `04 FF 01 1B B4` at the broadcast address. */
export function encodeChafonInventoryCommand(address = CHAFON_BROADCAST_ADDRESS): Uint8Array {
  return encodeChafonFrame({ address, command: CHAFON_COMMAND.inventory, data: new Uint8Array(0) });
}

/** `04 FF 21 19 95` at the broadcast address. */
export function encodeChafonReaderInfoCommand(address = CHAFON_BROADCAST_ADDRESS): Uint8Array {
  return encodeChafonFrame({ address, command: CHAFON_COMMAND.readerInfo, data: new Uint8Array(0) });
}
