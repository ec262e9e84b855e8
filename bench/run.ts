/**
 * `npm run bench`: measures on this machine and writes docs/benchmarks.md (table) and
 * docs/benchmarks.json (raw figures). Every figure that has a natural limit is reported as a ratio
 * against that limit measured in the same run, so results compare across machines.
 *   options: --seconds N (per rate measurement, default 2)  --records N (verify CLI export, default 200000)
 *            --devices N (simulated devices in the ingest runs, default 200)
 *            --records-per-device N (records each device sends, default 250)
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { markdownTable, progress, type Row } from './harness.ts';
import { benchIngest } from './ingest.bench.ts';
import { benchRecords } from './record.bench.ts';
import { benchVerifyCli } from './verify-cli.bench.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    records: { type: 'string', default: '200000' },
    devices: { type: 'string', default: '200' },
    'records-per-device': { type: 'string', default: '250' },
  },
});
const seconds = Number(values.seconds);
const records = Number(values.records);
const devices = Number(values.devices);
const recordsPerDevice = Number(values['records-per-device']);

const rows: Row[] = [];
rows.push(...benchRecords(seconds));
const rawVerify = rows.find((r) => r.name.startsWith('raw Ed25519 verify'))!.value;
rows.push(...(await benchVerifyCli(records, rawVerify)));
rows.push(...(await benchIngest({ seconds, devices, recordsPerDevice, perMessage: 25, window: 4 })));

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
const when = new Date().toISOString();
const table = markdownTable(rows);
const command = `npm run bench -- --seconds ${seconds} --records ${records} --devices ${devices} --records-per-device ${recordsPerDevice}`;
writeFileSync(new URL('../docs/benchmarks.json', import.meta.url), JSON.stringify({ when, machine, command, rows }, null, 2) + '\n');
writeFileSync(
  new URL('../docs/benchmarks.md', import.meta.url),
  `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); reproduce with:

\`\`\`
${command}
\`\`\`

Measured ${when} on ${machine}. Ratios compare a figure with its limit measured in the same run.

${table}

What each row means: raw rates are node:crypto Ed25519 on one 340-byte message with a cached key;
record sign is signRecord (canonical JSON, SHA-256, signature, and the self-check that refuses to sign
an invalid record); record verify is verifyRecord (strict decoding, schema, keyring lookup, signature);
the verify CLI row is the whole \`wastetrail verify\` process on a generated single-device export,
including start-up and file reading, with its peak resident memory sampled from /proc.
The ingest rows run the whole pipeline: simulated devices (plain MQTT clients, each with its own
registered key, logging in to the embedded gateway with signed tokens; 25 pre-signed envelopes per
message, at most 4 messages per device beyond its last ack) -> broker -> the server (startServer in a child process, SQLite in a temp dir, verifyWorkers
"auto"), timed from the first publish until every device holds the ack of its last record; the limit
is raw Ed25519 verification on every core (one worker thread per core). The server's peak RSS is
sampled from /proc; the Mosquitto row runs the same through 127.0.0.1:1883 (external mode), when it
is reachable, and compares with the embedded gateway. Devices and the server share the machine.
`,
);
console.log(table);
progress('wrote docs/benchmarks.md and docs/benchmarks.json');
