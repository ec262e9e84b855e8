/** Paths of the commands under test, and a helper to run a node script to completion. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/wastetrail-edge.js', import.meta.url));
/** The server's offline verifier: `node server/bin/wastetrail.js verify FILE --keys KEYRING`. */
export const VERIFY = fileURLToPath(new URL('../../../server/bin/wastetrail.js', import.meta.url));

export async function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
