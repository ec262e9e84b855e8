/**
 * The edge agent under test for bench/backlog.bench.ts, in its own process so its peak memory can be
 * read from /proc: the agent's own Outbox and Uplink (edge-agent/src), as `wastetrail-edge run` wires
 * them, with the agent's default MQTT settings (window 8 messages, batches of up to 200 records /
 * 128 KiB) and device-token login. argv[2] is JSON {deviceId, privateKeyPem, records, mqttUrl, dir}.
 * Prints `filled <seconds>` once the backlog is committed (transactions of 10 000, as
 * edge-agent/bench/backlog-drain.ts does), then connects, and prints `acked <n>` lines while the
 * server acknowledges and `drained <seconds> <uplink stats JSON>` when it has acknowledged every record.
 */
import { join } from 'node:path';
import { ed25519Signer, type CustodyEvent } from '@wastetrail/firmware-protocol';
import { Outbox, Uplink, type MqttConfig } from '@wastetrail/edge-agent';
import { silentLogger } from '@wastetrail/runtime';

const args = JSON.parse(process.argv[2] ?? '{}') as { deviceId: string; privateKeyPem: string; records: number; mqttUrl: string; dir: string; mqtt?: Partial<MqttConfig> };
const signer = ed25519Signer(args.privateKeyPem);
const sealed = (i: number): CustodyEvent => ({
  type: 'sealed',
  body: { tags: [`epc:30${i.toString(16).padStart(22, '0')}`], category: 'infectious', weight: { value: 100 + (i % 5000), unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
});

const outbox = new Outbox(join(args.dir, 'outbox.sqlite'), { deviceId: args.deviceId, signer });
let t0 = performance.now();
for (let i = 0; i < args.records; i += 10_000) outbox.appendMany(Array.from({ length: Math.min(10_000, args.records - i) }, (_, k) => sealed(i + k + 1)));
process.stdout.write(`filled ${((performance.now() - t0) / 1000).toFixed(3)}\n`);

const config: MqttConfig = {
  url: args.mqttUrl,
  tls: { rejectUnauthorized: true },
  auth: { mode: 'device-token' },
  keepaliveSeconds: 30,
  connectTimeoutSeconds: 30,
  reconnect: { minMs: 1000, maxMs: 60_000 },
  batch: { maxRecords: 200, maxBytes: 131_072 },
  window: 8,
  ackTimeoutSeconds: 60,
  ...args.mqtt,
};
const uplink = new Uplink({ deviceId: args.deviceId, outbox, config, signer, logger: silentLogger });
t0 = performance.now();
const cpu0 = process.cpuUsage();
uplink.start();
let last = 0;
for (;;) {
  const acked = outbox.ackedSeq();
  if (acked >= args.records) break;
  if (performance.now() - last > 2000) {
    last = performance.now();
    process.stdout.write(`acked ${acked}\n`);
  }
  await new Promise((r) => setTimeout(r, 10));
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`drained ${((performance.now() - t0) / 1000).toFixed(3)} ${JSON.stringify({ ...uplink.stats, cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) })}\n`);
await uplink.stop();
outbox.close();
process.exit(0);
