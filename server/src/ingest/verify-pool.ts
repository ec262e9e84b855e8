/**
 * A pool of worker threads that check records' signatures in batches while the main thread keeps
 * chain order and commits. The pool only ever speeds things up: when it fails, ingest verifies inline.
 * The threads start with the first batch, not with the server: each costs about 12 MB, and a server
 * that only ever sees a trickle of records (ingest uses the workers above workerThreshold) never needs them.
 */
import { Worker } from 'node:worker_threads';
import { keyringToJson, type Keyring } from '@wastetrail/firmware-protocol';
import type { RecordCheck } from './record-check.ts';

export type ToWorker = { kind: 'keyring'; keyring: unknown } | { kind: 'check'; id: number; lines: string[] };
export type FromWorker = { kind: 'checked'; id: number; checks: Array<RecordCheck | null> };

// Compiled (dist/), the worker is plain JavaScript; run from source (tests), a worker thread starts without
// the parent's TypeScript loader, so a small entry registers tsx first.
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./verify-worker-entry.js', import.meta.url) : new URL('./verify-worker.js', import.meta.url);

/**
 * A worker's young generation, in MB (V8 makes it three semi-spaces: two of 2 MB and one for large
 * objects). V8's default lets it grow to 2 x 16 MB, resident once used; a worker's garbage dies young
 * either way (issue #17, target 3; docs/performance.md). Not a heap cap: its old space is not limited.
 */
const WORKER_YOUNG_GENERATION_MB = 6;

interface PoolWorker {
  worker: Worker;
  /** Lines sent and not yet answered: new work goes to the least loaded worker. */
  load: number;
  pending: Map<number, { lines: number; resolve: (c: Array<RecordCheck | null>) => void; reject: (e: Error) => void }>;
  alive: boolean;
}

export class VerifyPool {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closing = false;
  private started = false;
  private keyringJson: unknown;

  constructor(size: number, keyring: Keyring) {
    this.size = size;
    this.keyringJson = keyringToJson(keyring);
  }

  private start(): void {
    this.started = true;
    for (let i = 0; i < this.size; i++) this.workers.push(this.spawn(this.keyringJson));
  }

  private spawn(keyringJson: unknown): PoolWorker {
    const worker = new Worker(ENTRY, { name: 'wastetrail-verify', resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const w: PoolWorker = { worker, load: 0, pending: new Map(), alive: true };
    worker.on('message', (m: FromWorker) => {
      const p = w.pending.get(m.id);
      if (!p) return;
      w.pending.delete(m.id);
      w.load -= p.lines;
      p.resolve(m.checks);
    });
    const fail = (err: Error) => {
      w.alive = false;
      for (const p of w.pending.values()) p.reject(err);
      w.pending.clear();
      w.load = 0;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`verification worker exited with code ${code}`)));
    worker.postMessage({ kind: 'keyring', keyring: keyringJson } satisfies ToWorker);
    return w;
  }

  /** Workers that can take work: all of them until they have started, then those still running. */
  get alive(): number {
    return this.started ? this.workers.filter((w) => w.alive).length : this.size;
  }

  /** Worker threads running now (0 until the first batch). */
  get running(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  /** Checks envelope lines on the least loaded worker; null for a line that is not an envelope. */
  check(lines: string[]): Promise<Array<RecordCheck | null>> {
    if (!this.started && !this.closing) this.start();
    const live = this.workers.filter((w) => w.alive);
    if (this.closing || live.length === 0) return Promise.reject(new Error('no verification worker is running'));
    const w = live.reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    w.load += lines.length;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { lines: lines.length, resolve, reject });
      w.worker.postMessage({ kind: 'check', id, lines } satisfies ToWorker);
    });
  }

  setKeyring(keyring: Keyring): void {
    this.keyringJson = keyringToJson(keyring);
    for (const w of this.workers) if (w.alive) w.worker.postMessage({ kind: 'keyring', keyring: this.keyringJson } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
