/** `wastetrail <command>`: the operator's entry point. Each command returns its exit code. */
// Each command loads only what it needs: `verify` must start fast and small on an auditor's laptop,
// without the HTTP server, the broker and the store that `server` brings in.

const USAGE = `usage: wastetrail <command> [options]

commands:
  server --config FILE
      Run the gateway and the server as a service (example configuration: server/config/example.jsonc).
  verify <records.jsonl | bundle.json> [--keys <keyring.json>] [--partial] [--all]
         [--log-key VKEY] [--witness-key WKEY]... [--quorum N]
      Verify signed custody records offline: an edge export (JSONL; --keys required) or a bag's audit
      bundle (its own keys are used, checked against --keys when given; its log proofs against --log-key,
      their checkpoint's cosignatures against --witness-key, at least --quorum of them).
      Exit 0: all valid. Exit 1: a record, the chain, a log proof or the quorum fails. Exit 2: unreadable input.
  witness --log URL --log-key VKEY --key FILE --state DIR [--name NAME] [--once] [--interval SECONDS]
      Witness a wastetrail log: check each new checkpoint is consistent with the last one cosigned (kept
      in DIR), cosign it with the key in FILE (made on first run; its verifier key is printed as
      "witness key ...", for the log's verifiableLog.witnesses) and hand the cosignature to the log.
      Exit 1: the log rolled back, forked or showed an inconsistent checkpoint (the code is printed;
      the state is kept). Exit 2: unusable arguments or, with --once, the log could not be reached.
  draw --frame FRAME.json --seed S [--verify RESULT.json]
  draw --draw DRAW.json [--verify RESULT.json]
      Repeat an inspection draw (双随机一公开) from its published frame and seed and print the result;
      --verify checks a published result (docs/server/supervision.md).
      Exit 0: reproduced. Exit 1: the result differs (the first difference is named). Exit 2: unreadable input.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return (await import('./serve.ts')).runServe(rest);
    case 'verify':
      return (await import('./verify.ts')).runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'witness':
      return (await import('./witness.ts')).runWitness(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'draw':
      return (await import('./draw.ts')).runDrawCommand(rest, { stdout: process.stdout, stderr: process.stderr });
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
