#!/usr/bin/env node
// Runs the compiled edge agent CLI (dist/, built by `tsc -b`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
