// Rewrites firmware-protocol/test/vectors/ from test/vectors/build.ts. Run after a deliberate format change only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVectors } from '../test/vectors/build.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'vectors');
for (const [name, text] of buildVectors().files) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), text);
  console.log(`wrote ${name}`);
}
