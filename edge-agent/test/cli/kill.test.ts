/**
 * kill -9 of the real agent (`wastetrail-edge run`, a child process) during a burst of records, then a
 * restart: no record that reached the server is lost or changed, the chain does not fork, and the
 * exported chain passes `wastetrail verify` with no gap.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.ts';
import { FakeServer } from '../support/fake-server.ts';
import { tempDir, testIdentity, writeIdentityFiles } from '../support/identity.ts';
import { simulatedDevices, stationConfig } from '../support/station-rig.ts';
import { BIN, runNode, VERIFY } from '../support/processes.ts';

const t = tempDir('wt-edge-kill-');
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  t.cleanup();
});

interface RunningAgent {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exited: Promise<unknown[]>;
}

async function startChild(configFile: string): Promise<RunningAgent> {
  const child = spawn(process.execPath, [BIN, 'run', '--config', configFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = once(child, 'exit');
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([once(lines, 'line'), exited.then(() => [undefined])]);
  if (first[0] === undefined) throw new Error(`the agent exited before it ran: ${stderr}`);
  expect(String(first[0])).toMatch(/^running t-\d+-[0-9a-f]+ \(department\); kiosk http:\/\/127\.0\.0\.1:\d+\/$/);
  return { child, stderr: () => stderr, exited };
}

describe('the agent killed with SIGKILL mid-burst', () => {
  it('restarts on the same chain, and the export verifies with no gap', async () => {
    const id = testIdentity();
    const { keyFile, keyringFile } = writeIdentityFiles(id, t.dir);
    const devices = await simulatedDevices();
    cleanups.push(() => devices.close());
    const server = await FakeServer.start({ deviceId: id.deviceId, keyring: id.keyring });
    cleanups.push(() => server.close());
    const dataDir = join(t.dir, 'data');
    const configFile = join(t.dir, 'station.jsonc');
    // A heartbeat every 12 ms: a steady burst of commits to be killed in the middle of.
    const config = stationConfig({ deviceId: id.deviceId, keyFile, dataDir, scalePath: devices.scalePty.devicePath, readerPath: devices.readerPty.devicePath, mqttUrl: 'mqtt://127.0.0.1:1883', heartbeatMinutes: 0.0002 });
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    const first = await startChild(configFile);
    await server.untilHead(40, 20_000);
    first.child.kill('SIGKILL');
    const [, signal] = await first.exited;
    expect(signal).toBe('SIGKILL');

    // Everything the server received was committed before it was sent: all of it is still there.
    const outbox = new Outbox(join(dataDir, 'outbox.sqlite'), { deviceId: id.deviceId });
    const headAfterKill = outbox.head().seq;
    for (const r of server.accepted) expect(outbox.hashAt(r.record.seq), `seq ${r.record.seq}`).toBe(r.hash);
    outbox.close();
    expect(headAfterKill).toBeGreaterThanOrEqual(server.headSeq());

    const second = await startChild(configFile);
    await server.untilHead(headAfterKill + 30, 20_000);
    const status = await runNode([BIN, 'status', '--config', configFile, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ device: id.deviceId, connection: 'connected' });
    second.child.kill('SIGTERM');
    const [code] = await second.exited;
    expect({ code, stderr: second.stderr() }).toMatchObject({ code: 0 });
    // A fork or a reused seq would have been rejected by the server's chain verifier.
    expect(server.rejected).toEqual([]);

    const out = join(t.dir, 'chain.jsonl');
    const exported = await runNode([BIN, 'export', '--config', configFile, '--out', out]);
    expect(exported.code).toBe(0);
    const verified = await runNode([VERIFY, 'verify', out, '--keys', keyringFile]);
    expect(verified.stdout + verified.stderr).toMatch(/^valid: \d+ records from 1 device/);
    expect(verified.code).toBe(0);
    const count = Number(/^valid: (\d+)/.exec(verified.stdout)?.[1]);
    expect(count).toBeGreaterThanOrEqual(headAfterKill + 30);
  });
});
