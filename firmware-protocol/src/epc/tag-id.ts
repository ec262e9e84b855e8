/**
 * The custody tag id of an RFID read: `epc:` + the raw EPC in lower-case hex, whatever its header, so a
 * proprietary EPC and a GS1 one are keyed the same way and nothing depends on decoding succeeding.
 */
import { fromHex, toHex } from '../encoding.ts';
import { TAG_ID_PATTERN, type TagId } from '../record/events.ts';

/** Undefined for an EPC a custody record cannot name (shorter than 4 or longer than 62 bytes). */
export function tagIdFromEpc(epc: Uint8Array): TagId | undefined {
  const id = `epc:${toHex(epc)}`;
  return TAG_ID_PATTERN.test(id) ? id : undefined;
}

/** The EPC bytes of an `epc:` tag id; undefined for a `qr:` id or anything malformed. */
export function epcFromTagId(tagId: string): Uint8Array | undefined {
  if (!tagId.startsWith('epc:') || !TAG_ID_PATTERN.test(tagId)) return undefined;
  return fromHex(tagId.slice(4));
}
