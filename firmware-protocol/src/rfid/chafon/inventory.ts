/**
 * Inventory replies: which tags a Chafon reader saw. One frame's data is
 *
 *     [Ant] Num { EPClen EPC[EPClen] [RSSI] } x Num
 *
 * where the antenna byte and the per-tag RSSI byte exist only on some models and firmwares. Nothing in
 * the bytes tells the variants apart reliably, so the variant is a setting of the station, never guessed;
 * a wrong setting shows up as MALFORMED_INVENTORY rather than as made-up tags.
 *
 * A reader with more tags than fit one frame sends status 0x03 ("more") on every frame but the last;
 * ChafonInventoryAssembler puts them back together into one result.
 */
import type { Result } from '../../record/errors.ts';
import { rfidError, type RfidError } from '../errors.ts';
import { CHAFON_COMMAND } from './commands.ts';
import { CHAFON_MAX_DATA_BYTES, type ChafonFrame } from './frame.ts';
import { CHAFON_STATUS, decodeChafonReply, encodeChafonReply, type ChafonReply, type ChafonStatus } from './reply.ts';

export const CHAFON_VARIANTS = ['plain', 'antenna', 'rssi', 'antenna-rssi'] as const;
export type ChafonVariant = (typeof CHAFON_VARIANTS)[number];

export function isChafonVariant(s: unknown): s is ChafonVariant {
  return typeof s === 'string' && (CHAFON_VARIANTS as readonly string[]).includes(s);
}

function layout(variant: ChafonVariant): { antennaByte: boolean; rssiByte: boolean } {
  return { antennaByte: variant === 'antenna' || variant === 'antenna-rssi', rssiByte: variant === 'rssi' || variant === 'antenna-rssi' };
}

export interface InventoryTag {
  epc: Uint8Array;
  /** The frame's antenna byte as the reader sends it (on most models a bit mask: 0x01 is port 1). */
  antenna?: number;
  /** The raw RSSI byte: its scale differs between models, so it is only good for comparing reads. */
  rssi?: number;
}

/** One frame of an inventory reply. */
export interface ChafonInventoryPage {
  status: ChafonStatus;
  statusCode: number;
  antenna?: number;
  tags: InventoryTag[];
}

/** Statuses whose frames carry a tag list. */
const WITH_TAGS: ReadonlySet<number> = new Set([CHAFON_STATUS.done, CHAFON_STATUS.timeout, CHAFON_STATUS.more, CHAFON_STATUS.bufferFull]);

export function decodeChafonInventoryReply(reply: ChafonReply, variant: ChafonVariant): Result<ChafonInventoryPage, RfidError> {
  if (reply.command !== CHAFON_COMMAND.inventory) {
    return rfidError('UNEXPECTED_COMMAND', `reply to command 0x${hex2(reply.command)}, not to an inventory`);
  }
  const { status, statusCode, data } = reply;
  // "No tag", "bad command" and codes we do not know carry no list: report the status, not a failure.
  if (!WITH_TAGS.has(statusCode)) return { ok: true, value: { status, statusCode, tags: [] } };

  const { antennaByte, rssiByte } = layout(variant);
  let at = 0;
  let antenna: number | undefined;
  if (antennaByte) {
    antenna = data[at++];
    if (antenna === undefined) return malformed('the antenna byte is missing');
  }
  const count = data[at++];
  if (count === undefined) return malformed('the tag count is missing');
  const tags: InventoryTag[] = [];
  for (let n = 0; n < count; n++) {
    const epcLength = data[at++];
    if (epcLength === undefined) return malformed(`tag ${n + 1} of ${count} is missing`);
    const end = at + epcLength;
    if (end > data.length) return malformed(`tag ${n + 1} of ${count}: ${epcLength} EPC bytes announced, ${data.length - at} left`);
    const tag: InventoryTag = { epc: new Uint8Array(data.subarray(at, end)) };
    at = end;
    if (antenna !== undefined) tag.antenna = antenna;
    if (rssiByte) {
      const rssi = data[at++];
      if (rssi === undefined) return malformed(`tag ${n + 1} of ${count}: the RSSI byte is missing`);
      tag.rssi = rssi;
    }
    tags.push(tag);
  }
  if (at !== data.length) return malformed(`${data.length - at} byte(s) after ${count} tag(s): is the reader variant setting right?`);
  const page: ChafonInventoryPage = { status, statusCode, tags };
  if (antenna !== undefined) page.antenna = antenna;
  return { ok: true, value: page };
}

