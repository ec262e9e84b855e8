/**
 * What a process costs before it does any work, for the compiled bins: `wastetrail verify` on the
 * golden chain (wall time and peak RSS of the whole process, against bare `node -e 0` in the
 * same run), and an idle `wastetrail server` (embedded gateway, SQLite, no devices): RSS 3 s after it
 * says it listens, and again after 30 s idle, once V8's memory reducer has returned what start-up used.
 * Peak RSS is the process's own getrusage maximum (read at exit through a preloaded module), so even a
 * 0.1 s process is measured exactly, not sampled.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { percentile, progress, type Row } from './harness.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const WASTETRAIL = join(ROOT, 'server/bin/wastetrail.js');
const GOLDEN = join(ROOT, 'firmware-protocol/test/vectors/chain-valid.jsonl');
const GOLDEN_KEYS = join(ROOT, 'firmware-protocol/test/vectors/keyring.json');
/** Counted, not written down: the golden chain grows when a record type is added. */
const GOLDEN_RECORDS = readFileSync(GOLDEN, 'utf8').split('\n').filter((l) => l !== '').length;
/** Preloaded with --import: writes the process's peak RSS (kB, getrusage) to $WT_MAXRSS_FILE at exit. */
const MAXRSS = `data:text/javascript,${encodeURIComponent("import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(process.env.WT_MAXRSS_FILE, String(process.resourceUsage().maxRSS)));")}`;

interface Run {
  seconds: number;
  peakRssMb: number;
  code: number;
}

function timed(args: string[], dir: string): Promise<Run> {
  const rssFile = join(dir, `maxrss-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', MAXRSS, ...args], { stdio: 'ignore', env: { ...process.env, WT_MAXRSS_FILE: rssFile } });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      resolve({ seconds, peakRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, code: code ?? -1 });
    });
  });
}

async function repeat(args: string[], dir: string, times: number): Promise<{ p50Seconds: number; maxRssMb: number }> {
  const runs: Run[] = [];
  for (let i = 0; i < times; i++) {
    const r = await timed(args, dir);
    if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}`);
    runs.push(r);
  }
  return { p50Seconds: percentile(runs.map((r) => r.seconds).sort((a, b) => a - b), 50), maxRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;

/** Starts `wastetrail server` on embedded defaults with free ports; RSS after 3 s and after settleSeconds. */
async function idleServer(dir: string, settleSeconds: number): Promise<{ afterStartMb: number; settledMb: number }> {
  const config = join(dir, 'server.jsonc');
  writeFileSync(config, JSON.stringify({ dataDir: './data', mqtt: { mode: 'embedded', gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } }));
  const child = spawn(process.execPath, [WASTETRAIL, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('listening http') && resolve());
      child.once('exit', (code) => reject(new Error(`wastetrail server exited ${code} before listening`)));
    });
    await new Promise((r) => setTimeout(r, 3000));
    const afterStartMb = rssMb(child.pid!);
    progress(`idle server: ${afterStartMb.toFixed(0)} MB 3 s after start; waiting ${settleSeconds} s idle`);
    await new Promise((r) => setTimeout(r, (settleSeconds - 3) * 1000));
    return { afterStartMb, settledMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
  }
}

export async function benchStartup(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-startup-'));
  try {
    progress('startup: bare node, then wastetrail verify on the golden chain (10 runs each)');
    const bare = await repeat(['-e', '0'], dir, 10);
    const verify = await repeat([WASTETRAIL, 'verify', GOLDEN, '--keys', GOLDEN_KEYS], dir, 10);
    const idle = await idleServer(dir, 30);
    return [
      { name: 'bare `node -e 0`, wall time (p50 of 10)', value: bare.p50Seconds, unit: 's', note: `peak RSS ${bare.maxRssMb.toFixed(0)} MB` },
      { name: `\`wastetrail verify\` golden chain (${GOLDEN_RECORDS} records), wall time (p50 of 10)`, value: verify.p50Seconds, unit: 's', limit: { name: 'target', value: 0.4 }, target: '<= 1 (<= 0.4 s)', note: `${(verify.p50Seconds / bare.p50Seconds).toFixed(1)}x bare node` },
      { name: '`wastetrail verify` golden chain, peak RSS (max of 10)', value: verify.maxRssMb, unit: 'MB', limit: { name: 'target', value: 80 }, target: '<= 1 (<= 80 MB)', note: `bare node ${bare.maxRssMb.toFixed(0)} MB` },
      { name: 'idle `wastetrail server` (embedded gateway, SQLite), RSS 3 s after start', value: idle.afterStartMb, unit: 'MB', limit: { name: 'target', value: 100 }, target: '<= 1 (<= 100 MB)' },
      { name: 'idle `wastetrail server`, RSS after 30 s idle', value: idle.settledMb, unit: 'MB', limit: { name: 'target', value: 100 }, target: '<= 1 (<= 100 MB)' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
