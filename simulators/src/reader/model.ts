/**
 * A Chafon / UHFReader18 reader as a pure state machine: tags enter and leave its field, the host's
 * command bytes go in, reply frames come out. It never reads the clock: every call takes `now` (ms), so
 * a test decides exactly when a badge held up for three seconds has left the field.
 *
 * What it imitates: every inventory lists every tag in the field (a bag on the pad is read again and
 * again until it leaves), status 0xFB when the field is empty, several frames with status 0x03 when the
 * list does not fit one, the antenna/RSSI layouts as a setting, silence for commands to another
 * address, 0xFE for commands it does not know, and line noise on request.
 */
import { seededRandom } from '@wastetrail/firmware-protocol';
import {
  CHAFON_BROADCAST_ADDRESS,
  CHAFON_COMMAND,
  CHAFON_STATUS,
  ChafonFrameParser,
  encodeChafonInventoryReplies,
  encodeChafonReaderInfoReply,
  encodeChafonReply,
  toHex,
  type ChafonFrame,
  type ChafonReaderInfo,
  type ChafonVariant,
} from '@wastetrail/firmware-protocol';

export type TagKind = 'bag' | 'badge';

export interface TagInField {
  epc: Uint8Array;
  kind: TagKind;
  /** Antenna port, 1-8. */
  antenna: number;
  /** Raw RSSI byte before jitter. */
  rssi: number;
  /** When the tag leaves by itself (a badge tapped, not left on the pad); undefined: until told. */
  until?: number;
}

/** What a script does to the reader's world. EPCs are already bytes: parsing names is script.ts's job. */
export type ReaderEvent =
  | { kind: 'enter'; tag: { epc: Uint8Array; kind?: TagKind; antenna?: number; rssi?: number; forMs?: number } }
  | { kind: 'leave'; epc: Uint8Array }
  | { kind: 'clear' }
  /** Random bytes on the line, now. */
  | { kind: 'noise'; bytes: number }
  /** Flip one bit of the next reply frame, so the host sees a bad CRC and must ask again. */
  | { kind: 'corrupt-next-reply' };

export interface ReaderModelOptions {
  /** The reader's own address, used in replies; commands to it or to 0xFF are answered. */
  address?: number;
  variant?: ChafonVariant;
  /** Split inventories into more frames than needed (default: as many tags per frame as fit). */
  maxTagsPerFrame?: number;
  /** How long a tapped badge stays in the field when a script does not say (default 3000 ms). */
  badgeDwellMs?: number;
  /** RSSI varies by up to this much between reads (default 2); 0 makes replies byte-exact. */
  rssiJitter?: number;
  /** Source of noise bytes and RSSI jitter; default a fixed-seed generator, so runs repeat. */
  random?: () => number;
  info?: ChafonReaderInfo;
}

export const DEFAULT_READER_INFO: ChafonReaderInfo = {
  firmware: { major: 3, minor: 1 },
  readerType: 0x09,
  protocols: 0x02,
  maxFrequency: 0x3e,
  minFrequency: 0x00,
  power: 26,
  scanTimeMs: 1000,
};

export interface ReaderStats {
  commands: number;
  inventories: number;
  replyFrames: number;
  ignored: number;
}

export class ReaderModel {
  readonly address: number;
  readonly variant: ChafonVariant;
  readonly stats: ReaderStats = { commands: 0, inventories: 0, replyFrames: 0, ignored: 0 };
  private readonly opts: ReaderModelOptions;
  private readonly random: () => number;
  private readonly parser = new ChafonFrameParser();
  private readonly field = new Map<string, TagInField>();
  private corruptNext = false;

  constructor(opts: ReaderModelOptions = {}) {
    this.opts = opts;
    this.address = opts.address ?? 0x00;
    this.variant = opts.variant ?? 'plain';
    this.random = opts.random ?? seededRandom(1);
  }

  /** Applies a scripted event; returns bytes to put on the line now (noise), usually none. */
  apply(event: ReaderEvent, now: number): Uint8Array[] {
    switch (event.kind) {
      case 'enter': {
        const { epc, kind = 'bag', antenna = 1, rssi = 0x50, forMs } = event.tag;
        const dwell = forMs ?? (kind === 'badge' ? (this.opts.badgeDwellMs ?? 3000) : undefined);
        const tag: TagInField = { epc: new Uint8Array(epc), kind, antenna, rssi };
        if (dwell !== undefined) tag.until = now + dwell;
        this.field.set(toHex(epc), tag);
        return [];
      }
      case 'leave':
        this.field.delete(toHex(event.epc));
        return [];
      case 'clear':
        this.field.clear();
        return [];
      case 'noise': {
        const junk = new Uint8Array(event.bytes);
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(this.random() * 256);
        return junk.length > 0 ? [junk] : [];
      }
      case 'corrupt-next-reply':
        this.corruptNext = true;
        return [];
    }
  }

  /** Tags in the field at `now`, in the order they entered. */
  tagsInField(now: number): TagInField[] {
    for (const [key, tag] of this.field) if (tag.until !== undefined && tag.until <= now) this.field.delete(key);
    return [...this.field.values()];
  }

  /** Host bytes in, reply frames out (one array entry per frame, in order). */
  receive(chunk: Uint8Array, now: number): Uint8Array[] {
    return this.answer(this.parser.push(chunk), now);
  }

  /** The line has been quiet: command bytes held back are not the start of a command still arriving. */
  lineIdle(now: number): Uint8Array[] {
    return this.answer(this.parser.flush(), now);
  }

  get lineCounters() {
    return this.parser.counters;
  }

  /** Command bytes held back as the start of a command still arriving. */
  get heldBytes(): number {
    return this.parser.buffered;
  }

  private answer(frames: ChafonFrame[], now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const frame of frames) {
      if (frame.address !== this.address && frame.address !== CHAFON_BROADCAST_ADDRESS) {
        this.stats.ignored++;
        continue;
      }
      this.stats.commands++;
      out.push(...this.reply(frame, now));
    }
    this.stats.replyFrames += out.length;
    if (this.corruptNext && out.length > 0) {
      this.corruptNext = false;
      const first = out[0]!;
      const at = 1 + Math.floor(this.random() * (first.length - 1));
      first[at] = first[at]! ^ (1 << Math.floor(this.random() * 8));
    }
    return out;
  }

  private reply(frame: ChafonFrame, now: number): Uint8Array[] {
    const address = this.address;
    switch (frame.command) {
      case CHAFON_COMMAND.inventory: {
        this.stats.inventories++;
        const jitter = this.opts.rssiJitter ?? 2;
        const tags = this.tagsInField(now).map((t) => ({
          epc: t.epc,
          antenna: 1 << (t.antenna - 1),
          rssi: clampByte(t.rssi + Math.round((this.random() * 2 - 1) * jitter)),
        }));
        const opts = { address, variant: this.variant, tags, ...(this.opts.maxTagsPerFrame ? { maxTagsPerFrame: this.opts.maxTagsPerFrame } : {}) };
        return encodeChafonInventoryReplies(opts);
      }
      case CHAFON_COMMAND.readerInfo:
        return [encodeChafonReaderInfoReply(address, this.opts.info ?? DEFAULT_READER_INFO)];
      default:
        return [encodeChafonReply({ address, command: frame.command, statusCode: CHAFON_STATUS.badCommand })];
    }
  }
}

function clampByte(n: number): number {
  return Math.min(255, Math.max(0, n));
}

