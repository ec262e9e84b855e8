/**
 * End to end: the reader simulator's CLI in its own process on a real pseudo-terminal (socat), opened
 * from here with the real serialport binding exactly as the edge agent opens /dev/ttyUSB0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  ChafonFrameParser,
  ChafonInventoryAssembler,
  classifyTagRead,
  decodeChafonReaderInfo,
  decodeChafonReply,
  encodeChafonInventoryCommand,
  encodeChafonReaderInfoCommand,
  type ChafonFrame,
  type TagRead,
} from '@wastetrail/firmware-protocol';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('./run-reader-cli.ts', import.meta.url));
const BAG = '3074257bf7194e4000001a85';
const BADGE = 'giai:0614141.100742';

let dir: string;
let child: ChildProcessWithoutNullStreams;
let devicePath: string;
let stderr = '';
let port: SerialPort | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wastetrail-reader-e2e-'));
  const scenario = join(dir, 'scenario.txt');
  await writeFile(scenario, `# a bag on the pad\nenter epc:${BAG}\n`);
  child = spawn(process.execPath, ['--import', 'tsx', RUNNER, '--baud', '57600', '--variant', 'antenna-rssi', '--scenario', scenario], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before printing its device path: ${stderr}`)));
  });
  devicePath = firstLine;
});

afterAll(async () => {
  if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

/** A host: sends a command, collects frames until `done` says enough, flushing the parser if the line goes quiet. */
function makeHost(p: SerialPort) {
  const parser = new ChafonFrameParser();
  let waiting: { frames: ChafonFrame[]; done: (frames: ChafonFrame[]) => boolean; resolve: (f: ChafonFrame[]) => void } | undefined;
  p.on('data', (chunk: Buffer) => {
    const frames = parser.push(chunk);
    if (!waiting) return;
    waiting.frames.push(...frames);
    if (waiting.done(waiting.frames)) {
      waiting.resolve(waiting.frames);
      waiting = undefined;
    }
  });
  return (command: Uint8Array, done: (frames: ChafonFrame[]) => boolean) =>
    new Promise<ChafonFrame[]>((resolve, reject) => {
      waiting = { frames: [], done, resolve };
      p.write(Buffer.from(command), (err) => err && reject(err));
    });
}

async function inventoryUntil(ask: ReturnType<typeof makeHost>, wanted: (reads: TagRead[]) => boolean): Promise<TagRead[]> {
  const assembler = new ChafonInventoryAssembler('antenna-rssi');
  let reads: TagRead[] = [];
  // The scenario and stdin are played alongside: ask again until the field holds what we wait for.
  for (let attempt = 0; attempt < 100; attempt++) {
    const frames = await ask(encodeChafonInventoryCommand(), (fs) => fs.some((f) => f.command === 0x01 && f.data[0] !== 0x03));
    const result = frames.map((f) => assembler.push(f)).find((r) => r !== undefined);
    if (!result?.ok) throw new Error(`inventory failed: ${result ? result.error.message : 'no result'}`);
    reads = result.value.tags.map((t) => classifyTagRead(t.epc));
    if (wanted(reads)) return reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return reads;
}

describe('reader simulator CLI on a real pty', () => {
  it('prints a device path first, then answers inventories with the bag from the scenario and the badge from stdin', async () => {
    expect(devicePath).toMatch(/^\//);
    expect(existsSync(devicePath)).toBe(true);
    port = new SerialPort({ path: devicePath, baudRate: 57600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port!.open((err) => (err ? reject(err) : resolve())));
    const ask = makeHost(port);

    const info = await ask(encodeChafonReaderInfoCommand(), (fs) => fs.length > 0);
    const reply = decodeChafonReply(info[0]!);
    expect(reply.ok && decodeChafonReaderInfo(reply.value).ok).toBe(true);

    const bagOnly = await inventoryUntil(ask, (reads) => reads.length > 0);
    expect(bagOnly).toMatchObject([{ kind: 'tag', tagId: `epc:${BAG}` }]);

    child.stdin.write(`badge ${BADGE} for 600000\n`);
    const both = await inventoryUntil(ask, (reads) => reads.length === 2);
    expect(both.map((r) => (r.kind === 'badge' ? r.badgeId : r.kind === 'tag' ? r.tagId : r.reason)).sort()).toEqual([`epc:${BAG}`, BADGE].sort());

    child.stdin.write(`leave epc:${BAG}\nleave ${BADGE}\n`);
    const none = await inventoryUntil(ask, (reads) => reads.length === 0);
    expect(none).toEqual([]);
  });

  it('shuts down cleanly on SIGTERM, removing the pty', async () => {
    if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(existsSync(devicePath)).toBe(false);
    expect(stderr).not.toMatch(/Error/);
  });
});
