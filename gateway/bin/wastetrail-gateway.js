#!/usr/bin/env node
// Runs the compiled gateway CLI (dist/, built by `tsc -b`).
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
