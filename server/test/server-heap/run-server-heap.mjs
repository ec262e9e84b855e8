/**
 * For server-heap.test.ts, in its own process (V8 flags are per process): applies the server's heap
 * settings as `wastetrail server` does, starts a worker thread through startServerWorker while allocating
 * as ingest does, and prints one JSON line: the worker's answer, its young generation limit and the size
 * of the main thread's young generation afterwards.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { applyServerHeapSettings, startServerWorker } from '@wastetrail/server/server-heap';

applyServerHeapSettings();
const worker = startServerWorker(new URL('./echo-worker.mjs', import.meta.url), { name: 'test' });
// Short-lived objects with some survivors, as records queued in front of the chain are.
let queued = [];
for (let i = 0; i < 2_000_000; i++) {
  queued.push({ i, line: `record ${i}` });
  if (queued.length > 20_000) queued = [];
}
const reply = await new Promise((resolve) => {
  worker.once('message', resolve);
  worker.postMessage('ping');
});
const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
process.stdout.write(JSON.stringify({ reply, workerYoungMb: worker.resourceLimits?.maxYoungGenerationSizeMb, newSpaceMb: newSpace / 1048576 }) + '\n');
await worker.terminate();
