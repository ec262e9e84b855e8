/**
 * How the server process's heap grows (issue #17, target 3: peak RSS <= 200 MB while ingesting).
 * V8 sizes its heap for throughput: under ingest the young generation grows to 2 x 16 MB and old space
 * to up to four times the live set before a major collection, so a server with ~40 MB live peaked near
 * 300 MB, most of it garbage. Neither flag below caps the heap (a big city's rule tick may need far
 * more, and a cap would turn that into a crash); they make V8 collect sooner:
 * - `--semi-space-growth-factor=1`: the young generation stays at its start-up size (1 MB per
 *   semi-space). The size flags (`--max-semi-space-size`) only act when the process starts; this one is
 *   read each time V8 considers growing, so it works from here. It must be set before the server's
 *   modules load (they would grow it to its maximum), and again in each new worker thread: creating an
 *   isolate resets it to V8's minimum of 2, process-wide (startServerWorker below sets it again).
 * - `--heap-growing-percent=50`: the next major collection comes when old space is 50 % above the live
 *   set after the last one, instead of V8's up to 300 %; read after every major collection.
 * Costs CPU (more scavenges, more objects promoted, more major collections): docs/performance.md.
 * V8 flags are per process, so only `wastetrail server` (and the benchmark's server process) set them.
 * WASTETRAIL_V8_DEFAULT_HEAP=1 keeps V8's defaults (a server with memory to spare, or to compare).
 */
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const SERVER_HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

let applied: readonly string[] = [];

export function applyServerHeapSettings(): void {
  if (process.env.WASTETRAIL_V8_DEFAULT_HEAP) return;
  for (const flag of SERVER_HEAP_FLAGS) setFlagsFromString(flag);
  applied = SERVER_HEAP_FLAGS;
}

/**
 * A worker thread's young generation, in MB: V8 makes it three semi-spaces, two of 2 MB and one for large
 * objects. Its default lets it grow to 2 x 16 MB, resident once used; a verification worker's garbage dies
 * young either way. Not a heap cap: old space is not limited.
 */
const WORKER_YOUNG_GENERATION_MB = 6;

/** Longest the main thread waits for a new worker thread to set the flags again. */
const WORKER_START_WAIT_MS = 2_000;

// Runs first in the worker thread (CommonJS, before the entry module loads): flags again, then the entry.
const WORKER_PREAMBLE = `const { workerData } = require('node:worker_threads');
const { setFlagsFromString } = require('node:v8');
for (const flag of workerData.flags) setFlagsFromString(flag);
Atomics.store(workerData.started, 0, 1);
Atomics.notify(workerData.started, 0);
import(workerData.entry);`;

/**
 * Starts a worker thread of the server. With the settings applied: its young generation is limited, and
 * as creating its isolate resets --semi-space-growth-factor (above), the main thread waits (blocked, a
 * few tens of ms, once per worker) until the new thread has set the flags again: allocating meanwhile
 * would grow the main thread's young generation for good. The entry must not use workerData.
 */
export function startServerWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (applied.length === 0) return new Worker(entry, options);
  const started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_PREAMBLE, {
    ...options,
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, ...options.resourceLimits },
    workerData: { flags: applied, started, entry: entry.href },
  });
  Atomics.wait(started, 0, 0, WORKER_START_WAIT_MS);
  return worker;
}
