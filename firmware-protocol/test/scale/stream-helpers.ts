import type { ScaleStreamParser } from '../../src/scale/index.ts';

/** Pushes `chunks` in order and returns everything decoded. */
export function feed<T>(parser: ScaleStreamParser<T>, ...chunks: Uint8Array[]): T[] {
  return chunks.flatMap((c) => parser.push(c));
}

/**
 * For every split offset 0..len: a fresh parser gets the stream in two pieces; also once byte by byte.
 * Returns the decoded output of every run so the caller can assert they are all the same.
 */
export function everySplit<T>(make: () => ScaleStreamParser<T>, stream: Uint8Array): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i <= stream.length; i++) runs.push(feed(make(), stream.subarray(0, i), stream.subarray(i)));
  const byByte = make();
  runs.push(Array.from(stream, (b) => byByte.push(Uint8Array.of(b))).flat());
  return runs;
}
