/** Running the real `wastetrail` binary, as a user does: node server/bin/wastetrail.js. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const BIN = new URL('../../bin/wastetrail.js', import.meta.url).pathname;

/** Runs the binary with these arguments: its exit code and what it printed. */
export async function wastetrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
