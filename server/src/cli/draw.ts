/**
 * `wastetrail draw`: repeat an inspection draw from its published frame and seed, and check a published
 * result against it (双随机一公开: anyone can). The draw itself is server/src/supervision/draw.ts, the
 * same code the server ran.
 *
 *   wastetrail draw --frame FRAME.json --seed S [--verify RESULT.json]
 *   wastetrail draw --draw DRAW.json [--verify RESULT.json]
 *
 * Prints the DrawResult as JSON. With --verify: exit 0 and "result reproduced" when the claimed result
 * (a DrawResult, a Draw, or {"draw": Draw}) is exactly the one drawn; exit 1 naming the first difference.
 * Exit 2: unreadable input or bad usage.
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { DrawError, firstDifference, frameHash, resultHash, runDraw, type DrawFrame, type DrawResult } from '../supervision/draw.ts';
import { parseCommandArgs } from './args.ts';

interface Io {
  stdout: Writable;
  stderr: Writable;
}

const EXIT_OK = 0;
const EXIT_DIFFERENT = 1;
const EXIT_UNREADABLE = 2;
const USAGE = 'usage: wastetrail draw --frame FRAME.json --seed S [--verify RESULT.json]\n       wastetrail draw --draw DRAW.json [--verify RESULT.json]\n';

class Unreadable extends Error {}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Unreadable(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Unreadable(`${file} is not JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Draw as the API returns it, or {draw: Draw}. */
function unwrapDraw(v: unknown): Record<string, unknown> | undefined {
  if (isObject(v) && isObject(v.draw)) return v.draw;
  if (isObject(v) && isObject(v.frame)) return v;
  return undefined;
}

export async function runDrawCommand(argv: string[], io: Io): Promise<number> {
  const args = parseCommandArgs(argv, { frame: { type: 'string' }, seed: { type: 'string' }, draw: { type: 'string' }, verify: { type: 'string' } });
  const fail = (message: string) => {
    io.stderr.write(`wastetrail draw: ${message}\n${USAGE}`);
    return EXIT_UNREADABLE;
  };
  if (!args.ok) return fail(args.message);
  const { frame: frameFile, seed: seedArg, draw: drawFile, verify: verifyFile } = args.values as Record<string, string | undefined>;
  if (args.positionals.length > 0) return fail(`unexpected argument ${args.positionals[0]}`);
  if ((frameFile === undefined) === (drawFile === undefined)) return fail('give either --frame (with --seed) or --draw');
  if (frameFile !== undefined && seedArg === undefined) return fail('--frame needs --seed (the seed published before the draw)');
  if (drawFile !== undefined && seedArg !== undefined) return fail('--draw carries its own seed; leave out --seed');

  let frame: DrawFrame;
  let seed: string;
  let claimed: unknown;
  try {
    if (drawFile !== undefined) {
      const draw = unwrapDraw(readJson(drawFile));
      if (!draw || typeof draw.seed !== 'string') throw new Unreadable(`${drawFile} is not a draw: expected {"frame", "seed", ...} or {"draw": {...}}`);
      frame = draw.frame as DrawFrame;
      seed = draw.seed;
      if (typeof draw.frameHash === 'string' && draw.frameHash !== frameHash(frame)) {
        io.stdout.write(`frame altered: the draw says frameHash ${draw.frameHash}, its frame hashes to ${frameHash(frame)}\n`);
        return EXIT_DIFFERENT;
      }
    } else {
      const f = readJson(frameFile!);
      frame = (isObject(f) && isObject(f.frame) ? f.frame : f) as DrawFrame;
      seed = seedArg!;
    }
    if (verifyFile !== undefined) {
      const v = readJson(verifyFile);
      const draw = unwrapDraw(v);
      claimed = draw ? draw.result : v;
      if (claimed === null || claimed === undefined) throw new Unreadable(`${verifyFile} holds a draw that has not been drawn (no result)`);
    }
  } catch (e) {
    if (e instanceof Unreadable) return fail(e.message);
    throw e;
  }

  let result: DrawResult;
  try {
    result = runDraw(frame, seed);
  } catch (e) {
    if (e instanceof DrawError) return fail(`${e.code}: ${e.message}`);
    if (e instanceof TypeError) return fail(`the frame cannot be read: ${e.message}`);
    throw e;
  }
  if (verifyFile === undefined) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  }
  const difference = firstDifference(result, claimed);
  if (difference === undefined) {
    io.stdout.write(`result reproduced: ${result.picks.length} institution(s) drawn; resultHash ${resultHash(result)}\n`);
    return EXIT_OK;
  }
  io.stdout.write(`result differs: ${difference}\n`);
  return EXIT_DIFFERENT;
}
