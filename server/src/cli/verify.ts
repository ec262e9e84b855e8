/**
 * `wastetrail verify records.jsonl --keys keyring.json`: the offline verifier. It streams the file line
 * by line through firmware-protocol's ChainVerifier (the one definition of valid), so memory stays
 * bounded whatever the file size; on a terminal it shows progress.
 *
 * `wastetrail verify bundle.json [--keys keyring.json]`: a bag's audit bundle (exports/bundle.ts) is
 * recognised by its "format"; every record is verified, the links between the consecutive seqs it
 * holds are checked, its keys are compared with --keys (or, without it, a loud warning says the keys
 * are only the bundle's own), and the bag's trail is summarised. Each record's inclusion proof in the
 * verifiable log is checked against a checkpoint signed by --log-key (or, without it, by the key the
 * bundle names, with the same warning), and, with --witness-key (repeatable) and --quorum, that checkpoint's
 * witness cosignatures: at least the quorum of those witnesses, and no one else's.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  ChainVerifier,
  decodeEnvelope,
  EnvelopeLineSplitter,
  nodeEd25519Verify,
  parseCosignerKey,
  parseKeyring,
  parseVerifierKey,
  type ChainEvent,
  type Keyring,
  type NoteVerifierKey,
  type RecordError,
  type WitnessPolicy,
} from '@wastetrail/firmware-protocol';
import type { BagTrail } from '../custody/index.ts';
import { BundleFormatError, looksLikeBundle, verifyBundle, type BundleFailure } from '../exports/bundle.ts';
import { parseCommandArgs } from './args.ts';

interface Io {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_UNREADABLE = 2;
const MAX_LISTED_FAILURES = 1000;
/** Bundles are one bag's records: a file bigger than this is not one, and is streamed as JSONL. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
const USAGE =
  'usage: wastetrail verify <records.jsonl> --keys <keyring.json> [--partial] [--all]\n' +
  '       wastetrail verify <bundle.json> [--keys <keyring.json>] [--log-key <origin+id+key>] [--witness-key <name+id+key>]... [--quorum N] [--all]\n';

export async function runVerify(argv: string[], io: Io): Promise<number> {
  const args = parseCommandArgs(argv, {
    keys: { type: 'string' },
    'log-key': { type: 'string' },
    'witness-key': { type: 'string', multiple: true },
    quorum: { type: 'string' },
    partial: { type: 'boolean' },
    all: { type: 'boolean' },
  });
  if (!args.ok || args.positionals.length !== 1) {
    io.stderr.write(`wastetrail verify: ${args.ok ? 'expected one records file' : args.message}\n${USAGE}`);
    return EXIT_UNREADABLE;
  }
  const file = args.positionals[0]!;
  const bundle = readBundle(file);
  const logKey = args.values['log-key'];
  const witnessKeys = args.values['witness-key'];
  const quorum = args.values.quorum;
  if (bundle !== undefined) {
    const witnesses = readWitnessPolicy(Array.isArray(witnessKeys) ? witnessKeys : [], typeof quorum === 'string' ? quorum : undefined, io);
    if (witnesses === false) return EXIT_UNREADABLE;
    const trust = { keysPath: typeof args.values.keys === 'string' ? args.values.keys : undefined, logKey: typeof logKey === 'string' ? logKey : undefined, witnesses };
    return verifyBundleFile(file, bundle, trust, args.values.all === true, io);
  }
  for (const [given, option] of [[logKey, '--log-key'], [witnessKeys, '--witness-key'], [quorum, '--quorum']] as const) {
    if (given === undefined) continue;
    io.stderr.write(`wastetrail verify: ${option} applies to audit bundles, which carry log proofs; ${file} is not one\n${USAGE}`);
    return EXIT_UNREADABLE;
  }
  if (typeof args.values.keys !== 'string') {
    io.stderr.write(`wastetrail verify: expected --keys <keyring.json> (only an audit bundle carries its own keys)\n${USAGE}`);
    return EXIT_UNREADABLE;
  }
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
  const input = createReadStream(file, { encoding: 'utf8' });
  const splitter = new EnvelopeLineSplitter();
  let lineNo = 0;
  let bytesRead = 0;
  // Every line counts, blank or not (docs/protocol/record.md, "Exports"): only the one envelope form passes.
  const takeLines = (lines: string[]) => {
    for (const line of lines) {
      lineNo++;
      bytesRead += Buffer.byteLength(line) + 1;
      const env = decodeEnvelope(line);
      if (!env.ok) take([{ kind: 'rejected', error: env.error }], lineNo);
      else take(verifier.push(env.value), lineNo);
    }
    progress?.update(bytesRead, lineNo);
  };
  try {
    for await (const chunk of input) takeLines(splitter.push(chunk as string));
    takeLines(splitter.end());
  } catch (e) {
    progress?.stop();
    io.stderr.write(`wastetrail verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return EXIT_UNREADABLE;
  }
  if (lineNo === 0) {
    progress?.stop();
    // An export that holds nothing proves nothing: never "valid".
    io.stdout.write(`EMPTY_EXPORT: ${file} holds no records\n`);
    return EXIT_INVALID;
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

/**
 * The parsed JSON of a file that is a bundle, or undefined: records files (lines that start with
 * `{"record"`), anything too big or unreadable take the JSONL path, which reports what is wrong. Only
 * the first few KiB are read to decide.
 */
