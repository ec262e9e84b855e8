/**
 * `wastetrail verify` on a large export: throughput and peak memory of the real CLI process. The file
 * is generated once (signing is the slow part) and kept under bench/results/.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ed25519KeyPairFromSeed,
  ed25519Signer,
  encodeEnvelope,
  GENESIS_PREV,
  keyId,
  keyringToJson,
  signRecord,
  type Keyring,
} from '@wastetrail/firmware-protocol';
import { progress, type Row } from './harness.ts';
import { SEALED } from './record.bench.ts';

const ROOT = new URL('..', import.meta.url).pathname;

async function makeExport(dir: string, records: number): Promise<{ file: string; keys: string }> {
  const file = join(dir, `export-${records}.jsonl`);
  const keys = join(dir, 'export-keyring.json');
  const pair = ed25519KeyPairFromSeed(new Uint8Array(32).fill(9));
  const keyring: Keyring = {
    devices: new Map([['bench-dev-01', { device: 'bench-dev-01', institution: 'h1', stations: ['department'], keys: [{ publicKeySpki: pair.publicKeySpki, kid: keyId(pair.publicKeySpki) }] }]]),
  };
  writeFileSync(keys, JSON.stringify(keyringToJson(keyring)));
  if (existsSync(file) && readFileSync(file).length > 0) return { file, keys };
  const signer = ed25519Signer(pair.privateKeyPem);
  const out = createWriteStream(file + '.part');
  let prev = GENESIS_PREV;
  const t0 = Date.parse('2026-03-02T08:00:00.000Z');
  for (let seq = 1; seq <= records; seq++) {
    const r = signRecord({ device: 'bench-dev-01', seq, prev, time: new Date(t0 + seq * 1000).toISOString(), event: SEALED }, signer);
    prev = r.hash;
    if (!out.write(encodeEnvelope(r) + '\n')) await new Promise<void>((ok) => out.once('drain', () => ok()));
    if (seq % 100_000 === 0) progress(`  signed ${seq.toLocaleString('en')} / ${records.toLocaleString('en')}`);
  }
  await new Promise<void>((ok) => out.end(ok));
  const { renameSync } = await import('node:fs');
  renameSync(file + '.part', file);
  return { file, keys };
}

/** Runs the CLI and samples its peak resident memory (VmHWM) from /proc while it runs. */
function runCli(file: string, keys: string): Promise<{ seconds: number; peakRssMb: number; stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'server/bin/wastetrail.js'), 'verify', file, '--keys', keys], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peakKb = 0;
    child.stdout.on('data', (d) => (stdout += d));
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited between samples */
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024, stdout, code: code ?? -1 });
    });
  });
}

export async function benchVerifyCli(records: number, rawVerifyRate: number): Promise<Row[]> {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  progress(`verify CLI: preparing an export of ${records.toLocaleString('en')} records`);
  const { file, keys } = await makeExport(dir, records);
  progress('verify CLI: running wastetrail verify');
  const r = await runCli(file, keys);
  if (r.code !== 0) throw new Error(`wastetrail verify failed on the benchmark export: ${r.stdout}`);
  const perSecond = records / r.seconds;
  return [
    { name: `wastetrail verify, ${records.toLocaleString('en')}-record export (whole process)`, value: perSecond, unit: 'records/s', limit: { name: 'raw verify, 1 core', value: rawVerifyRate } },
    { name: `wastetrail verify peak RSS, ${records.toLocaleString('en')} records`, value: r.peakRssMb, unit: 'MB', target: 'bounded: same at 10x the records' },
  ];
}