function malformed(message: string): { ok: false; error: RfidError } {
  return rfidError('MALFORMED_INVENTORY', message);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export interface ChafonInventoryReplyOptions {
  /** The reader's own address. */
  address: number;
  variant: ChafonVariant;
  tags: readonly InventoryTag[];
  /** Split into more frames beyond this many tags, even when more would fit (to exercise the host). */
  maxTagsPerFrame?: number;
  /** Status of the last frame: done (default), timeout or bufferFull. */
  finalStatus?: number;
}

/**
 * The frames a reader sends for one inventory: "no tag" when the list is empty, else as many frames as
 * the list needs, each with status "more" but the last. With an antenna byte, tags of different antennas
 * go in different frames. Tags default to antenna 0x01 and RSSI 0 when the variant needs them.
 */
export function encodeChafonInventoryReplies(opts: ChafonInventoryReplyOptions): Uint8Array[] {
  const { address, variant } = opts;
  const command = CHAFON_COMMAND.inventory;
  if (opts.tags.length === 0) return [encodeChafonReply({ address, command, statusCode: CHAFON_STATUS.noTag })];
  const { antennaByte, rssiByte } = layout(variant);
  const maxTags = Math.min(255, Math.max(1, opts.maxTagsPerFrame ?? 255));
  // Data after the status byte: [Ant] Num, then the entries.
  const budget = CHAFON_MAX_DATA_BYTES - 1 - (antennaByte ? 1 : 0) - 1;

  const groups = new Map<number, InventoryTag[]>();
  for (const tag of opts.tags) {
    const key = antennaByte ? (tag.antenna ?? 0x01) : 0;
    const group = groups.get(key) ?? [];
    group.push(tag);
    groups.set(key, group);
  }
  const pages: { antenna: number; entries: Uint8Array[] }[] = [];
  for (const [antenna, tags] of groups) {
    let entries: Uint8Array[] = [];
    let used = 0;
    for (const tag of tags) {
      const entry = new Uint8Array(1 + tag.epc.length + (rssiByte ? 1 : 0));
      if (entry.length > budget) throw new RangeError(`an EPC of ${tag.epc.length} bytes does not fit a Chafon frame`);
      entry[0] = tag.epc.length;
      entry.set(tag.epc, 1);
      if (rssiByte) entry[entry.length - 1] = tag.rssi ?? 0;
      if (entries.length === maxTags || used + entry.length > budget) {
        pages.push({ antenna, entries });
        entries = [];
        used = 0;
      }
      entries.push(entry);
      used += entry.length;
    }
    pages.push({ antenna, entries });
  }
  const finalStatus = opts.finalStatus ?? CHAFON_STATUS.done;
  return pages.map((page, i) => {
    const head = antennaByte ? [page.antenna, page.entries.length] : [page.entries.length];
    const data = new Uint8Array(head.length + page.entries.reduce((n, e) => n + e.length, 0));
    data.set(head, 0);
    let at = head.length;
    for (const entry of page.entries) {
      data.set(entry, at);
      at += entry.length;
    }
    const statusCode = i === pages.length - 1 ? finalStatus : CHAFON_STATUS.more;
    return encodeChafonReply({ address, command, statusCode, data });
  });
}

/** One whole inventory, however many frames it came in. */
export interface ChafonInventoryResult {
  /** The status of the last frame: done, timeout, bufferFull, noTag, badCommand or unknown. */
  status: ChafonStatus;
  statusCode: number;
  /** In the order the reader sent them; a tag seen on two antennas appears twice. */
  tags: InventoryTag[];
  frames: number;
}

/**
 * Puts the frames of one inventory back together. Feed it every frame from the parser; it answers only
 * for inventory replies, once per inventory (undefined while frames with status "more" are arriving).
 */
export class ChafonInventoryAssembler {
  private readonly variant: ChafonVariant;
  private readonly maxFrames: number;
  private tags: InventoryTag[] = [];
  private frames = 0;

  constructor(variant: ChafonVariant, opts: { maxFrames?: number } = {}) {
    this.variant = variant;
    // A reader stuck sending "more" must not grow this without bound.
    this.maxFrames = opts.maxFrames ?? 64;
  }

  push(frame: ChafonFrame): Result<ChafonInventoryResult, RfidError> | undefined {
    if (frame.command !== CHAFON_COMMAND.inventory) return undefined;
    const reply = decodeChafonReply(frame);
    const page = reply.ok ? decodeChafonInventoryReply(reply.value, this.variant) : reply;
    if (!page.ok) {
      this.reset();
      return page;
    }
    this.frames++;
    this.tags.push(...page.value.tags);
    if (page.value.statusCode === CHAFON_STATUS.more) {
      if (this.frames < this.maxFrames) return undefined;
      const frames = this.frames;
      this.reset();
      return rfidError('TOO_MANY_FRAMES', `${frames} inventory frames in a row said more would follow`);
    }
    const result: ChafonInventoryResult = { status: page.value.status, statusCode: page.value.statusCode, tags: this.tags, frames: this.frames };
    this.tags = [];
    this.frames = 0;
    return { ok: true, value: result };
  }

  /** Drops a half-assembled inventory (e.g. the host timed out waiting for its last frame). */
  reset(): void {
    this.tags = [];
    this.frames = 0;
  }

  /** True while frames with status "more" have arrived and the last one has not. */
  get pending(): boolean {
    return this.frames > 0;
  }
}
