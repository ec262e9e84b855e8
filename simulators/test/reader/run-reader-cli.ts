// Runs `wastetrail-sim reader` as its own process for the end-to-end test, without the dispatcher.
import { runReaderCli } from '../../src/reader/cli.ts';

await runReaderCli(process.argv.slice(2));
