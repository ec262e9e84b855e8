/**
 * kill -9 in the middle of a burst of commits, three times over: every record a child reported as
 * committed is still there with the same hash, the chain has no gap and no fork, and the next writer
 * continues it at the next sequence number.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nodeEd25519Verify, verifyChain } from '@wastetrail/firmware-protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';

const CHILD = fileURLToPath(new URL('./burst-child.ts', import.meta.url));
const t = tempDir('wt-edge-crash-');
afterAll(t.cleanup);

/** Runs the child until it has reported `atLeast` more commits, kills it with SIGKILL, returns its reports. */
async function burstAndKill(args: string[], atLeast: number): Promise<{ start: number; reported: Map<number, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = once(child, 'exit');
  const reported = new Map<number, string>();
  let start = -1;
  let count = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('ready ')) {
      start = Number(line.slice(6));
      continue;
    }
    const [seq, hash] = line.split(' ');
    reported.set(Number(seq), hash!);
    if (++count === atLeast) child.kill('SIGKILL');
  }
  const [code, signal] = await exited;
  expect({ code, signal, stderr }).toMatchObject({ signal: 'SIGKILL' });
  return { start, reported };
}

describe('outbox under kill -9', () => {
  it('loses no committed record, forks nothing and reuses no sequence number', async () => {
    const id = testIdentity();
    const { keyFile } = writeIdentityFiles(id, t.dir);
    const file = join(t.dir, 'outbox.sqlite');
    const all = new Map<number, string>();
    let lastReported = 0;
    for (const atLeast of [150, 250, 200]) {
      const { start, reported } = await burstAndKill([file, id.deviceId, keyFile], atLeast);
      // Each run starts where the committed chain ends: at or after the last seq anyone was told about.
      expect(start).toBeGreaterThanOrEqual(lastReported);
      for (const [seq, hash] of reported) {
        expect(all.has(seq), `seq ${seq} reported twice`).toBe(false);
        all.set(seq, hash);
      }
      lastReported = Math.max(...reported.keys());
    }

    const outbox = new Outbox(file, { deviceId: id.deviceId, signer: id.signer });
    try {
      for (const [seq, hash] of all) expect(outbox.hashAt(seq), `seq ${seq}`).toBe(hash);
      const head = outbox.head();
      expect(head.seq).toBeGreaterThanOrEqual(lastReported);
      const report = verifyChain(outbox.iterate(), { keyring: id.keyring, ed25519Verify: nodeEd25519Verify });
      expect(report.failures).toEqual([]);
      expect(report.accepted).toBe(head.seq);
      expect(outbox.append({ type: 'heartbeat', body: { uptime: 0, backlog: 0 } }).seq).toBe(head.seq + 1);
    } finally {
      outbox.close();
    }
  });
});
