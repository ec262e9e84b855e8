/**
 * `wastetrail witness --log URL --log-key VKEY --key FILE --state DIR [--name NAME] [--once] [--interval S]`:
 * a witness of a wastetrail log (docs/protocol/log.md, "Witnesses"), run by whoever wants to vouch that
 * the log shows everyone one append-only history: a regulator, a hospital association, the public.
 *
 * Each round it fetches the log's checkpoint (/log/v1/checkpoint), verifies the log's signature, checks
 * it against the last checkpoint it cosigned (kept in DIR/checkpoint) with a consistency proof
 * (/api/v1/log/consistency), keeps the new one, cosigns it (c2sp.org/tlog-cosignature, its Ed25519 key
 * in FILE, made with mode 0600 on first run) and hands the cosigned note to the log
 * (POST /log/v1/cosignature). A rollback, a fork or an inconsistent pair is refused with its code: the
 * witness stops (exit 1) and keeps its state, which is the evidence.
 *
 * Only firmware-protocol and Node: this runs far from the server, without it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkWitnessed,
  cosignatureLine,
  cosigner,
  cosignerKeyString,
  ed25519Signer,
  fromBase64,
  generateEd25519KeyPair,
  nodeEd25519Verify,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyCheckpoint,
  type Checkpoint,
  type Hash,
  type LogErrorCode,
  type NoteSigner,
  type NoteVerifierKey,
} from '@wastetrail/firmware-protocol';
import { parseCommandArgs } from './args.ts';

interface Io {
  stdout: Writable;
  stderr: Writable;
}

const EXIT_REFUSED = 1;
const EXIT_UNUSABLE = 2;
const DEFAULT_NAME = 'witness.wastetrail.local';
const DEFAULT_INTERVAL_S = 60;
const USAGE =
  'usage: wastetrail witness --log URL --log-key <origin+id+key> --key <witness-key.pem> --state <dir> [--name NAME] [--once] [--interval SECONDS]\n';

/** Why a round did not cosign: the log misbehaved (refused: stop) or could not be asked (try again). */
class RoundError extends Error {
  readonly kind: 'refused' | 'unavailable';
  readonly code: LogErrorCode | 'LOG_UNREACHABLE' | 'COSIGNATURE_NOT_TAKEN';
  constructor(kind: RoundError['kind'], code: RoundError['code'], message: string) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

export async function runWitness(argv: string[], io: Io): Promise<number> {
  const args = parseCommandArgs(argv, {
    log: { type: 'string' },
    'log-key': { type: 'string' },
    key: { type: 'string' },
    state: { type: 'string' },
    name: { type: 'string' },
    once: { type: 'boolean' },
    interval: { type: 'string' },
  });
  const fail = (message: string) => {
    io.stderr.write(`wastetrail witness: ${message}\n${USAGE}`);
    return EXIT_UNUSABLE;
  };
  if (!args.ok) return fail(args.message);
  const { log, key, state } = args.values;
  const logKeyText = args.values['log-key'];
  if (typeof log !== 'string' || typeof logKeyText !== 'string' || typeof key !== 'string' || typeof state !== 'string' || args.positionals.length > 0) {
    return fail('expected --log, --log-key, --key and --state');
  }
  let logUrl: URL;
  try {
    logUrl = new URL(log);
  } catch {
    return fail(`--log ${JSON.stringify(log)} is not a URL`);
  }
  const logKey = parseVerifierKey(logKeyText);
  if (!logKey.ok) return fail(`--log-key: ${logKey.error.message}`);
  const intervalS = args.values.interval === undefined ? DEFAULT_INTERVAL_S : Number(args.values.interval);
  if (!Number.isInteger(intervalS) || intervalS < 1) return fail(`--interval must be a whole number of seconds from 1, got ${String(args.values.interval)}`);

  let signer: NoteSigner;
  try {
    signer = cosigner(typeof args.values.name === 'string' ? args.values.name : DEFAULT_NAME, ed25519Signer(loadOrCreateKey(key, io)));
    mkdirSync(state, { recursive: true, mode: 0o700 });
  } catch (e) {
    return fail((e as Error).message);
  }
  io.stdout.write(`witness key ${cosignerKeyString(signer)}\n`);

  const witness = { logUrl, logKey: logKey.value, signer, stateFile: join(state, 'checkpoint') };
  for (;;) {
    try {
      const c = await round(witness);
      io.stdout.write(`cosigned ${c.origin} ${c.size}\n`);
    } catch (e) {
      if (!(e instanceof RoundError)) {
        io.stderr.write(`wastetrail witness: ${(e as Error).message}\n`);
        return EXIT_UNUSABLE;
      }
      io.stderr.write(`wastetrail witness: ${e.kind === 'refused' ? 'refused' : 'not cosigned this round'}: ${e.code}: ${e.message}\n`);
      if (e.kind === 'refused') return EXIT_REFUSED;
      if (args.values.once === true) return EXIT_UNUSABLE;
    }
    if (args.values.once === true) return 0;
    await sleep(intervalS * 1000);
  }
}

/** The witness's Ed25519 key (PKCS#8 PEM), made with mode 0600 when the file does not exist. */
function loadOrCreateKey(file: string, io: Io): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read --key ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pem = generateEd25519KeyPair().privateKeyPem;
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  io.stderr.write(`wastetrail witness: made a new witness key in ${file}\n`);
  return pem;
}