function readBundle(file: string): unknown {
  try {
    if (statSync(file).size > MAX_BUNDLE_BYTES) return undefined;
    const head = Buffer.alloc(4096);
    const fd = openSync(file, 'r');
    let n: number;
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const start = head.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (!start.startsWith('{') || /^\{\s*"(?:record|sig)"/.test(start)) return undefined;
    const json: unknown = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    return looksLikeBundle(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * --witness-key (each a cosignature vkey) and --quorum (from 1 to their number; default: all of them).
 * Undefined when neither is given; false (after saying why) when they are unusable.
 */
function readWitnessPolicy(texts: string[], quorumText: string | undefined, io: Io): WitnessPolicy | undefined | false {
  const refuse = (message: string) => {
    io.stderr.write(`wastetrail verify: ${message}\n${USAGE}`);
    return false as const;
  };
  if (texts.length === 0) return quorumText === undefined ? undefined : refuse('--quorum counts the witnesses given with --witness-key: give their keys');
  const keys: NoteVerifierKey[] = [];
  for (const text of texts) {
    const key = parseCosignerKey(text.trim());
    if (!key.ok) return refuse(`--witness-key ${JSON.stringify(text)}: ${key.error.code}: ${key.error.message}`);
    if (keys.some((k) => k.name === key.value.name && k.keyId === key.value.keyId)) return refuse(`--witness-key ${key.value.name} is given twice`);
    keys.push(key.value);
  }
  const quorum = quorumText === undefined ? keys.length : Number(quorumText);
  if (!/^[1-9][0-9]*$/.test(quorumText ?? '1') || !Number.isSafeInteger(quorum) || quorum > keys.length) {
    return refuse(`--quorum must be a whole number from 1 to the ${keys.length} witness key(s) given, got ${JSON.stringify(quorumText)}`);
  }
  return { witnesses: keys, quorum };
}

function verifyBundleFile(file: string, json: unknown, trust: { keysPath: string | undefined; logKey: string | undefined; witnesses: WitnessPolicy | undefined }, all: boolean, io: Io): number {
  const { keysPath } = trust;
  let trusted: Keyring | undefined;
  if (keysPath !== undefined) {
    trusted = loadKeyring(keysPath, io);
    if (!trusted) return EXIT_UNREADABLE;
  }
  let logKey: NoteVerifierKey | undefined;
  if (trust.logKey !== undefined) {
    const parsed = parseVerifierKey(trust.logKey.trim());
    if (!parsed.ok) {
      io.stderr.write(`wastetrail verify: --log-key: ${parsed.error.code}: ${parsed.error.message}\n`);
      return EXIT_UNREADABLE;
    }
    logKey = parsed.value;
  }
  let report: ReturnType<typeof verifyBundle>;
  try {
    report = verifyBundle(json, trusted, logKey, trust.witnesses);
  } catch (e) {
    if (!(e instanceof BundleFormatError)) throw e;
    io.stderr.write(`wastetrail verify: ${file}: ${e.message}\n`);
    return EXIT_UNREADABLE;
  }
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(`bundle: bag ${report.bag}, generated ${report.generatedAt}, ${report.records} record(s) from ${report.devices.length} device(s)`);
  if (report.keysFrom === 'bundle') {
    io.stderr.write(
      'WARNING: no --keys given: the records were checked against the keys the bundle carries itself.\n' +
        'WARNING: that proves the records are intact and agree with those keys, NOT that the keys belong to real devices:\n' +
        'WARNING: anyone can sign a bundle with keys of their own. Verify with --keys <keyring.json> from a source you trust.\n',
    );
    out('keys: from the bundle itself (not checked against a trusted keyring)');
  } else {
    const mismatch = report.failures.some((f) => f.code === 'KEY_MISMATCH');
    out(`keys: the bundle's keys ${mismatch ? 'DISAGREE with' : 'agree with'} ${keysPath}`);
  }
  out(
    `chain: ${report.linksChecked} link(s) between consecutive seqs checked; a bundle holds only this bag's records, so the chain between the seqs it holds ` +
      `(${report.chainBreaks} break(s)) is not shown by a bundle: verify the devices' full exports for that`,
  );
  out(`trail: ${describeTrail(report.trail)}`);
  if (!report.log) out('log: the bundle carries no log proofs');
  else {
    if (report.log.keyFrom === 'bundle') {
      io.stderr.write(
        "WARNING: no --log-key given: the log proofs were checked against the log key the bundle names itself, which proves nothing about the real log.\n" +
          "WARNING: get the log's key from a source you trust (the server prints it at start; GET /log/v1/key) and pass --log-key.\n",
      );
    }
    const pending = report.log.notYetInCheckpoint > 0 ? `; ${report.log.notYetInCheckpoint} record(s) not yet in a checkpoint when the bundle was made (not a failure: export it again later to prove them)` : '';
    out(
      `log: ${report.log.proven} record(s) proven in log ${report.log.origin} (checkpoint size ${report.log.checkpointSizes.join(', ') || 'none'}; key ${report.log.keyFrom === 'trusted' ? 'from --log-key' : 'from the bundle itself'})${pending}`,
    );
    const w = report.log.witnesses;
    if (!w) out('witnesses: no quorum asked for (--witness-key, --quorum) or declared by the bundle: cosignatures not checked');
    else {
      if (w.keysFrom === 'bundle') {
        io.stderr.write(
          "WARNING: no --witness-key given: the checkpoint's cosignatures were checked against the witnesses the bundle names itself, which proves nothing about real witnesses.\n" +
            "WARNING: get the witnesses' keys from the witnesses themselves (`wastetrail witness` prints them) and pass --witness-key and --quorum.\n",
        );
      }
      const by = w.cosigned.map((c) => `size ${c.size} by ${c.by.join(', ') || 'no one'}`).join('; ') || 'no checkpoint passed';
      out(`witnesses: quorum ${w.quorum} (keys ${w.keysFrom === 'trusted' ? 'from --witness-key' : 'from the bundle itself'}); cosigned: ${by}`);
    }
  }
  if (report.failures.length === 0) {
    out(`valid: ${report.verified} record(s) verify (signature, key, station), bag ${report.bag}`);
    return EXIT_VALID;
  }
  const shown = all ? report.failures.slice(0, MAX_LISTED_FAILURES) : report.failures.slice(0, 1);
  for (const f of shown) out(describeBundleFailure(f));
  if (!all && report.failures.length > 1) out(`(${report.failures.length} failures in all; --all lists them)`);
  return EXIT_INVALID;
}

function describeBundleFailure(f: BundleFailure): string {
  const where = [f.device && `device=${f.device}`, f.seq !== undefined && `seq=${f.seq}`, f.index !== undefined && `record=${f.index + 1}`].filter(Boolean).join(' ');
  return `invalid: ${f.code}${where ? ` ${where}` : ''}: ${f.message}`;
}

/** "disposed; sealed 2026-03-02T01:00:00.000Z at hz-h001/ICU, infectious, 1250 g; sealed > collected > ...; anomalies: none". */
function describeTrail(t: BagTrail): string {
  const seal = t.steps.find((s) => s.step === 'sealed');
  const origin = seal ? `sealed ${seal.time} at ${t.institution ?? '?'}/${t.department ?? '?'}, ${t.category ?? '?'}, ${t.sealedGrams ?? '?'} g` : 'no sealing record';
  const steps = t.steps.map((s) => s.step).join(' > ') || 'no steps';
  const anomalies = t.anomalies.length === 0 ? 'none' : t.anomalies.map((a) => a.kind).join(', ');
  return `${t.state}; ${origin}; ${steps}; anomalies: ${anomalies}`;
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
