/** Runs `wastetrail-edge` in-process, as the bin would, and captures what it writes. */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.ts';

export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}
