/** `wastetrail <command>`: the operator's entry point. Each command returns its exit code. */
import { runDemo } from './demo.ts';
import { runDrawCommand } from './draw.ts';
import { runServe } from './serve.ts';
import { runVerify } from './verify.ts';

const USAGE = `usage: wastetrail <command> [options]

commands:
  demo [--data DIR] [--institutions N] [--speed X] [--seed S] [--incidents a,b] [--pty] [--for SECONDS]
      The whole system on embedded defaults with a simulated city (what npm start runs; docs/demo.md).
  server --config FILE
      Run the gateway and the server as a service (example configuration: server/config/example.jsonc).
  verify <records.jsonl | bundle.json> [--keys <keyring.json>] [--partial] [--all]
      Verify signed custody records offline: an edge export (JSONL; --keys required) or a bag's audit
      bundle (its own keys are used, checked against --keys when given).
      Exit 0: all valid. Exit 1: a record or the chain is invalid. Exit 2: unreadable input.
  draw --frame FRAME.json --seed S [--verify RESULT.json]
  draw --draw DRAW.json [--verify RESULT.json]
      Repeat an inspection draw (双随机一公开) from its published frame and seed and print the result;
      --verify checks a published result (docs/server/supervision.md).
      Exit 0: reproduced. Exit 1: the result differs (the first difference is named). Exit 2: unreadable input.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return runDemo(rest);
    case 'server':
      return runServe(rest);
    case 'verify':
      return runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'draw':
      return runDrawCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`wastetrail: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
