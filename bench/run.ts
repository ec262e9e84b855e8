/**
 * `npm run bench`: measures on this machine and writes docs/benchmarks.md (table) and
 * docs/benchmarks.json (raw figures). Every figure that has a natural limit is reported as a ratio
 * against that limit measured in the same run, so results compare across machines.
 *   options: --seconds N (per rate measurement, default 2)  --records N (verify CLI export, default 200000)
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { markdownTable, progress, type Row } from './harness.ts';
import { benchRecords } from './record.bench.ts';
import { benchVerifyCli } from './verify-cli.bench.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, records: { type: 'string', default: '200000' } } });
const seconds = Number(values.seconds);
const records = Number(values.records);

const rows: Row[] = [];
rows.push(...benchRecords(seconds));
const rawVerify = rows.find((r) => r.name.startsWith('raw Ed25519 verify'))!.value;
rows.push(...(await benchVerifyCli(records, rawVerify)));

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
const when = new Date().toISOString();
const table = markdownTable(rows);
const command = `npm run bench -- --seconds ${seconds} --records ${records}`;
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
`,
);
console.log(table);
progress('wrote docs/benchmarks.md and docs/benchmarks.json');
