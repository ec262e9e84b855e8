/**
 * Ingest's linking parts put together as ingest.ts does, over a real store, with what they send out
 * (refusals, resend requests, gap checks) kept for the tests to look at.
 */
import { type DecodedRecord, type VerifyContext } from '@wastetrail/firmware-protocol';
import { ChainLinker, type RecordsMessage } from '../../src/ingest/chain-linker.ts';
import type { DeviceChain } from '../../src/ingest/device-chain.ts';
import { GapWatch } from '../../src/ingest/gap-watch.ts';
import { PendingBatch } from '../../src/ingest/pending-batch.ts';
import type { Refusal } from '../../src/ingest/quarantine.ts';
import { TrustedVerdicts } from '../../src/ingest/record-check.ts';
import type { IngestSettings } from '../../src/ingest/settings.ts';
import { emptyIngestStats } from '../../src/ingest/stats.ts';
import type { CustodyStore } from '../../src/store/index.ts';
import { envelopeLines } from './support.ts';

export interface Linking {
  linker: ChainLinker;
  gaps: GapWatch;
  batch: { pending: PendingBatch };
  counters: ReturnType<typeof emptyIngestStats>;
  refused: Refusal[];
  resends: Array<{ device: string; from: number; to: number }>;
  pushed: DeviceChain[];
  rebuilt: string[];
  /** Gap checks the watch asked to run (run them with `runChecks`). */
  checks: Array<() => Promise<void>>;
  runChecks(): Promise<void>;
  /** The clock the parts read (ms); tests move it. */
  clock: { now: number };
  message(device: string, records: DecodedRecord[], receivedAt?: string): RecordsMessage;
}

export async function linking(
  store: CustodyStore,
  settings: Partial<Pick<IngestSettings, 'gapTimeoutMs' | 'gapRecheckMs' | 'sharedGroup' | 'maxHeldPerDevice'>> = {},
  batch: { pending: PendingBatch } = { pending: new PendingBatch() },
): Promise<Linking> {
  const trusted = new TrustedVerdicts();
  const ctx: VerifyContext = { keyring: await store.keyring(), ed25519Verify: trusted.verify };
  const counters = emptyIngestStats();
  const clock = { now: Date.parse('2026-03-02T09:00:00.000Z') };
  const out = { refused: [] as Refusal[], resends: [] as Linking['resends'], pushed: [] as DeviceChain[], rebuilt: [] as string[], checks: [] as Array<() => Promise<void>> };
  const full = { gapTimeoutMs: 60_000, gapRecheckMs: 1000, sharedGroup: undefined, maxHeldPerDevice: 1024, ...settings };
  const linker: ChainLinker = new ChainLinker({
    store,
    ctx,
    trusted,
    maxHeldPerDevice: full.maxHeldPerDevice,
    counters,
    batch,
    refuse: (r) => out.refused.push(r),
    pushed: (chain) => {
      out.pushed.push(chain);
      gaps.watch(chain);
    },
    rebuilt: (device) => {
      out.rebuilt.push(device);
      gaps.stop(device);
    },
    now: () => clock.now,
  });
  const gaps: GapWatch = new GapWatch({
    settings: full,
    store,
    counters,
    trusted,
    chains: linker,
    resend: (device, from, to) => out.resends.push({ device, from, to }),
    enqueue: (run) => out.checks.push(run),
    now: () => clock.now,
  });
  return {
    linker,
    gaps,
    batch,
    counters,
    ...out,
    clock,
    async runChecks() {
      for (const run of out.checks.splice(0)) await run();
    },
    message: (device, records, receivedAt = new Date(clock.now).toISOString()) => ({ topic: `wt/v1/dev/${device}/records`, device, receivedAt, envelopes: envelopeLines(records) }),
  };
}

/** Stores records as another server process would have (through the same store call ingest commits with). */
export async function storeDirectly(store: CustodyStore, records: DecodedRecord[]): Promise<void> {
  const batch = new PendingBatch();
  for (const r of records) batch.accept(r, '2026-03-02T08:00:00.000Z');
  await store.appendRecords({ records: batch.records, quarantine: [], acks: [] });
}
