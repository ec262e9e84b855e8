/**
 * Child process for the crash test: commits records as fast as it can and prints "seq hash" after each
 * commit returns (stdout to a pipe is synchronous on Linux), until it is killed.
 */
import { readFileSync } from 'node:fs';
import { ed25519Signer } from '@wastetrail/firmware-protocol';
import { Outbox } from '../../src/outbox/outbox.ts';

const [file, deviceId, keyFile] = process.argv.slice(2) as [string, string, string];
const outbox = new Outbox(file, { deviceId, signer: ed25519Signer(readFileSync(keyFile, 'utf8')) });
process.stdout.write(`ready ${outbox.head().seq}\n`);
for (let i = 0; ; i++) {
  const r =
    i % 5 === 4
      ? outbox.append({ type: 'heartbeat', body: { uptime: i, backlog: outbox.backlog() } })
      : outbox.append({
          type: 'sealed',
          body: { tags: [`epc:30${(process.pid * 100_000 + i).toString(16).padStart(22, '0')}`], category: 'sharps', weight: { value: 100 + i, unit: 'g' }, department: 'ICU', staff: 'giai:0614141.100742' },
        });
  process.stdout.write(`${r.seq} ${r.hash}\n`);
}