interface Witness {
  logUrl: URL;
  logKey: NoteVerifierKey;
  signer: NoteSigner;
  stateFile: string;
}

/** One round: fetch, verify, check against the state, keep, cosign, hand in. Throws RoundError. */
async function round(w: Witness): Promise<Checkpoint> {
  const note = await get(w, '/log/v1/checkpoint', (r) => r.text());
  const next = verifyCheckpoint(note, { origin: w.logKey.name, keys: [w.logKey], ed25519Verify: nodeEd25519Verify });
  if (!next.ok) throw new RoundError('refused', next.error.code, `the log's checkpoint: ${next.error.message}`);
  const last = readState(w.stateFile);
  const needsProof = last !== undefined && last.size > 0 && next.value.size > last.size;
  const proof = needsProof ? await consistencyProof(w, last.size, next.value.size) : [];
  const checked = checkWitnessed(last, next.value, proof);
  if (!checked.ok) throw new RoundError('refused', checked.error.code, checked.error.message);
  // Kept before it is handed in (c2sp.org/tlog-witness): a cosignature out means the state moved.
  const text = parseNote(note);
  if (!text.ok) throw new RoundError('refused', text.error.code, text.error.message);
  writeState(w.stateFile, text.value.text);
  const line = cosignatureLine(text.value.text, w.signer, Math.floor(Date.now() / 1000));
  // The note as served (other witnesses' lines included, which the log checks again) and this witness's line.
  const response = await send(w, '/log/v1/cosignature', note + line);
  if (!response.ok) throw new RoundError('unavailable', 'COSIGNATURE_NOT_TAKEN', `the log answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  return next.value;
}

async function consistencyProof(w: Witness, from: number, to: number): Promise<Hash[]> {
  const body = await get(w, `/api/v1/log/consistency?from=${from}&to=${to}`, (r) => r.json() as Promise<{ hashes?: unknown }>);
  const hashes = Array.isArray(body.hashes) ? body.hashes.map((h) => (typeof h === 'string' ? fromBase64(h) : undefined)) : undefined;
  // An unreadable proof proves nothing: the pair is inconsistent until shown otherwise.
  if (!hashes || hashes.some((h) => h === undefined)) throw new RoundError('refused', 'CHECKPOINT_INCONSISTENT', `the log's consistency proof from ${from} to ${to} is not a list of base64 hashes`);
  return hashes as Hash[];
}

async function get<T>(w: Witness, path: string, read: (r: Response) => Promise<T>): Promise<T> {
  const url = new URL(path, w.logUrl);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new RoundError('unavailable', 'LOG_UNREACHABLE', `${url.href}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new RoundError('unavailable', 'LOG_UNREACHABLE', `${url.href} answered ${response.status}`);
  try {
    return await read(response);
  } catch (e) {
    throw new RoundError('unavailable', 'LOG_UNREACHABLE', `${url.href}: ${(e as Error).message}`);
  }
}

async function send(w: Witness, path: string, body: string): Promise<Response> {
  const url = new URL(path, w.logUrl);
  try {
    return await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new RoundError('unavailable', 'LOG_UNREACHABLE', `${url.href}: ${(e as Error).message}`);
  }
}

/** The checkpoint text this witness last cosigned, or undefined on its first round. */
function readState(file: string): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = parseCheckpoint(text);
  if (!parsed.ok) throw new Error(`the witness state ${file} is not a checkpoint (${parsed.error.message}): restore it; never delete it to get past a refusal`);
  return parsed.value;
}

/** Replaces the state in one rename, so a crash leaves the old or the new one, never half of one. */
function writeState(file: string, text: string): void {
  writeFileSync(`${file}.new`, text, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}
