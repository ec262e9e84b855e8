/**
 * `wastetrail verify records.jsonl --keys keyring.json`: the offline verifier. It streams the file line
 * by line through firmware-protocol's ChainVerifier (the one definition of valid), so memory stays
 * bounded whatever the file size; on a terminal it shows progress.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { ChainVerifier, decodeEnvelope, nodeEd25519Verify, parseKeyring, type ChainEvent, type Keyring, type RecordError } from '@wastetrail/firmware-protocol';
import { parseCommandArgs } from './args.ts';

interface Io {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_UNREADABLE = 2;
const MAX_LISTED_FAILURES = 1000;

export async function runVerify(argv: string[], io: Io): Promise<number> {
  const args = parseCommandArgs(argv, { keys: { type: 'string' }, partial: { type: 'boolean' }, all: { type: 'boolean' } });
  if (!args.ok || args.positionals.length !== 1 || typeof args.values.keys !== 'string') {
    io.stderr.write(`wastetrail verify: ${args.ok ? 'expected one records file and --keys <keyring.json>' : args.message}\nusage: wastetrail verify <records.jsonl> --keys <keyring.json> [--partial] [--all]\n`);
    return EXIT_UNREADABLE;
  }
  const file = args.positionals[0]!;
  const keyring = loadKeyring(args.values.keys, io);
  if (!keyring) return EXIT_UNREADABLE;
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    io.stderr.write(`wastetrail verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return EXIT_UNREADABLE;
  }

  const verifier = new ChainVerifier({ keyring, ed25519Verify: nodeEd25519Verify }, { strictOrder: true, allowPartial: args.values.partial === true });
  const failures: { error: RecordError; line?: number }[] = [];
  let failureCount = 0;
  let accepted = 0;
  const take = (events: ChainEvent[], line?: number) => {
    for (const e of events) {
      if (e.kind === 'accepted') accepted++;
      else {
        failureCount++;
        if (failures.length < MAX_LISTED_FAILURES) failures.push({ error: e.error, ...(line !== undefined && e.error.seq === undefined ? { line } : {}) });
      }
    }
  };

  const progress = io.stderr.isTTY ? startProgress(io.stderr, size) : undefined;
  const input = createReadStream(file);
  let lineNo = 0;
  let bytesRead = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      bytesRead += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      const env = decodeEnvelope(line);
      if (!env.ok) take([{ kind: 'rejected', error: env.error }], lineNo);
      else take(verifier.push(env.value), lineNo);
      progress?.update(bytesRead, lineNo);
    }
  } catch (e) {
    progress?.stop();
    io.stderr.write(`wastetrail verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return EXIT_UNREADABLE;
  }
  take(verifier.finish());
  progress?.stop();

  const heads = verifier.heads();
  if (failureCount === 0) {
    const list = [...heads].map(([d, h]) => `${d}#${h.seq} ${h.hash.slice(0, 16)}`).join(', ');
    io.stdout.write(`valid: ${accepted} records from ${heads.size} device(s); chain heads: ${list || 'none'}\n`);
    return EXIT_VALID;
  }
  const shown = args.values.all === true ? failures : failures.slice(0, 1);
  for (const f of shown) io.stdout.write(`${describeFailure(f.error, f.line)}\n`);
  if (!args.values.all && failureCount > 1) io.stdout.write(`(${failureCount} failures in all; --all lists them)\n`);
  return EXIT_INVALID;
}

function describeFailure(e: RecordError, line?: number): string {
  const where = [e.device && `device=${e.device}`, e.seq !== undefined && `seq=${e.seq}`, line !== undefined && `line=${line}`, e.path && `field=${e.path}`].filter(Boolean).join(' ');
  return `invalid: ${e.code}${where ? ` ${where}` : ''}: ${e.message}`;
}

function loadKeyring(path: string, io: Io): Keyring | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    io.stderr.write(`wastetrail verify: cannot read keyring ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return undefined;
  }
  const r = parseKeyring(json);
  if (!r.ok) {
    io.stderr.write(`wastetrail verify: keyring ${path} is invalid: ${r.error.message}\n`);
    return undefined;
  }
  return r.value;
}

function startProgress(out: Writable, total: number) {
  const started = Date.now();
  let last = 0;
  let lines = 0;
  let bytes = 0;
  const draw = () => {
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    const pct = total > 0 ? Math.min(100, (bytes / total) * 100) : 100;
    out.write(`\rverifying: ${pct.toFixed(1)}%  ${lines.toLocaleString('en')} lines  ${Math.round(lines / secs).toLocaleString('en')}/s   `);
  };
  return {
    update(b: number, l: number) {
      bytes = b;
      lines = l;
      const now = Date.now();
      if (now - last >= 200) {
        last = now;
        draw();
      }
    },
    stop() {
      draw();
      out.write('\n');
    },
  };
}
