#!/usr/bin/env node
// Runs the compiled demo (npm start builds it first: `tsc -b`).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
