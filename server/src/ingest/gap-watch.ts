/**
 * Gaps: when a chain holds records behind a missing one, ask the device for the missing ones (once per
 * gap), and give the gap up after `gapTimeoutMs` (SEQUENCE_GAP; the held records are stored). In a
 * shared-subscription group the missing records are most often another process's share: the store is
 * looked at first (at once, then every `gapRecheckMs`), and the chain continues from its head when it
 * is ahead; the device is asked only when the store did not have them.
 */
import type { CustodyStore } from '../store/index.ts';
import type { ChainStep, DeviceChain } from './device-chain.ts';
import type { TrustedVerdicts } from './record-check.ts';
import type { IngestSettings } from './settings.ts';
import type { IngestStats } from './stats.ts';

export interface GapWatchOptions {
  settings: Pick<IngestSettings, 'gapTimeoutMs' | 'gapRecheckMs' | 'sharedGroup'>;
  store: Pick<CustodyStore, 'headOf'>;
  counters: IngestStats;
  trusted: TrustedVerdicts;
  /** The chains being linked (ChainLinker). */
  chains: { chain(device: string): DeviceChain | undefined; settle(chain: DeviceChain, step: ChainStep): Promise<void> };
  resend(device: string, from: number, to: number): void;
  /** Runs a gap check in turn with the linking (it changes chains). */
  enqueue(run: () => Promise<void>): void;
  now(): number;
}

export class GapWatch {
  private readonly o: GapWatchOptions;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(options: GapWatchOptions) {
    this.o = options;
  }

  /** After a push: asks for what is missing, and starts (or stops) the gap's clock. */
  watch(chain: DeviceChain): void {
    const missing = chain.missing();
    if (!missing) {
      if (chain.gap) {
        chain.gap = undefined;
        this.stop(chain.device);
      }
      return;
    }
    const shared = Boolean(this.o.settings.sharedGroup);
    if (!chain.gap) {
      chain.gap = { ...missing, since: this.o.now() };
      // In a group the missing records may be in the store already (another process took them).
      this.schedule(chain.device, shared ? 0 : this.delay(chain));
    } else {
      chain.gap.from = missing.from;
      chain.gap.to = missing.to;
    }
    // In a group, ask the device only once the store has been looked at (check).
    if (!shared) this.ask(chain);
  }

  /** The device's chain was rebuilt: the clock of the old one's gap is void. */
  stop(device: string): void {
    clearTimeout(this.timers.get(device));
    this.timers.delete(device);
  }

  /** An ack from any server process of the group: if it covers a gap this one waits on, look at the store now. */
  peerAck(device: string, seq: number): void {
    const chain = this.o.chains.chain(device);
    if (!chain?.gap || seq < chain.gap.from) return;
    this.o.enqueue(() => this.check(device));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Runs when a gap's timer fires (through the linking queue). */
  async check(device: string): Promise<void> {
    const chain = this.o.chains.chain(device);
    if (this.closed || !chain?.gap) return;
    const { settings } = this.o;
    if (settings.sharedGroup) {
      // Another process may have stored the missing records: continue from the store's head.
      const stored = await this.o.store.headOf(device);
      if (stored && stored.seq > (chain.head()?.seq ?? 0)) {
        // Progress: whatever gap is left now gets a fresh clock.
        this.o.counters.resyncs++;
        chain.gap = undefined;
        for (const step of chain.resync(stored, this.o.trusted)) await this.o.chains.settle(chain, step);
        this.watch(chain);
      }
    }
    if (!chain.gap) return;
    if (settings.sharedGroup && this.o.now() - chain.gap.since >= settings.gapRecheckMs) this.ask(chain);
    if (this.o.now() - chain.gap.since < settings.gapTimeoutMs) {
      this.schedule(device, this.delay(chain));
      return;
    }
    chain.gap = undefined;
    await this.o.chains.settle(chain, chain.giveUpGap());
    this.watch(chain);
  }

  private ask(chain: DeviceChain): void {
    const gap = chain.gap;
    if (!gap) return;
    // One request per gap: a device already resending 5..9 is not asked again when 5 arrives.
    if (gap.requested && gap.requested.from <= gap.from && gap.to <= gap.requested.to) return;
    gap.requested = { from: gap.from, to: gap.to };
    this.o.resend(chain.device, gap.from, gap.to);
  }

  private delay(chain: DeviceChain): number {
    const { gapTimeoutMs, gapRecheckMs, sharedGroup } = this.o.settings;
    const left = Math.max(0, (chain.gap?.since ?? this.o.now()) + gapTimeoutMs - this.o.now());
    return sharedGroup ? Math.min(left, gapRecheckMs) : left;
  }

  private schedule(device: string, delayMs: number): void {
    clearTimeout(this.timers.get(device));
    const timer = setTimeout(() => {
      this.timers.delete(device);
      if (!this.closed) this.o.enqueue(() => this.check(device));
    }, delayMs);
    this.timers.set(device, timer);
  }
}
