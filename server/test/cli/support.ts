/** Running the real `wastetrail` binary, as a user does: node server/bin/wastetrail.js. */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

export const BIN = new URL('../../bin/wastetrail.js', import.meta.url).pathname;

// At most one process per core at a time: a test that checks 20 vectors at once must not start 20 Node
// processes on two shared cores and then time out waiting for them.
const MAX_RUNNING = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs the binary with these arguments: its exit code and what it printed. */
export async function wastetrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return slot(async () => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  });
}
