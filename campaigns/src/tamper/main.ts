/** `npm run tamper [-- --short] [--mqtt N] [--exports N] [--clean-days N]`: the tamper campaign (tamper.ts). Exit 0: every input caught. */
import { parseArgs } from 'node:util';
import { formatTamperResult, runTamper, TAMPER_DEFAULTS, TAMPER_SHORT } from './tamper.ts';

const { values } = parseArgs({ options: { short: { type: 'boolean' }, mqtt: { type: 'string' }, exports: { type: 'string' }, 'clean-days': { type: 'string' } }, strict: true });
const base = values.short ? TAMPER_SHORT : TAMPER_DEFAULTS;
const whole = (raw: string | undefined, fallback: number) => (raw === undefined ? fallback : /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN);
const mqttCount = whole(values.mqtt, base.mqtt);
const exportCount = whole(values.exports, base.exports);
const cleanDays = whole(values['clean-days'], base.cleanDays);
if (![mqttCount, exportCount, cleanDays].every(Number.isInteger)) throw new Error('--mqtt, --exports and --clean-days take a whole number');
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const result = await runTamper({ mqtt: mqttCount, exports: exportCount, cleanDays, cleanSpeed: base.cleanSpeed, seed: base.seed, log });
process.stdout.write(`${formatTamperResult(result)}\n`);
process.exitCode = result.passed ? 0 : 1;
