/**
 * The double-random inspection draw (双随机一公开): institutions drawn at random, weighted by risk
 * class, each paired with inspectors drawn at random from those without a declared conflict. Everything
 * random comes from a SHA-256 stream keyed by the published seed and the hash of the frame (who could
 * be drawn, with what weight), so anyone holding the frame and the seed gets the same result:
 * `wastetrail draw`. docs/server/supervision.md#the-draw specifies it byte for byte.
 */
import { createHash } from 'node:crypto';
import { canonicalJson as canonicalJsonOf } from '@wastetrail/firmware-protocol';
import type { RiskClass } from './settings.ts';

export const DRAW_VERSION = 1;
export const DRAW_DOMAIN = 'wastetrail/draw/v1';

export interface DrawFrame {
  version: 1;
  jurisdiction: string;
  period: string;
  /** Share of the institutions to draw, (0, 1], at most 4 decimals. */
  ratio: number;
  inspectorsPerInstitution: number;
  /** Sorted by id; weights are positive whole numbers. */
  institutions: Array<{ id: string; riskClass: RiskClass; weight: number }>;
  /** Sorted by id; conflicts are institution ids. */
  inspectors: Array<{ id: string; conflicts: string[] }>;
}

export interface DrawPick {
  institution: string;
  inspectors: string[];
}

export interface DrawResult {
  version: 1;
  frameHash: string;
  seed: string;
  picks: DrawPick[];
}

export type DrawErrorCode = 'NOT_ENOUGH_INSPECTORS' | 'INVALID_FRAME';

export class DrawError extends Error {
  readonly code: DrawErrorCode;
  constructor(code: DrawErrorCode, message: string) {
    super(message);
    this.name = 'DrawError';
    this.code = code;
  }
}

/**
 * firmware-protocol's canonical JSON (object keys sorted by UTF-16 code units, no whitespace), holding
 * any finite number, printed as JavaScript (and RFC 8785) print it: the bytes the frame and result
 * hashes are taken over.
 */
export const canonicalJson = (value: unknown): string => canonicalJsonOf(value, 'finite');

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function frameHash(frame: DrawFrame): string {
  return sha256Hex(canonicalJson(frame));
}

export function resultHash(result: DrawResult): string {
  return sha256Hex(canonicalJson(result));
}

/**
 * The random stream: key = SHA-256("wastetrail/draw/v1\n" + seed + "\n" + frameHash) (UTF-8), block i
 * = SHA-256(key ‖ uint32be(i)) for i = 0, 1, ...; the stream is the blocks' bytes in order, read as
 * big-endian uint32 words.
 */
export class DrawStream {
  private readonly key: Buffer;
  private block = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(seed: string, hashOfFrame: string) {
    this.key = createHash('sha256').update(`${DRAW_DOMAIN}\n${seed}\n${hashOfFrame}`, 'utf8').digest();
  }

  nextUint32(): number {
    if (this.offset + 4 > this.block.length) {
      const c = Buffer.alloc(4);
      c.writeUInt32BE(this.counter++);
      this.block = createHash('sha256').update(this.key).update(c).digest();
      this.offset = 0;
    }
    const w = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return w;
  }

  /** A whole number in [0, n), without bias: words at or above the largest multiple of n below 2^32 are skipped. */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`below(${n})`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const w = this.nextUint32();
      if (w < limit) return w % n;
    }
  }
}

/** How many institutions a ratio draws from n: ceil(ratio × n), with the ratio taken to 4 decimals. */
export function picksFor(ratio: number, n: number): number {
  const perTenThousand = Math.round(ratio * 10_000);
  return Math.min(n, Math.floor((perTenThousand * n + 9_999) / 10_000));
}

/** Checks a frame's shape and order; throws DrawError INVALID_FRAME naming what is wrong. */
export function checkFrame(frame: DrawFrame): void {
  const bad = (m: string) => new DrawError('INVALID_FRAME', m);
  if (frame.version !== DRAW_VERSION) throw bad(`version must be ${DRAW_VERSION}`);
  if (!(typeof frame.ratio === 'number' && frame.ratio > 0 && frame.ratio <= 1)) throw bad('ratio must be a number in (0, 1]');
  if (!Number.isSafeInteger(frame.inspectorsPerInstitution) || frame.inspectorsPerInstitution < 1) throw bad('inspectorsPerInstitution must be a whole number of at least 1');
  if (!Array.isArray(frame.institutions) || !Array.isArray(frame.inspectors)) throw bad('institutions and inspectors must be lists');
  frame.institutions.forEach((inst, i) => {
    if (typeof inst?.id !== 'string') throw bad(`institutions[${i}].id must be a string`);
    if (!Number.isSafeInteger(inst.weight) || inst.weight < 1) throw bad(`institutions[${i}].weight must be a positive whole number`);
    if (i > 0 && !(frame.institutions[i - 1]!.id < inst.id)) throw bad('institutions must be sorted by id, each once');
  });
  frame.inspectors.forEach((insp, i) => {
    if (typeof insp?.id !== 'string' || !Array.isArray(insp.conflicts)) throw bad(`inspectors[${i}] must be { id, conflicts }`);
    if (i > 0 && !(frame.inspectors[i - 1]!.id < insp.id)) throw bad('inspectors must be sorted by id, each once');
  });
}

