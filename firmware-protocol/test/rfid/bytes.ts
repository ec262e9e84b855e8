/** Test helpers: literal frames written as spaced hex, and a seeded generator so fuzz runs repeat exactly. */
import { fromHex, toHex } from '../../src/encoding.ts';

export function hex(spaced: string): Uint8Array {
  const bytes = fromHex(spaced.replace(/\s+/g, '').toLowerCase());
  if (!bytes) throw new Error(`not hex: ${spaced}`);
  return bytes;
}

export function spaced(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase().replace(/(..)(?=.)/g, '$1 ');
}


export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export { seededRandom } from '../../src/random.ts';
