/**
 * A Chafon / UHFReader18 reader on a serial line. The agent asks for an inventory every pollMs and
 * sorts each tag read into a staff badge or a bag tag (firmware-protocol's classifyTagRead, by the
 * station's badge convention). The station hears only changes: a bag tag arriving or leaving the field,
 * a badge being held up. Chafon frames have no start byte, so the parser is flushed once the line has
 * been quiet for 50 ms or a reply is overdue (docs/devices/rfid.md).
 */
import {
  ChafonFrameParser,
  ChafonInventoryAssembler,
  classifyTagRead,
  encodeChafonInventoryCommand,
  toHex,
  type BadgeConvention,
  type ChafonFrame,
  type TagId,
} from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { RfidConfig } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';
import { TagPresence } from './tag-presence.ts';

const LINE_IDLE_MS = 50;

export interface RfidReaderOptions {
  config: RfidConfig;
  convention: BadgeConvention;
  logger: Logger;
  /** Monotonic ms. */
  now: () => number;
  onTag: (tagId: TagId) => void;
  onTagLost: (tagId: TagId) => void;
  onBadge: (badgeId: string) => void;
  onState?: (open: boolean) => void;
  createPort?: PortFactory;
}

export interface RfidReaderStats {
  inventories: number;
  timeouts: number;
  errors: number;
}

export class RfidReader {
  readonly stats: RfidReaderStats = { inventories: 0, timeouts: 0, errors: 0 };
  private readonly o: RfidReaderOptions;
  private readonly link: SerialLink;
  private readonly parser = new ChafonFrameParser();
  private readonly assembler: ChafonInventoryAssembler;
  private readonly presence: TagPresence;
  private readonly command: Uint8Array;
  private pollTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the inventory now awaited was asked for. */
  private askedAt: number | undefined;
  private lastAskStart = -Infinity;
  private lastReplyAt = -Infinity;
  private readonly unusable = new Set<string>();

  constructor(options: RfidReaderOptions) {
    this.o = options;
    this.assembler = new ChafonInventoryAssembler(options.config.variant);
    this.presence = new TagPresence(options.config.lostAfterMs);
    this.command = encodeChafonInventoryCommand(options.config.address);
    this.link = new SerialLink({
      line: options.config,
      logger: options.logger,
      ...(options.createPort ? { createPort: options.createPort } : {}),
      onData: (chunk) => this.received(chunk),
      onState: (open) => {
        this.parser.reset();
        this.assembler.reset();
        this.askedAt = undefined;
        options.onState?.(open);
      },
    });
  }

  /** Open and answering within the last few polls. */
  get connected(): boolean {
    return this.link.isOpen && this.o.now() - this.lastReplyAt < Math.max(3 * this.o.config.pollMs, this.o.config.replyTimeoutMs * 2);
  }

  start(): void {
    this.link.start();
    this.pollTimer = setInterval(() => this.tick(), Math.max(10, Math.floor(this.o.config.pollMs / 2)));
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    clearTimeout(this.idleTimer);
    await this.link.close();
  }

  private tick(): void {
    const now = this.o.now();
    if (this.askedAt !== undefined) {
      if (now - this.askedAt < this.o.config.replyTimeoutMs) return;
      // Overdue: give up on held-back bytes (a noise byte may claim a long frame), then on the reply.
      this.deliver(this.parser.flush());
      if (this.askedAt === undefined) return;
      this.stats.timeouts++;
      this.assembler.reset();
      this.askedAt = undefined;
    }
    if (now - this.lastAskStart < this.o.config.pollMs) return;
    if (this.link.write(this.command)) {
      this.askedAt = now;
      this.lastAskStart = now;
    }
  }

  private received(chunk: Buffer): void {
    this.deliver(this.parser.push(chunk));
    clearTimeout(this.idleTimer);
    if (this.parser.buffered > 0) this.idleTimer = setTimeout(() => this.deliver(this.parser.flush()), LINE_IDLE_MS);
  }

  private deliver(frames: ChafonFrame[]): void {
    for (const frame of frames) {
      const result = this.assembler.push(frame);
      if (result === undefined) continue;
      this.askedAt = undefined;
      this.lastReplyAt = this.o.now();
      if (!result.ok) {
        this.stats.errors++;
        this.o.logger.warn({ code: result.error.code, error: result.error.message }, 'bad inventory reply');
        continue;
      }
      this.stats.inventories++;
      this.inventory(result.value.tags.map((t) => t.epc));
    }
  }

  private inventory(epcs: Uint8Array[]): void {
    const keys = new Map<string, { kind: 'tag' | 'badge'; id: string }>();
    for (const epc of epcs) {
      const read = classifyTagRead(epc, this.o.convention);
      if (read.kind === 'unusable') {
        const hex = toHex(epc);
        if (!this.unusable.has(hex) && this.unusable.size < 1000) {
          this.unusable.add(hex);
          this.o.logger.info({ epc: hex, reason: read.reason }, 'ignoring an EPC no record can name');
        }
        continue;
      }
      const id = read.kind === 'badge' ? read.badgeId : read.tagId;
      keys.set(`${read.kind}:${id}`, { kind: read.kind, id });
    }
    const change = this.presence.inventory(keys.keys(), this.o.now());
    for (const key of change.arrived) {
      const t = keys.get(key)!;
      if (t.kind === 'badge') this.o.onBadge(t.id);
      else this.o.onTag(t.id);
    }
    for (const key of change.left) if (key.startsWith('tag:')) this.o.onTagLost(key.slice(4));
  }
}
