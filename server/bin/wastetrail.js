#!/usr/bin/env node
// Runs the compiled server CLI (dist/, built by `tsc -b`: npm start, npm test and `npm run build` build it).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
