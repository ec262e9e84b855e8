/**
 * The server's heap settings (src/server-heap.ts), in a child process on the compiled server (V8 flags
 * are per process): the main thread's young generation stays at its start-up size even though a worker
 * thread starts while it allocates (creating an isolate resets the growth flag), and the worker runs
 * with its young generation limited. With WASTETRAIL_V8_DEFAULT_HEAP the same allocation grows it.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const RUN = new URL('./run-server-heap.mjs', import.meta.url).pathname;

function run(env: Record<string, string> = {}) {
  const out = execFileSync(process.execPath, [RUN], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as { reply: string; workerYoungMb?: number; newSpaceMb: number };
}

describe('server heap settings', () => {
  it('keep the young generation at its start-up size across a worker start, and limit the worker', () => {
    const r = run();
    expect(r.reply).toBe('pong');
    expect(r.newSpaceMb).toBeLessThanOrEqual(2);
    expect(r.workerYoungMb).toBe(6);
  });

  it('are left out with WASTETRAIL_V8_DEFAULT_HEAP (the same allocation then grows the young generation)', () => {
    const r = run({ WASTETRAIL_V8_DEFAULT_HEAP: '1' });
    expect(r.reply).toBe('pong');
    expect(r.newSpaceMb).toBeGreaterThan(2);
  });
});
