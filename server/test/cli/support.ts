/** Running the real `wastetrail` binary, as a user does: node server/bin/wastetrail.js. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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

export interface SpawnedServer {
  child: ChildProcess;
  /** The next line the server printed on stdout. */
  nextLine(): Promise<string>;
  /** Its exit code, once it has closed its output. */
  exited: Promise<number>;
  stderr(): string;
}

/** Starts `wastetrail server --config FILE` (the caller kills it when done). */
export function spawnServer(config: string): SpawnedServer {
  const child = spawn(process.execPath, [BIN, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Every stdout line, in order: two lines may arrive in one chunk, so waiting with once('line') per
  // line could miss the second.
  const seen: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else seen.push(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (seen.length > 0 ? resolve(seen.shift()!) : waiting.push(resolve)));
  // 'close', not 'exit': by then everything it wrote to stderr has been read.
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, nextLine, exited, stderr: () => stderr };
}

/** The addresses a started server prints: its MQTT listener, then its HTTP one. */
export async function serverAddresses(s: SpawnedServer): Promise<{ mqtt: string; http: URL }> {
  const mqttLine = await s.nextLine();
  const httpLine = await s.nextLine();
  return { mqtt: mqttLine.split(' ')[2]!, http: new URL(httpLine.split(' ')[2]!) };
}
