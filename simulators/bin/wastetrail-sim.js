#!/usr/bin/env node
// Runs the compiled simulator CLI (dist/, built by `tsc -b`).
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
// Everything the command opened is closed by now; exit even if stdin or a stray handle would keep us up.
process.exit(code);
