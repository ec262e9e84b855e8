// Type-checks the app, .vue templates included, with vue-tsc. The repository's own TypeScript is 7
// (the native compiler), which vue-tsc cannot drive; the web workspace keeps TypeScript 5 for this
// check alone, and this script hands vue-tsc that compiler instead of the hoisted one.
const { dirname } = require('node:path');
const tsc = require.resolve('typescript/lib/tsc', { paths: [dirname(__dirname)] });
process.argv.push('--noEmit', '-p', require('node:path').join(dirname(__dirname), 'tsconfig.json'));
require('vue-tsc').run(tsc);
