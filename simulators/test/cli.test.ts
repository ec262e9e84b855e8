/**
 * The real `wastetrail-sim` binary: started as a user would start it, talked to through the pty path it
 * prints, then stopped with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MtSicsReplyParser, type MtSicsReply } from '@wastetrail/firmware-protocol';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { runScaleCli } from '../src/scale/cli.ts';

const BIN = fileURLToPath(new URL('../bin/wastetrail-sim.js', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const ports: SerialPort[] = [];

afterEach(async () => {
  for (const p of ports.splice(0)) if (p.isOpen) await new Promise((r) => p.close(r));
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then((code) => reject(new Error(`wastetrail-sim exited (${code}) before printing a path: ${stderr}`)));
  });
  return { child, firstLine, exited, stderr: () => stderr };
}

/** Waits until `predicate` holds for the simulator's stderr. */
async function stderrShows(get: () => string, text: string): Promise<void> {
  while (!get().includes(text)) await new Promise((r) => setTimeout(r, 20));
}

describe('wastetrail-sim scale (the real binary)', () => {
  it('prints the device path, answers MT-SICS on it, runs scenario and stdin steps, stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wastetrail-scenario-'));
    const scenario = join(dir, 'bag.txt');
    await writeFile(scenario, '# one bag\nput 700\n');
    try {
      const sim = start(['scale', '--protocol', 'mt-sics', '--settle', '0', '--serial', 'CLI-TEST', '--scenario', scenario, '--verbose']);
      const path = await sim.firstLine;
      expect(path).toMatch(/wastetrail-pty-.*\/tty$/);

      sim.child.stdin.write('put 800\n');
      await stderrShows(sim.stderr, 'step put 800');

      const host = new SerialPort({ path, baudRate: 9600, autoOpen: false });
      ports.push(host);
      await new Promise<void>((resolve, reject) => host.open((err) => (err ? reject(err) : resolve())));
      const parser = new MtSicsReplyParser();
      const replies = new Promise<MtSicsReply[]>((resolve) => {
        const got: MtSicsReply[] = [];
        host.on('data', (b: Buffer) => {
          got.push(...parser.push(b));
          if (got.length >= 3) resolve(got);
        });
      });
      host.write('S\r\nI4\r\nHELLO\r\n');
      const [weight, serial, error] = await replies;
      expect(weight).toMatchObject({ kind: 'weight', reading: { state: 'stable', grams: 1500 } });
      expect(serial).toMatchObject({ kind: 'done', id: 'I4', values: ['CLI-TEST'] });
      expect(error).toMatchObject({ kind: 'error', error: 'syntax' });

      await new Promise((r) => host.close(r));
      sim.child.kill('SIGTERM');
      expect(await sim.exited).toBe(0);
      expect(sim.stderr()).toContain('stopped (SIGTERM)');
      expect(existsSync(dirname(path))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('wastetrail-sim scale arguments', () => {
  async function run(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (b: Buffer) => (out += b.toString()));
    stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await runScaleCli(args, { stdout, stderr, stdin: new PassThrough() });
    return { code, out, err };
  }

  it('refuses bad options before opening anything', async () => {
    expect(await run(['--protocol', 'modbus'])).toMatchObject({ code: 2, err: expect.stringContaining('--protocol must be one of') });
    expect(await run(['--protocol', 'and', '--data-bits', '9'])).toMatchObject({ code: 2, err: expect.stringContaining('--data-bits') });
    expect(await run(['--protocol', 'and', '--parity', 'mark'])).toMatchObject({ code: 2, err: expect.stringContaining('parity') });
    expect(await run(['--protocol', 'xk3190', '--unit', 'ct'])).toMatchObject({ code: 2, err: expect.stringContaining('--unit') });
    expect(await run(['--protocol', 'xk3190', '--bogus'])).toMatchObject({ code: 2 });
    expect(await run(['--protocol', 'xk3190', '--scenario', '/nonexistent/file'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read scenario') });
  });

  it('reports scenario errors with file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wastetrail-scenario-'));
    try {
      await writeFile(join(dir, 's.txt'), 'put 5\nfly away\n');
      const r = await run(['--protocol', 'mt-sics', '--scenario', join(dir, 's.txt')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('s.txt:2: unknown step "fly"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints help', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--protocol mt-sics|xk3190|and') });
  });
});
