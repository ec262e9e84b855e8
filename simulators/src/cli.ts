/**
 * `wastetrail-sim <device> ...`: one command for every simulated device. Each subcommand owns its
 * options; this file only dispatches.
 */
import { runClimateCli } from './climate/cli.ts';
import { runReaderCli } from './reader/cli.ts';
import { runScaleCli } from './scale/cli.ts';
import { runVehicleCli } from './vehicle/cli.ts';

const USAGE = `usage: wastetrail-sim <command> [options]

commands:
  scale --protocol mt-sics|xk3190|and [...]   a scale on a pty (wastetrail-sim scale --help)
  reader [...]                                an RFID reader on a pty (wastetrail-sim reader --help)
  climate [...]                               Modbus RTU temperature/humidity sensors on a pty (wastetrail-sim climate --help)
  vehicle [...]                               a vehicle's GNSS receiver and cargo module on ptys, driving a demo round (wastetrail-sim vehicle --help)
  (the city of real edge agents is \`wastetrail-demo city\`: it needs the edge agent, which this package does not)`;

async function runReader(argv: string[]): Promise<number> {
  await runReaderCli(argv);
  // The reader reports failure through process.exitCode.
  return Number(process.exitCode ?? 0) || 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scale':
      return runScaleCli(rest);
    case 'reader':
      return runReader(rest);
    case 'climate':
      return runClimateCli(rest);
    case 'vehicle':
      return runVehicleCli(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`wastetrail-sim: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}
