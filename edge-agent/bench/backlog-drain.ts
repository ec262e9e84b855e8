/**
 * How fast does a long outage's backlog drain, and does the station keep working meanwhile?
 *   node --import tsx edge-agent/bench/backlog-drain.ts [records=100000]
 * Needs Mosquitto on 127.0.0.1:1883. The server's test double runs in its own process (consumer.ts),
 * verifying every record with ChainVerifier and acking. Here, the agent's outbox and uplink; a new
 * weighing is committed every 100 ms during the drain, and its commit time and the event loop's delay
 * are recorded, with this process's memory.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CustodyEvent } from '@wastetrail/firmware-protocol';
import { silentLogger } from '@wastetrail/runtime';
import { Outbox } from '../src/outbox/outbox.ts';
import { Uplink } from '../src/uplink/uplink.ts';
import { tempDir, testIdentity } from '../test/support/identity.ts';
import { mqttConfig } from '../test/support/mqtt-config.ts';

const N = Number(process.argv[2] ?? 100_000);
const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:30${i.toString(16).padStart(22, '0')}`], category: 'infectious', weight: { value: 100 + (i % 5000), unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

const id = testIdentity(['department'], `bench-${process.pid}`);
const t = tempDir('wt-edge-bench-');
const keyringFile = join(t.dir, 'keyring.json');
writeFileSync(keyringFile, JSON.stringify(id.keyringJson));
const outbox = new Outbox(join(t.dir, 'outbox.sqlite'), { deviceId: id.deviceId, signer: id.signer });
let t0 = performance.now();
for (let i = 0; i < N; i += 10_000) outbox.appendMany(Array.from({ length: Math.min(10_000, N - i) }, (_, k) => sealed(i + k + 1)));
const fill = (performance.now() - t0) / 1000;
console.log(`backlog: ${N} records committed in ${fill.toFixed(1)} s (${Math.round(N / fill)}/s in transactions of 10 000)`);

const consumer = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./consumer.ts', import.meta.url)), id.deviceId, keyringFile], { stdio: ['ignore', 'pipe', 'inherit'] });
let head = 0;
let status = '';
const lines = createInterface({ input: consumer.stdout });
await new Promise<void>((resolve) =>
  lines.on('line', (line) => {
    if (line === 'ready') resolve();
    const m = /^head (\d+)/.exec(line);
    if (m) {
      head = Number(m[1]);
      status = line;
    }
  }),
);
const until = async (seq: number) => {
  while (head < seq) await new Promise((r) => setTimeout(r, 50));
};

const config = mqttConfig('mqtt://127.0.0.1:1883', { window: 8, batch: { maxRecords: 200, maxBytes: 131_072 } });
const uplink = new Uplink({ deviceId: id.deviceId, outbox, config, signer: id.signer, logger: silentLogger });
const loop = monitorEventLoopDelay({ resolution: 10 });
const commits: number[] = [];
let extra = 0;
const weighing = setInterval(() => {
  const s = performance.now();
  outbox.append(sealed(N + ++extra));
  commits.push(performance.now() - s);
  uplink.notify();
}, 100);
loop.enable();
const cpu0 = process.cpuUsage();
t0 = performance.now();
uplink.start();
await until(N);
const drained = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
loop.disable();
clearInterval(weighing);
await until(N + extra);
const rss = process.memoryUsage().rss / 2 ** 20;
commits.sort((a, b) => a - b);
console.log(`drain: ${N} records in ${drained.toFixed(1)} s = ${Math.round(N / drained)} records/s (${uplink.stats.messagesPublished} messages, max in flight ${uplink.stats.maxInFlight}, max unacked records ${uplink.stats.maxUnacked})`);
console.log(`new weighings during the drain: ${extra}, commit p50 ${commits[commits.length >> 1]!.toFixed(2)} ms, max ${commits.at(-1)!.toFixed(2)} ms; agent event loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; agent rss ${rss.toFixed(0)} MiB`);
console.log(`agent cpu during the drain: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of ${drained.toFixed(1)} s`);
console.log(`server: ${status}`);
await uplink.stop();
lines.on('line', (line) => line.startsWith('cpu ') && console.log(`server test double ${line} (including start-up)`));
consumer.kill('SIGTERM');
await new Promise((r) => consumer.once('exit', r));
outbox.close();
t.cleanup();
