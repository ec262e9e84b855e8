/**
 * `npm run fuzz [-- --short] [--only serial,mqtt,api] [--serial N] [--mqtt N] [--api N]`: the fuzz
 * campaign (serial.ts, mqtt.ts, api.ts). Exit 0: no exception, no 5xx, nothing out of scope.
 */
import { parseArgs } from 'node:util';
import { formatFuzzResult, FUZZ_DEFAULTS, FUZZ_SHORT, runFuzz, type FuzzPart } from './fuzz.ts';

const { values } = parseArgs({
  options: { short: { type: 'boolean' }, only: { type: 'string' }, serial: { type: 'string' }, mqtt: { type: 'string' }, api: { type: 'string' } },
  strict: true,
});
const base = values.short ? FUZZ_SHORT : FUZZ_DEFAULTS;
const count = (raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`counts are whole numbers, got "${raw}"`);
  return Number(raw);
};
const parts = (values.only ?? 'serial,mqtt,api').split(',') as FuzzPart[];
const result = await runFuzz({
  parts,
  serialChunks: count(values.serial, base.serialChunks),
  mqttPayloads: count(values.mqtt, base.mqttPayloads),
  apiRequests: count(values.api, base.apiRequests),
  seed: base.seed,
  log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
});
process.stdout.write(`${formatFuzzResult(result)}\n`);
process.exitCode = result.passed ? 0 : 1;
