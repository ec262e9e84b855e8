/**
 * The server's test double in its own process, for the drain benchmark: verifies and acks, and prints
 * "head <seq>" whenever its chain head moves (at most every 100 ms) and "ready" once subscribed.
 *   node --import tsx edge-agent/bench/consumer.ts DEVICE_ID KEYRING_JSON_FILE
 */
import { readFileSync } from 'node:fs';
import { parseKeyring } from '@wastetrail/firmware-protocol';
import { FakeServer } from '../test/support/fake-server.ts';

const [deviceId, keyringFile] = process.argv.slice(2) as [string, string];
const keyring = parseKeyring(JSON.parse(readFileSync(keyringFile, 'utf8')));
if (!keyring.ok) throw new Error(keyring.error.message);
const server = await FakeServer.start({ deviceId, keyring: keyring.value, keepAccepted: false });
process.stdout.write('ready\n');
let last = -1;
const timer = setInterval(() => {
  if (server.headSeq() !== last) {
    last = server.headSeq();
    process.stdout.write(`head ${last} rejected ${server.rejected.length} duplicates ${server.duplicates}\n`);
  }
}, 100);
process.on('SIGTERM', () => {
  clearInterval(timer);
  const cpu = process.cpuUsage();
  process.stdout.write(`cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s\n`);
  void server.close().then(() => process.exit(0));
});
