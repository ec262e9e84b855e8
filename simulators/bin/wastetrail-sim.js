#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx compiles them as they load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
// Everything the command opened is closed by now; exit even if stdin or a stray handle would keep us up.
process.exit(code);
