/**
 * Layering, as the running process shows it: `wastetrail server` loads the server, the gateway and the
 * record format, and nothing of the demo, the simulators, the edge agent or the serial port driver
 * (those packages sit above or beside the server: a production server never needs them), nor what its
 * config does not ask for (PostgreSQL, e-mail, pretty logs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/wastetrail.js', import.meta.url).pathname;
const RECORDER = new URL('./fixtures/record-modules.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wt-layering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wastetrail server', () => {
  it('loads no module of the demo, simulators, edge agent or serialport, nor pg, nodemailer or pino-pretty on SQLite with JSON logs', async () => {
    const config = join(dir, 'server.jsonc');
    const modules = join(dir, 'modules.txt');
    writeFileSync(config, '{ "dataDir": "./data", "mqtt": { "mode": "embedded", "gateway": { "tcp": { "port": 0, "host": "127.0.0.1" } } }, "http": { "port": 0 } }');
    writeFileSync(modules, '');
    const child = spawn(process.execPath, ['--import', RECORDER, BIN, 'server', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WASTETRAIL_MODULE_LOG: modules },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const http = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('listening http ') && resolve(line.split(' ')[2]!));
      void exited.then((code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    // A request runs the API's lazily built parts too.
    expect((await fetch(new URL('/healthz', http))).status).toBe(200);
    const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const loaded = readFileSync(modules, 'utf8').split('\n').filter(Boolean);
    // The recorder works: the compiled server and its libraries are there.
    expect(loaded.some((u) => u.includes('/server/dist/server.js'))).toBe(true);
    expect(loaded.some((u) => u.includes('/gateway/dist/'))).toBe(true);
    expect(loaded.some((u) => u.includes('/node_modules/fastify/'))).toBe(true);
    expect(loaded.filter((u) => u.includes('/server/src/') || u.endsWith('.ts'))).toEqual([]);
    const forbidden = loaded.filter((u) => /\/(demo|simulators|edge-agent)\/(dist|src)\/|\/node_modules\/(@serialport|serialport)\//.test(u));
    expect(forbidden).toEqual([]);
    expect(maps).not.toMatch(/serialport|bindings-cpp/);
    // Loaded only when configured: PostgreSQL (this server is on SQLite), e-mail, pretty log lines.
    expect(loaded.filter((u) => /\/node_modules\/(pg|pg-pool|nodemailer|pino-pretty)\//.test(u))).toEqual([]);
  });
});