/**
 * The draw. k = picksFor(ratio, n) institutions are drawn one after another without replacement: each
 * time r = below(total weight left), and the institution is the one whose cumulative weight (in id
 * order, among those left) first exceeds r. Then, for each pick in draw order, inspectorsPerInstitution
 * inspectors are drawn uniformly without replacement from those (in id order) not in conflict with it:
 * j = below(eligible left), take the j-th. Throws DrawError NOT_ENOUGH_INSPECTORS when a pick has too
 * few eligible inspectors.
 */
export function runDraw(frame: DrawFrame, seed: string): DrawResult {
  checkFrame(frame);
  const hash = frameHash(frame);
  const stream = new DrawStream(seed, hash);
  const left = frame.institutions.map((i) => ({ id: i.id, weight: i.weight }));
  let total = left.reduce((s, i) => s + i.weight, 0);
  const chosen: string[] = [];
  for (let k = picksFor(frame.ratio, left.length); k > 0; k--) {
    let r = stream.below(total);
    let at = 0;
    while (r >= left[at]!.weight) r -= left[at++]!.weight;
    const [pick] = left.splice(at, 1);
    total -= pick!.weight;
    chosen.push(pick!.id);
  }
  const picks = chosen.map((institution) => {
    const eligible = frame.inspectors.filter((i) => !i.conflicts.includes(institution)).map((i) => i.id);
    if (eligible.length < frame.inspectorsPerInstitution) {
      throw new DrawError('NOT_ENOUGH_INSPECTORS', `${institution} needs ${frame.inspectorsPerInstitution} inspectors without a conflict, and the pool has ${eligible.length}`);
    }
    const inspectors: string[] = [];
    for (let n = 0; n < frame.inspectorsPerInstitution; n++) inspectors.push(eligible.splice(stream.below(eligible.length), 1)[0]!);
    return { institution, inspectors };
  });
  return { version: DRAW_VERSION, frameHash: hash, seed, picks };
}

/** Institutions that could not get enough inspectors, whatever the seed: the frame can never be drawn for them. */
export function shortOfInspectors(frame: DrawFrame): string[] {
  return frame.institutions
    .filter((inst) => frame.inspectors.filter((i) => !i.conflicts.includes(inst.id)).length < frame.inspectorsPerInstitution)
    .map((i) => i.id);
}

/** The first difference between an expected and a claimed result, or undefined when they are identical. */
export function firstDifference(expected: DrawResult, claimed: unknown): string | undefined {
  if (typeof claimed !== 'object' || claimed === null) return 'the claimed result is not an object';
  const c = claimed as Partial<DrawResult>;
  if (c.version !== expected.version) return `version: expected ${expected.version}, claimed ${JSON.stringify(c.version)}`;
  if (c.frameHash !== expected.frameHash) return `frameHash: expected ${expected.frameHash}, claimed ${JSON.stringify(c.frameHash)}`;
  if (c.seed !== expected.seed) return `seed: expected ${JSON.stringify(expected.seed)}, claimed ${JSON.stringify(c.seed)}`;
  const picks = Array.isArray(c.picks) ? c.picks : [];
  for (let i = 0; i < Math.max(picks.length, expected.picks.length); i++) {
    const e = expected.picks[i];
    const p = picks[i] as Partial<DrawPick> | undefined;
    if (!e) return `picks[${i}]: expected no more picks, claimed ${JSON.stringify(p?.institution)}`;
    if (!p) return `picks[${i}]: expected ${e.institution}, claimed nothing`;
    if (p.institution !== e.institution) return `picks[${i}].institution: expected ${e.institution}, claimed ${JSON.stringify(p.institution)}`;
    if (canonicalJson(p.inspectors ?? null) !== canonicalJson(e.inspectors)) return `picks[${i}].inspectors: expected ${e.inspectors.join(',')}, claimed ${JSON.stringify(p.inspectors)}`;
  }
  if (canonicalJson(claimed) !== canonicalJson(expected)) return 'the claimed result has fields the draw does not produce';
  return undefined;
}
