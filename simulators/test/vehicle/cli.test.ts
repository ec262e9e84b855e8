/**
 * `wastetrail-sim vehicle`, the real binary: it prints the receiver's and the cargo module's pty paths,
 * plays a demo round at high speed, and exits; what a host reads from the receiver's path is NMEA that
 * firmware-protocol's parser turns into the round's fixes, from the round's start.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GnssFixParser, type GnssFixReading } from '@wastetrail/firmware-protocol';
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/wastetrail-sim.js', import.meta.url));

describe('wastetrail-sim vehicle', () => {
  it('serves a round of NMEA on the first path it prints, and exits 0 when the round is over', async () => {
    const start = '2026-03-02T00:30:00.000Z';
    const child = spawn(process.execPath, [BIN, 'vehicle', '--speed', '20000', '--start', start, '--seed', '2'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const paths = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const lines = out.split('\n');
        if (lines.length > 2) resolve(lines.slice(0, 2));
      });
      void exited.then((code) => reject(new Error(`exited (${code}) before printing its paths: ${stderr}`)));
    });
    expect(paths.every((p) => p.startsWith('/'))).toBe(true);
    const fixes: GnssFixReading[] = [];
    const parser = new GnssFixParser({ onFix: (f) => fixes.push(f) });
    const port = new SerialPort({ path: paths[0]!, baudRate: 9600 });
    port.on('data', (b: Buffer) => parser.push(b));
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    if (port.isOpen) await new Promise((r) => port.close(r));
    expect(stderr).toMatch(/^vehicle 浙A\d{5}: \d+ fixes, \d+ door events, at 20000x/);
    const total = Number(/: (\d+) fixes/.exec(stderr)![1]);
    // Opened a moment after the paths were printed: the first seconds may have gone by unread.
    expect(fixes.length).toBeGreaterThan(total * 0.9);
    expect(fixes.length).toBeLessThanOrEqual(total);
    expect(fixes.at(-1)!.atMs - Date.parse(start)).toBeGreaterThan(3_600_000);
    expect(parser.counters.dropped).toBeLessThan(3);
  }, 60_000);

  it('refuses what is not a whole number, an unknown incident or a bad start, exit 2 naming the option, and opens no pty', async () => {
    const { runVehicleCli } = await import('../../src/vehicle/cli.ts');
    for (const [args, says] of [
      [['--speed', '1e3'], '--speed must be a whole number from 1 to 100000, got "1e3"'],
      [['--seed', '0x10'], '--seed must be a whole number'],
      [['--vehicle', '1.5'], '--vehicle must be a whole number'],
      [['--vehicle', '9'], '--vehicle must be from 1 to'],
      [['--incident', 'joyride'], '--incident must be dump-detour or scrapyard-stop, got "joyride"'],
      [['--start', 'yesterday'], '--start must be an RFC 3339 time'],
    ] as const) {
      let out = '';
      let err = '';
      const io = { stdout: { write: (t: string) => ((out += t), true) }, stderr: { write: (t: string) => ((err += t), true) } } as unknown as Parameters<typeof runVehicleCli>[1];
      expect(await runVehicleCli([...args], io), args.join(' ')).toBe(2);
      expect(err).toContain(`wastetrail-sim vehicle: ${says}`);
      expect(out).toBe('');
    }
  });
});
