/** Random and mutated inputs (pure, seeded): the fuzz campaign's generators. */

export type Random = () => number;

export const int = (random: Random, n: number): number => Math.floor(random() * n);

export function randomBytes(random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(random, 256);
  return out;
}

/**
 * One mutation of `seed`: bits flipped, bytes replaced, inserted, removed or repeated, a cut, a splice
 * with another seed, or bytes that mean something to a parser (CR, LF, STX, frame heads) dropped in.
 */
export function mutate(random: Random, seed: Uint8Array, others: readonly Uint8Array[] = [], maxLength = 4096): Uint8Array {
  const b = Array.from(seed);
  const rounds = 1 + int(random, 4);
  const special = [0x00, 0x0a, 0x0d, 0x02, 0x03, 0xa0, 0xff, 0x7b, 0x7d, 0x22, 0x5c, 0xef, 0xbb, 0xbf, 0x2b, 0x2d, 0x2e, 0x30, 0x39];
  for (let r = 0; r < rounds; r++) {
    const at = int(random, b.length + 1);
    switch (int(random, 8)) {
      case 0:
        if (b.length > 0) b[at % b.length]! ^= 1 << int(random, 8);
        break;
      case 1:
        if (b.length > 0) b[at % b.length] = int(random, 256);
        break;
      case 2:
        b.splice(at, 0, ...randomBytes(random, 1 + int(random, 8)));
        break;
      case 3:
        b.splice(at, 1 + int(random, 8));
        break;
      case 4:
        b.splice(at, 0, ...b.slice(at, at + 1 + int(random, 32)));
        break;
      case 5:
        b.length = Math.min(b.length, at);
        break;
      case 6: {
        const other = others.length > 0 ? others[int(random, others.length)]! : seed;
        const from = int(random, other.length + 1);
        b.splice(at, 0, ...other.slice(from, from + 1 + int(random, 64)));
        break;
      }
      case 7:
        b.splice(at, 0, special[int(random, special.length)]!);
        break;
    }
  }
  return Uint8Array.from(b.length > maxLength ? b.slice(0, maxLength) : b);
}

/** A byte stream cut into chunks of 1..maxChunk bytes at random places, as a serial line delivers it. */
export function* chunked(random: Random, stream: Uint8Array, maxChunk: number): Generator<Uint8Array> {
  for (let at = 0; at < stream.length; ) {
    const n = 1 + int(random, maxChunk);
    yield stream.subarray(at, at + n);
    at += n;
  }
}

/** A random JSON value: the awkward numbers, strings and keys (prototype names too) that parsers meet. */
export function randomJson(random: Random, keys: readonly string[], depth = 0): unknown {
  switch (int(random, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, 9007199254740993, -0][int(random, 6)];
    case 3:
      return ['', ' ', '0x10', 'epc:', '\u0000', '\uFEFF', '🦠', 'a'.repeat(int(random, 2000))][int(random, 8)];
    case 4:
      return Buffer.from(randomBytes(random, int(random, 96))).toString('base64');
    case 5:
      return Array.from({ length: int(random, 4) }, () => randomJson(random, keys, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(random, 4) }, () => [keys[int(random, keys.length)]!, randomJson(random, keys, depth + 1)]));
  }
}
