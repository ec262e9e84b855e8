/** `wastetrail-demo [options]` runs the demo; `wastetrail-demo city [options]` runs the city alone against a broker. */
import { runCityCli } from './city-cli.ts';
import { runDemo } from './cli.ts';

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'city') return runCityCli(argv.slice(1));
  return runDemo(argv);
}
