import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/wastetrail.js', import.meta.url).pathname;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed test must not leave its server running.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(config: string) {
  const child = spawn(process.execPath, [BIN, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  children.push(child);
  // Every stdout line, in order: two lines may arrive in one chunk, so waiting with once('line') per
  // line could miss the second.
  const seen: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else seen.push(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (seen.length > 0 ? resolve(seen.shift()!) : waiting.push(resolve)));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, nextLine, exited, stderr: () => stderr };
}

describe('wastetrail server --config', () => {
  it('starts the embedded gateway with the SQLite store, refuses an anonymous client, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.jsonc'), `// test\n{ "dataDir": "./data", "mqtt": { "mode": "embedded", "gateway": { "tcp": { "port": 0, "host": "127.0.0.1" } } }, "http": { "port": 0 } }`);
    const s = start(join(dir, 'server.jsonc'));
    const first = await s.nextLine();
    expect(first).toMatch(/^listening mqtt mqtt:\/\/127\.0\.0\.1:\d+$/);
    const url = first.split(' ')[2]!;
    const second = await s.nextLine();
    expect(second).toMatch(/^listening http http:\/\/127\.0\.0\.1:\d+\/$/);
    const health = await fetch(new URL('/healthz', second.split(' ')[2]!));
    expect(health.status).toBe(200);
    const unauthenticated = await fetch(new URL('/api/v1/bags', second.split(' ')[2]!));
    expect(unauthenticated.status).toBe(401);
    const refused = await new Promise<string>((resolve) => {
      const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000 });
      c.on('error', (e) => {
        c.end(true);
        resolve(e.message);
      });
    });
    expect(refused).toMatch(/Not authorized|Bad username or password/i);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toContain('shutting down');
  });

  it('a bad configuration names the field: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-serve-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.jsonc'), `{ "ingest": { "batchMs": "5" } }`);
    const s = start(join(dir, 'server.jsonc'));
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toBe(`wastetrail server: ${join(dir, 'server.jsonc')}: ingest.batchMs: must be a whole number from 1 to 10000 (ms); the default is 5, got "5"\n`);
    writeFileSync(join(dir, 'server.jsonc'), `{ "rules": { "storageOverdue": { "criticalHours": "two days" } } }`);
    const r = start(join(dir, 'server.jsonc'));
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/: rules\.storageOverdue: is a threshold: put it under "defaults" \(or under a jurisdiction in "jurisdictions"\)\n$/);
  });
});
