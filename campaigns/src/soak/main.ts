/** `npm run soak [-- --short | --kills N] [--seconds S] [--speed X] [--keep]`: the crash soak (soak.ts). Exit 0: passed. */
import { parseArgs } from 'node:util';
import { formatSoakResult, runSoak, SOAK_DEFAULTS, SOAK_SHORT } from './soak.ts';

const { values } = parseArgs({
  options: { short: { type: 'boolean' }, kills: { type: 'string' }, seconds: { type: 'string' }, speed: { type: 'string' }, institutions: { type: 'string' }, keep: { type: 'boolean' } },
  strict: true,
});
const base = values.short ? SOAK_SHORT : SOAK_DEFAULTS;
const whole = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`--${name} must be a whole number above 0, got "${raw}"`);
  return Number(raw);
};
const kills = whole('kills', values.kills, base.kills);
const result = await runSoak({
  ...base,
  kills,
  // --kills N alone: the default pace (about 3 s a kill).
  seconds: whole('seconds', values.seconds, values.kills && !values.seconds ? Math.round((base.seconds * kills) / base.kills) : base.seconds),
  speed: whole('speed', values.speed, base.speed),
  institutions: whole('institutions', values.institutions, base.institutions),
  keep: values.keep === true,
  log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
});
process.stdout.write(`${formatSoakResult(result)}\n`);
process.exitCode = result.passed ? 0 : 1;
