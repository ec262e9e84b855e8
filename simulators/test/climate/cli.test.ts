/**
 * `wastetrail-sim climate`, the real binary: started as a user would, asked with real Modbus RTU frames
 * on the pty path it prints, its readings and faults set on stdin, stopped with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { parseClimateCommand } from '../../src/climate/cli.ts';
import { withCrc } from '../../src/climate/sensor.ts';

const BIN = fileURLToPath(new URL('../../bin/wastetrail-sim.js', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const ports: SerialPort[] = [];

afterEach(async () => {
  for (const p of ports.splice(0)) if (p.isOpen) await new Promise((r) => p.close(r));
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Sends a request and collects what comes back within `ms`. */
async function ask(port: SerialPort, request: Buffer, ms = 300): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const on = (b: Buffer) => chunks.push(b);
  port.on('data', on);
  port.write(request);
  await new Promise((r) => setTimeout(r, ms));
  port.off('data', on);
  return Buffer.concat(chunks);
}

describe('wastetrail-sim climate (the real binary)', () => {
  it('answers RTU reads on the path it prints; stdin sets the readings and the faults; SIGTERM stops it', async () => {
    const child = spawn(process.execPath, [BIN, 'climate', '--outdoor-unit', '2', '--temperature', '21.5', '--humidity', '63.2'], { stdio: 'pipe' });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const path = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      void exited.then((code) => reject(new Error(`exited (${code}): ${stderr}`)));
    });
    const port = new SerialPort({ path, baudRate: 4800, autoOpen: false });
    ports.push(port);
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));

    const read = (unit: number) => withCrc([unit, 3, 0, 0, 0, 2]);
    expect(await ask(port, read(1))).toEqual(withCrc([1, 3, 4, 0x02, 0x78, 0x00, 0xd7]));
    expect(await ask(port, read(2))).toEqual(withCrc([2, 3, 4, 0x02, 0x26, 0x01, 0x2c]));
    child.stdin.write('temperature -3.5\noutdoor fault exception 4\nfault silent\nbogus\n');
    while (!stderr.includes('unknown command "bogus"')) await new Promise((r) => setTimeout(r, 20));
    expect(await ask(port, read(1))).toEqual(Buffer.alloc(0));
    expect(await ask(port, read(1))).toEqual(withCrc([1, 3, 4, 0x02, 0x78, 0xff, 0xdd]));
    expect(await ask(port, read(2))).toEqual(withCrc([2, 0x83, 4]));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('climate simulator: stopped (SIGTERM)');
  });

  it('reads stdin commands, and says what is wrong with a bad one', () => {
    expect(parseClimateCommand('temperature 23.5')).toEqual({ kind: 'set', what: 'temperature', tenths: 235, outdoor: false });
    expect(parseClimateCommand('outdoor 31')).toEqual({ kind: 'set', what: 'temperature', tenths: 310, outdoor: true });
    expect(parseClimateCommand('outdoor fault bad-crc always')).toEqual({ kind: 'fault', fault: { kind: 'bad-crc' }, times: Infinity, outdoor: true });
    expect(parseClimateCommand('fault exception 2 3')).toEqual({ kind: 'fault', fault: { kind: 'exception', code: 2 }, times: 3, outdoor: false });
    expect(parseClimateCommand('  # a comment')).toBeUndefined();
    expect(parseClimateCommand('temperature 23.55')).toMatchObject({ error: expect.stringContaining('at most one decimal') });
    expect(parseClimateCommand('temperature 130')).toMatchObject({ error: expect.stringContaining('-40.0 to 125.0') });
    expect(parseClimateCommand('humidity -1')).toMatchObject({ error: expect.stringContaining('0 to 100.0') });
    expect(parseClimateCommand('fault exception')).toMatchObject({ error: expect.stringContaining('a code (1-255)') });
    expect(parseClimateCommand('fault melt')).toMatchObject({ error: 'fault must be silent, bad-crc or exception, got "melt"' });
  });
});
